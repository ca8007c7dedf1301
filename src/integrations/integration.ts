import type { Batching } from '../delivery/batching.js'
import type { Pacing } from '../delivery/pacing.js'

/** An integration as the router reports it: a configured adapter. */
export interface Integration {
  /** Unique id within its tenant, e.g. `crm` or `klaviyo-main`. */
  readonly id: string
  /** The tenant it belongs to (a merchant), or `null` for the platform's own. */
  readonly tenant: string | null
  /** The adapter type, e.g. `webhook`. */
  readonly type: string
  /** Human-readable name for dashboards, or `null`. */
  readonly name: string | null
  /** The adapter config, with secret fields redacted (see `toJSON({ includeSecrets })`). */
  readonly config: Readonly<Record<string, unknown>>
  /** Disabled integrations receive nothing; their subscriptions are skipped. */
  readonly enabled: boolean
  /**
   * Why the router disabled the integration by itself (a `410 Gone` from the destination),
   * or `null`. Cleared when it is enabled again.
   */
  readonly disabledReason: string | null
  /** This integration's pacing, over its adapter's defaults, or `null` for the adapter's. */
  readonly pacing: Readonly<Pacing> | null
  /**
   * This integration's batching over its adapter's (absent: the adapter's; an adapter with a
   * bulk endpoint batches by default).
   */
  readonly batching?: Readonly<Batching>
  /** ISO-8601 creation time. */
  readonly createdAt: string
  /** ISO-8601 time of the last change. */
  readonly updatedAt: string
}

/** Input of `router.integrations.add()`. */
export interface IntegrationInput {
  /** Unique id (letters, digits, `_ . : -`, at most 128 chars). @default a random UUID */
  id?: string
  /** Adapter type; an adapter of this type must be registered. */
  type: string
  /** Adapter config, validated by the adapter's `configSchema`. */
  config: Record<string, unknown>
  /** Human-readable name. @default null */
  name?: string | null
  /** @default true */
  enabled?: boolean
  /** Pacing over the adapter's defaults (concurrency, per-second and per-minute limits). @default null */
  pacing?: Pacing | null
  /**
   * Batching over the adapter's (`{ enabled: false }` sends one request per delivery; limits
   * at most the adapter's). Only for an adapter that batches. @default null (the adapter's)
   */
  batching?: Batching | null
}

/** Input of `router.integrations.update()`: every field is optional. */
export interface IntegrationPatch {
  /** Keys to change in the config (shallow merge; a key set to `undefined` is removed). The result is validated again. */
  config?: Record<string, unknown>
  /** New name, or `null` to clear it. */
  name?: string | null
  /** Enable or disable. */
  enabled?: boolean
  /** New pacing (replaces the previous one), or `null` for the adapter's defaults. */
  pacing?: Pacing | null
  /** New batching (replaces the previous one), or `null` for the adapter's. */
  batching?: Batching | null
}
