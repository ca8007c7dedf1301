import { z } from 'zod'
import type { Adapter } from '../adapters/adapter.js'
import { assertBatchingFits, type Batching, batchingSchema } from '../delivery/batching.js'
import type { Pacing } from '../delivery/pacing.js'
import { pacingSchema } from '../delivery/pacing.js'
import { ConflictError } from '../errors/conflict-error.js'
import { NotFoundError } from '../errors/not-found-error.js'
import { parseInput } from '../errors/parse-input.js'
import { QuotaExceededError } from '../errors/quota-exceeded-error.js'
import { generateId, idSchema } from '../shared/ids.js'
import { assertJsonData } from '../shared/json-data.js'
import { scopedKey, scopeKey } from '../shared/scope.js'
import { SecretScrubber } from '../shared/secret-scrubber.js'
import type { Integration, IntegrationInput, IntegrationPatch } from './integration.js'
import { redactConfig } from './redact-config.js'
import { secretValues } from './redact-request.js'

/** What `router.integrations` offers: the configured destinations, editable at run time. */
export interface Integrations {
  /** Adds an integration. Throws `ValidationError`, `NotFoundError` (unknown adapter type) or `ConflictError` (duplicate id); nothing changes then. */
  add(input: IntegrationInput): Integration
  /** Changes an integration's config, name or status. A rejected patch changes nothing. */
  update(id: string, patch: IntegrationPatch): Integration
  /** Removes an integration. Throws `ConflictError` (`ERR_INTEGRATION_IN_USE`) while subscriptions use it. */
  remove(id: string): void
  /** The integration with this id (secrets redacted), or `undefined`. */
  get(id: string): Integration | undefined
  /** Every integration, in the order they were added (secrets redacted). */
  list(): Integration[]
  /** Enables an integration. */
  enable(id: string): Integration
  /** Disables an integration: its subscriptions are skipped with reason `integration_disabled`. */
  disable(id: string): Integration
}

/** What a snapshot or the store restores beyond the input: creation and change times, why it was disabled. */
export interface Timestamps {
  readonly createdAt: string
  readonly updatedAt: string
  readonly disabledReason?: string | null
}

/** What the integration registry needs from the router. */
export interface IntegrationRegistryDeps {
  /** Registered adapters by type. */
  readonly adapters: ReadonlyMap<string, Adapter<unknown>>
  /** Ids of the subscriptions of `tenant` that use an integration. */
  readonly usersOf: (tenant: string | null, integrationId: string) => string[]
  /**
   * Keeps a change before it is made: the new record, or `undefined` for a removal. Throwing
   * (a `StoreError`) refuses the change, which then changes nothing.
   */
  readonly persist?: (tenant: string | null, id: string, record: IntegrationRecord | undefined) => void
  /** Told after an integration was added, changed (the new record) or removed (`undefined`). */
  readonly onChange?: (key: string, record: IntegrationRecord | undefined) => void
  /** Most integrations a tenant may have, or `undefined` for no limit. */
  readonly quota?: (tenant: string | null) => number | undefined
}

/** An integration with what the router needs to deliver to it. */
export interface IntegrationRecord {
  /** The tenant it belongs to, or `null` for the platform. */
  readonly tenant: string | null
  /** Its key, unique across tenants (`scopedKey(tenant, id)`): lanes, health and queues are keyed by it. */
  readonly key: string
  /** Unredacted integration. */
  readonly integration: Integration
  /** What `get()`/`list()` return. */
  readonly redacted: Integration
  readonly adapter: Adapter<unknown>
  /** Replaces the credentials found in the config's secret fields, in every form, in any text. */
  readonly scrubber: SecretScrubber
}

const inputSchema = z.strictObject({
  id: idSchema.optional(),
  type: z.string().min(1, 'expected an adapter type'),
  config: z.record(z.string(), z.unknown(), 'expected an object'),
  name: z.string().max(200).nullable().optional(),
  enabled: z.boolean().optional(),
  pacing: pacingSchema.nullable().optional(),
  batching: batchingSchema.nullable().optional(),
})

const patchSchema = z.strictObject({
  config: z.record(z.string(), z.unknown(), 'expected an object').optional(),
  name: z.string().max(200).nullable().optional(),
  enabled: z.boolean().optional(),
  pacing: pacingSchema.nullable().optional(),
  batching: batchingSchema.nullable().optional(),
})

