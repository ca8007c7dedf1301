import type { Delivery } from '../../delivery/delivery.js'
import type { EventRouterError } from '../../errors/event-router-error.js'
import type { StoreError } from '../../errors/store-error.js'

/** Payload of `relayed`: an event was emitted into the router and marked relayed. */
export interface RelayedEvent {
  /** The event id (the row's id). */
  readonly eventId: string
  /** The event's tenant, or `null` for a platform event. */
  readonly tenant: string | null
  /** The event name (`wallet.coins_rewarded`). */
  readonly eventName: string
  /**
   * Whether the router had accepted this id before (a relay that emitted it died before marking
   * it): nothing new was dispatched then, and `deliveries` are the first ones.
   */
  readonly duplicate: boolean
  /** The event's deliveries, as `emit()` returned them. */
  readonly deliveries: readonly Delivery[]
  /** Relay attempts this event took, this one included. */
  readonly attempts: number
}

/** Payload of `retrying`: `emit()` failed for a reason that can pass; the row waits and is emitted again. */
export interface RelayRetry {
  /** The event id (the row's id). */
  readonly eventId: string
  /** The event's tenant, or `null` for a platform event. */
  readonly tenant: string | null
  /** The event name. */
  readonly eventName: string
  /** Relay attempts made so far, this one included. */
  readonly attempts: number
  /** How long the row (and the relay) waits before the next attempt. */
  readonly delayMs: number
  /** What `emit()` threw: a `BackpressureError`, a `StoreError`, a `RouterNotStartedError`... */
  readonly error: Error
}

/**
 * The lifecycle events of an outbox relay, in eventemitter3's event-map form:
 * `relay.on('relayed', listener)`. A listener that throws is reported on `error`.
 */
export interface OutboxRelayEvents {
  /** An event was emitted and marked relayed (after its transaction committed). */
  relayed: [event: RelayedEvent]
  /** An event's `emit()` failed for a reason that can pass: it is emitted again after `delayMs`. */
  retrying: [retry: RelayRetry]
  /**
   * Something needs attention: an event the router refused for good (`OutboxEventFailedError`,
   * kept as failed in the table), a statement the database refused (`StoreError`: the table is
   * missing, a permission), the router closed under the relay (`RouterClosedError`: the relay
   * stops), a listener that threw (`ListenerError`).
   */
  error: [error: EventRouterError]
  /** The relay lost the database (a restart, a failover, the network); it keeps trying to reach it. */
  disconnected: [
    lost: {
      /** What failed, naming the outbox's table; its `cause` is the driver's error. */
      readonly error: StoreError
    },
  ]
  /** The database is back: claims work again and, with `listen`, LISTEN is in place again. */
  reconnected: [
    back: {
      /** How long the database was unreachable, in ms, from the first failure to the first success. */
      readonly downtimeMs: number
    },
  ]
  /** Relayed rows older than `retentionMs` were deleted. */
  pruned: [
    pruned: {
      /** How many rows were deleted (never 0: nothing is reported then). */
      readonly count: number
    },
  ]
}

/** Name of a relay lifecycle event. */
export type OutboxRelayEventName = keyof OutboxRelayEvents
