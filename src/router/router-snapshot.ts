import { z } from 'zod'
import type { Integration } from '../integrations/integration.js'
import type { Subscription } from '../subscriptions/subscription.js'

/** The router's configuration as plain data: what `toJSON()` returns and `fromJSON()` takes. */
export interface RouterSnapshot {
  /** Format version. */
  readonly version: 1
  /** Every integration, of every tenant; secret config fields redacted unless `includeSecrets`. */
  readonly integrations: readonly Integration[]
  /** Every subscription, of every tenant. */
  readonly subscriptions: readonly Subscription[]
  /** Event types switched off: a name for the platform (off for everyone), `{ tenant, name }` for one tenant. */
  readonly disabledEvents: readonly (
    | string
    | {
        /** The tenant that switched the event type off. */
        readonly tenant: string
        /** The event name. */
        readonly name: string
      }
  )[]
}

/** Options of `toJSON()`. */
export interface ToJSONOptions {
  /**
   * Include secret config fields (API keys, webhook secrets) instead of `[REDACTED]`.
   * Set it only to persist the snapshot somewhere safe.
   * @default false
   */
  includeSecrets?: boolean
}

/** Shape check of a snapshot; the contents are validated again as they are added. */
export const routerSnapshotSchema = z.strictObject({
  version: z.literal(1),
  integrations: z.array(
    z.looseObject({ id: z.string(), type: z.string(), config: z.record(z.string(), z.unknown()) }),
  ),
  subscriptions: z.array(z.looseObject({ id: z.string() })),
  disabledEvents: z.array(z.union([z.string(), z.strictObject({ tenant: z.string(), name: z.string() })])),
})