/**
 * Every tenant's integrations, each tenant's apart (two tenants may use the same id). Scoped
 * views (`router.integrations`, `router.tenant(id).integrations`) act through it for one tenant.
 */
export class IntegrationRegistry {
  readonly #adapters: ReadonlyMap<string, Adapter<unknown>>
  readonly #byKey = new Map<string, IntegrationRecord>()
  readonly #byScope = new Map<string, Map<string, IntegrationRecord>>()
  readonly #deps: IntegrationRegistryDeps

  constructor(deps: IntegrationRegistryDeps) {
    this.#adapters = deps.adapters
    this.#deps = deps
  }

  /** @param restored timestamps kept when restoring a snapshot */
  add(tenant: string | null, input: IntegrationInput, restored?: Timestamps): Integration {
    return this.#add(tenant, input, restored, false)
  }

  /**
   * Adds an integration, or replaces the one with its id as a whole: what another process of a
   * fleet wrote. Validated like `add()`; the quota counts only a new one.
   */
  put(tenant: string | null, input: IntegrationInput, restored: Timestamps): Integration {
    return this.#add(tenant, input, restored, true)
  }

  #add(
    tenant: string | null,
    input: IntegrationInput,
    restored: Timestamps | undefined,
    replace: boolean,
  ): Integration {
    // Configs are persisted and copied: only faithful JSON, no `__proto__` (zod would drop it).
    assertJsonData(input, '', 'integration')
    const parsed = parseInput(inputSchema, input, 'integration')
    const id = parsed.id ?? generateId()
    const exists = this.#byKey.has(scopedKey(tenant, id))
    if (exists && !replace) {
      throw new ConflictError(
        'ERR_DUPLICATE_ID',
        'id',
        `An integration with id \`${id}\` already exists (id).`,
      )
    }
    const adapter = this.#adapters.get(parsed.type)
    if (!adapter) {
      const known = [...this.#adapters.keys()].map((type) => `\`${type}\``).join(', ') || 'none'
      throw new NotFoundError('adapter', parsed.type, 'type', `Registered adapter types: ${known}.`)
    }
    const limit = this.#deps.quota?.(tenant)
    if (!exists && limit !== undefined && this.count(tenant) >= limit) {
      throw new QuotaExceededError('integrations', limit, tenant)
    }
    assertBatchingFits(adapter, parsed.batching as Batching | null | undefined)
    const now = new Date().toISOString()
    return this.#store(tenant, adapter, {
      id,
      tenant,
      type: parsed.type,
      name: parsed.name ?? null,
      config: parseConfig(adapter, parsed.config),
      enabled: parsed.enabled ?? true,
      disabledReason: (parsed.enabled === false && restored?.disabledReason) || null,
      pacing: (parsed.pacing as Pacing | null | undefined) ?? null,
      ...(parsed.batching ? { batching: parsed.batching as Batching } : {}),
      createdAt: restored?.createdAt ?? now,
      updatedAt: restored?.updatedAt ?? now,
    })
  }

  update(tenant: string | null, id: string, patch: IntegrationPatch): Integration {
    return this.#update(tenant, id, patch, null)
  }

  /** Disables an integration on the destination's word, keeping why (`disabledReason`). */
  disableBecause(tenant: string | null, id: string, reason: string): Integration {
    return this.#update(tenant, id, { enabled: false }, reason)
  }

  #update(
    tenant: string | null,
    id: string,
    patch: IntegrationPatch,
    disabledReason: string | null,
  ): Integration {
    const record = this.#require(tenant, id)
    assertJsonData(patch, '', 'integration patch')
    const parsed = parseInput(patchSchema, patch, 'integration patch')
    const current = record.integration
    let config = current.config
    if (parsed.config !== undefined) {
      const merged: Record<string, unknown> = { ...current.config }
      for (const [key, value] of Object.entries(parsed.config)) {
        if (value === undefined) delete merged[key]
        else merged[key] = value
      }
      config = parseConfig(record.adapter, merged)
    }
    if (parsed.batching !== undefined) assertBatchingFits(record.adapter, parsed.batching as Batching | null)
    const { batching: _previous, ...rest } = current
    const batching = parsed.batching === undefined ? current.batching : (parsed.batching as Batching | null)
    return this.#store(tenant, record.adapter, {
      ...rest,
      ...(batching ? { batching } : {}),
      config,
      name: parsed.name === undefined ? current.name : parsed.name,
      enabled: parsed.enabled ?? current.enabled,
      disabledReason:
        disabledReason ?? (parsed.enabled === true || current.enabled ? null : current.disabledReason),
      pacing: parsed.pacing === undefined ? current.pacing : ((parsed.pacing as Pacing | null) ?? null),
      updatedAt: new Date().toISOString(),
    })
  }

  remove(tenant: string | null, id: string): void {
    const record = this.#require(tenant, id)
    const users = this.#deps.usersOf(tenant, id)
    if (users.length > 0) {
      throw new ConflictError(
        'ERR_INTEGRATION_IN_USE',
        'id',
        `Integration \`${id}\` (id) is used by subscription(s) ${users.map((u) => `\`${u}\``).join(', ')}; remove them or move them to another integration first.`,
      )
    }
    this.#deps.persist?.(tenant, id, undefined)
    this.#byKey.delete(record.key)
    this.#byScope.get(scopeKey(tenant))?.delete(id)
    this.#deps.onChange?.(record.key, undefined)
  }

  get(tenant: string | null, id: string): Integration | undefined {
    return this.record(tenant, id)?.redacted
  }

  list(tenant: string | null): Integration[] {
    const scope = this.#byScope.get(scopeKey(tenant))
    return scope ? [...scope.values()].map((record) => record.redacted) : []
  }

  /** How many integrations a tenant has. */
  count(tenant: string | null): number {
    return this.#byScope.get(scopeKey(tenant))?.size ?? 0
  }

  /** The full record (unredacted config, adapter) for delivery and persistence. */
  record(tenant: string | null, id: string): IntegrationRecord | undefined {
    return this.#byKey.get(scopedKey(tenant, id))
  }

  /** The record with this key (`scopedKey(tenant, id)`). */
  recordByKey(key: string): IntegrationRecord | undefined {
    return this.#byKey.get(key)
  }

  /** Every tenant's records, in insertion order. */
  records(): IterableIterator<IntegrationRecord> {
    return this.#byKey.values()
  }

  #require(tenant: string | null, id: string): IntegrationRecord {
    const record = this.record(tenant, id)
    // Another tenant's id is refused exactly like an id that does not exist.
    if (!record) throw new NotFoundError('integration', id, 'id')
    return record
  }

  #store(tenant: string | null, adapter: Adapter<unknown>, integration: Integration): Integration {
    const frozen = Object.freeze({
      ...integration,
      config: Object.freeze(integration.config),
      pacing: integration.pacing && Object.freeze({ ...integration.pacing }),
      ...(integration.batching ? { batching: freezeBatching(integration.batching) } : {}),
    })
    const redacted = Object.freeze({ ...frozen, config: redactConfig(frozen.config, adapter.secretFields) })
    const scrubber = new SecretScrubber(secretValues(frozen.config, adapter.secretFields))
    const key = scopedKey(tenant, frozen.id)
    const record: IntegrationRecord = { tenant, key, integration: frozen, redacted, adapter, scrubber }
    this.#deps.persist?.(tenant, frozen.id, record)
    this.#byKey.set(key, record)
    let scope = this.#byScope.get(scopeKey(tenant))
    if (!scope) {
      scope = new Map()
      this.#byScope.set(scopeKey(tenant), scope)
    }
    scope.set(frozen.id, record)
    this.#deps.onChange?.(key, record)
    return redacted
  }
}

function parseConfig(adapter: Adapter<unknown>, config: Record<string, unknown>): Record<string, unknown> {
  return parseInput(
    adapter.configSchema,
    config,
    `config for adapter \`${adapter.type}\``,
    'config',
  ) as Record<string, unknown>
}

function freezeBatching(batching: Readonly<Batching>): Readonly<Batching> {
  return Object.freeze({
    ...batching,
    ...(batching.pacing ? { pacing: Object.freeze({ ...batching.pacing }) } : {}),
  })
}
