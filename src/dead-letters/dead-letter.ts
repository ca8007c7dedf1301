import type { AttemptRecord, Delivery, DeliveryFailureReason } from '../delivery/delivery.js'
import type { DeliveryErrorCode } from '../errors/delivery-error.js'

/**
 * A delivery that did not reach its destination: it failed for good, or was parked (circuit
 * open, integration disabled, backpressure, shutdown). Plain JSON, so a store can persist it
 * as is; `router.deadLetters.redeliver()` sends it again with the same delivery id (the
 * idempotency key), so a destination that did receive an earlier attempt can drop the copy.
 */
export interface DeadLetter {
  /** The delivery id: one dead letter per delivery at a time. */
  readonly id: string
  /** The delivery as it was when it ended here: destination, subscription, attempts. */
  readonly delivery: Delivery
  /** The event as routed, with the payload as it was emitted. */
  readonly event: DeadLetterEvent
  /** Why the delivery ended here. */
  readonly reason: DeliveryFailureReason
  /** The last error: its stable code, message and HTTP status (null without a response). */
  readonly error: {
    /** The `DeliveryError`'s stable code, e.g. `ERR_HTTP_STATUS`. */
    readonly code: DeliveryErrorCode
    /** The error's message. */
    readonly message: string
    /** The HTTP status of the last response, or `null` when none arrived. */
    readonly status: number | null
  }
  /** Every attempt made, in order (empty when the delivery was parked before any). */
  readonly history: readonly AttemptRecord[]
  /** When it was dead-lettered, ISO-8601. */
  readonly deadLetteredAt: string
  /** How many times it had been redelivered before this failure. */
  readonly redeliveries: number
}

/** The event a dead letter carries. */
export interface DeadLetterEvent {
  /** The tenant that emitted it, or `null` for a platform event. */
  readonly tenant: string | null
  /** Event id: given to `emit()` or generated. */
  readonly id: string
  /** The name it was emitted with, e.g. `wallet.coins_rewarded`. */
  readonly name: string
  /** The name sent to the destination: the subscription's prefix + `name`. */
  readonly outgoingName: string
  /** The payload as it was emitted. */
  readonly payload: Readonly<Record<string, unknown>>
  /** When it occurred, ISO-8601. */
  readonly occurredAt: string
}

/** Which dead letters to list or redeliver. Every given field must match. */
export interface DeadLetterQuery {
  /** Only these delivery ids. */
  ids?: readonly string[]
  /** Only deliveries to this integration. */
  integrationId?: string
  /** Only letters dead-lettered at or after this time (Date, ISO-8601 string or epoch ms). */
  since?: Date | string | number
  /** Only letters with this reason. */
  reason?: DeliveryFailureReason
  /** At most this many, oldest first. @default no limit */
  limit?: number
}

/** A {@link DeadLetterQuery} after validation: `since` in epoch ms. */
export interface ResolvedDeadLetterQuery {
  /** Only letters of this scope: a tenant's, or the platform's (`null`); every scope when absent. */
  readonly tenant?: string | null
  /** Only these delivery ids. */
  readonly ids?: readonly string[]
  /** Only deliveries to this integration. */
  readonly integrationId?: string
  /** Only letters dead-lettered at or after this time, in epoch ms. */
  readonly since?: number
  /** Only letters with this reason. */
  readonly reason?: DeliveryFailureReason
  /** At most this many, oldest first. */
  readonly limit?: number
}

/** Whether `letter` matches every field of `query`. */
export function matchesQuery(letter: DeadLetter, query: ResolvedDeadLetterQuery): boolean {
  if (query.tenant !== undefined && letter.delivery.tenant !== query.tenant) return false
  if (query.integrationId !== undefined && letter.delivery.integrationId !== query.integrationId) return false
  if (query.reason !== undefined && letter.reason !== query.reason) return false
  if (query.since !== undefined && Date.parse(letter.deadLetteredAt) < query.since) return false
  if (query.ids !== undefined && !query.ids.includes(letter.id)) return false
  return true
}
