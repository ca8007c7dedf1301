import type { DeadLetter, ResolvedDeadLetterQuery } from '../dead-letters/dead-letter.js'
import type { Batching } from '../delivery/batching.js'
import type { AttemptRecord, Delivery } from '../delivery/delivery.js'
import type { Pacing } from '../delivery/pacing.js'
import type { TraceContext } from '../observability/trace-context.js'
import type { EventSelector } from '../subscriptions/subscription.js'

/** A value, or a promise of it: stores may be synchronous (memory, SQLite) or not (a network database). */
export type MaybePromise<T> = T | Promise<T>

/**
 * Where the router keeps everything it must not lose: pending deliveries, dead letters, the health
 * of each integration, and the configuration a dashboard edits (integrations, subscriptions, event
 * switches). Every record is plain JSON.
 *
 * The router is the only writer of a store while it runs: it writes through {@link Store.write},
 * which applies a batch of operations atomically, and reads the rest back at `router.start()`.
 * Each method may return a promise; synchronous stores (memory, SQLite) return plain values, which
 * is what lets `emit()` return only once its deliveries are stored.
 *
 * Prove an implementation with `storeContractCases()` or `assertStoreContract()` from
 * `eventrouter/testing`.
 *
 * Tenants: wherever a tenant is part of a key (integrations, subscriptions, health, event
 * switches, accepted events), `null` (the
 * platform scope) is a tenant of its own, distinct from every string, `''` and `'null'` included.
 */
export interface Store {
  /**
   * Whether what the store holds survives the process. The router must be `start()`ed on a
   * durable store, and `close()` leaves queued and retrying deliveries in it for the next start
   * instead of dead-lettering them.
   */
  readonly durable: boolean
  /**
   * Opens the store: creates or migrates its schema and makes every delivery claimable again
   * (claims belong to the process that made them, which is gone). Throws (or rejects) with a
   * `StoreError` when it cannot: the file is held by another router, corrupt, or of a newer
   * schema. Called once, by `router.start()`.
   */
  open(): MaybePromise<void>
  /** Releases the store (connections, file handles). Called once, by `router.close()`. */
  close(): MaybePromise<void>
  /**
   * Applies `operations` in order, atomically: after a crash, either all of them are kept or
   * none. Throws (or rejects) and keeps none of them when it cannot, including when one of them
   * is not an operation it knows (an unknown `type`): the batch is refused before any of it is
   * applied, or rolled back.
   */
  write(operations: readonly StoreOperation[]): MaybePromise<void>
  /** The configuration, as last written: what `start()` loads into the router. */
  loadConfiguration(): MaybePromise<StoredConfiguration>
  /** Every stored integration health record. */
  loadHealth(): MaybePromise<readonly IntegrationHealth[]>
  /**
   * For each queue with pending deliveries (see {@link DeliveryRecord.queue}): how many are pending
   * (claimed or not), how many are not claimed, and the earliest `notBefore` among those not claimed.
   */
  pendingSummary(): MaybePromise<readonly PendingSummary[]>
  /**
   * Claims up to `limit` unclaimed deliveries of `queue` whose `notBefore` is at or before
   * `now`, earliest `notBefore` first (ties in the order they were first written), and returns
   * them. A claimed delivery is not returned again until a `putDelivery` with `claimed: false`
   * releases it or the store is opened again.
   */
  claimDue(queue: string, now: number, limit: number): MaybePromise<ClaimedDeliveries>
  /** The pending deliveries with these ids (claimed or not), in the order of `ids`; unknown ids are skipped. */
  getDeliveries(ids: readonly string[]): MaybePromise<readonly DeliveryRecord[]>
  /**
   * The dead letters matching `query`, oldest first (by `deadLetteredAt` as a time, then write
   * order), at most `query.limit`. A letter put again under its id counts as written anew: it
   * moves after the letters written before it.
   */
  listDeadLetters(query: ResolvedDeadLetterQuery): MaybePromise<readonly DeadLetter[]>
  /**
   * The event accepted earlier under this id in this tenant, if it is still remembered (see
   * `putAcceptedEvent` and `pruneAcceptedEvents`): emitting an id again returns its deliveries
   * instead of making new ones.
   */
  getAcceptedEvent(tenant: string | null, eventId: string): MaybePromise<AcceptedEvent | undefined>
  /**
   * Optional: implemented by a store that several processes share (a fleet, such as the Redis
   * store). Calls `listener` when another process changed what the store holds: deliveries to
   * claim were written or given back, the configuration changed, or an integration's health (its
   * circuit) changed. A router on such a store
   * follows the fleet: it claims what other processes emitted, and applies their configuration
   * changes, within its sync interval (see `router.start()`). Returns a function that stops
   * listening. A store without it is owned by one router at a time.
   */
  watch?(listener: (change: StoreChange) => void): () => void
  /**
   * Optional, with {@link Store.pauseStarts}: pacing for the whole fleet, implemented by a store
   * that several processes share. Takes one attempt start of the integration `key` (a tenant and
   * integration id, as the router names them) under `limits`, counted across every process of the
   * fleet. Resolves with `0` when the start is granted, or with the milliseconds to wait before
   * asking again: the limit is reached, or the integration is paused. The router asks before each
   * attempt, after its own pacing let it through; when the call fails (the store is unreachable),
   * the attempt goes on under the process's own pacing. Without it, each process paces on its own.
   */
  takeStart?(key: string, limits: StartLimits): Promise<number>
  /**
   * Optional, with {@link Store.takeStart}: pauses the starts of the integration `key` for `ms`
   * in every process of the fleet (the destination answered 429 or 503 with a `Retry-After`). A
   * pause never shortens a longer one already set.
   */
  pauseStarts?(key: string, ms: number): Promise<void>
  /**
   * Optional: concurrency for the whole fleet, implemented by a store that several processes
   * share. Takes one of the `limit` slots of the integration `key` (attempts in flight), counted
   * across every process of the fleet. Resolves with a {@link ReleaseSlot} that gives the slot
   * back when the slot is granted, or with the milliseconds to wait before asking again: every
   * slot is held. A slot not given back within `holdMs` (its process died) is free again after
   * it. The router asks before each attempt (a batch takes one slot), after its own pacing let it
   * through and before {@link Store.takeStart}, and gives the slot back once the attempt settled;
   * when the call fails (the store is unreachable), the attempt goes on under the process's own
   * concurrency. Without it, each process bounds its own attempts in flight.
   */
  takeSlot?(key: string, limit: number, holdMs: number): Promise<ReleaseSlot | number>
  /**
   * Optional, with {@link Store.watch}: one probe per fleet. Claims the probe of the integration
   * `key`'s open circuit (a tenant and integration id, as the router names them) for the delivery
   * `deliveryId`, for `ms`: see {@link ProbeClaim}. The router asks before it makes a delivery the
   * probe, from the synchronous admission of a delivery, hence a synchronous answer. When the call
   * throws (the store is unreachable), no probe is sent and the router asks again at its next
   * probe timer. Without it, each process probes on its own.
   */
  claimProbe?(key: string, deliveryId: string, ms: number): ProbeClaim
  /**
   * Optional, with {@link Store.watch}: one failure count per fleet, so that the circuit of the
   * integration `key` (a tenant and integration id, as the router names them: `scopedKey()`)
   * opens after `failureThreshold` consecutive failures seen by the fleet, not by each process.
   * `failing`: atomically adds one to the fleet's consecutive failures of `key` and returns the
   * new count. `healthy`: resets the count to 0 and returns 0. A `deleteHealth` of the
   * integration resets it too (its failures were about a config that is gone), and a count no
   * failure added to for a long time may expire. The router asks from the synchronous record of
   * an outcome, hence a synchronous answer; a success resets the count only when it may be
   * non-zero. When the call throws (the store is unreachable), the router counts the process's
   * own failures and resets the fleet's count at a later success. Without it, each process
   * counts its own failures.
   */
  countFailures?(key: string, outcome: 'failing' | 'healthy'): number
}

/**
 * Gives back a slot that {@link Store.takeSlot} granted; calling it again does nothing. Its
 * failure is ignored by the router: the slot is then free again once its `holdMs` has passed.
 */
export type ReleaseSlot = () => Promise<void>

/**
 * The answer of {@link Store.claimProbe}. `claimed`: nobody held the probe, now `deliveryId` does
 * until `ms` pass. `held`: `deliveryId` already held it (a process redelivered it as the probe,
 * and whichever process claims that delivery may send it). `lost`: another delivery holds it.
 */
export type ProbeClaim = 'claimed' | 'held' | 'lost'

/** The starts an integration allows, across a fleet (see {@link Store.takeStart}); `null`: no limit. */
export interface StartLimits {
  /** Attempt starts per second, or `null`. */
  readonly perSecond: number | null
  /** Attempt starts per minute, or `null`. */
  readonly perMinute: number | null
}

/**
 * What {@link Store.watch} reports. `deliveries`: some queues have deliveries to claim (written by
 * another process, or given back when a process died). `configuration`: the integrations,
 * subscriptions or event switches changed. `health`: integration health records (circuits, pauses)
 * changed. A store that may have missed changes (it was disconnected) reports `deliveries` and
 * `health`, which only make the router read again what it does not hold for certain.
 */
export type StoreChange =
  | {
      /** Deliveries were written or given back. */
      readonly type: 'deliveries'
      /**
       * The queues (see {@link DeliveryRecord.queue}) that have deliveries to claim; empty when
       * the store cannot tell which, as after a reconnection. The router reads the summary of
       * every queue either way.
       */
      readonly queues: readonly string[]
    }
  | {
      /** Integrations, subscriptions or event switches changed: the router loads the configuration again. */
      readonly type: 'configuration'
    }
  | {
      /**
       * Another process changed integration health (a circuit opened or closed, a pause): the
       * router loads health again and adopts what is newer than its own.
       */
      readonly type: 'health'
    }

/** What {@link Store.claimDue} returns. */
export interface ClaimedDeliveries {
  /** The deliveries claimed, earliest `notBefore` first. */
  readonly records: readonly DeliveryRecord[]
  /**
   * The earliest `notBefore` among the deliveries of the queue still unclaimed after this claim,
   * or `null` when none is left.
   */
  readonly nextDueAt: number | null
}

/** One change, as part of a batch given to {@link Store.write}. */
export type StoreOperation =
  | {
      /** Inserts or replaces an integration, keyed by its `tenant` and `id`. */
      readonly type: 'putIntegration'
      /** The integration to keep. */
      readonly integration: StoredIntegration
    }
  | {
      /**
       * Removes an integration; an unknown one is ignored. Integrations are keyed by tenant and
       * id: two tenants may use the same id.
       */
      readonly type: 'deleteIntegration'
      /** The tenant the integration belongs to, or `null` for the platform. */
      readonly tenant: string | null
      /** The integration's id within its tenant. */
      readonly id: string
    }
  | {
      /** Inserts or replaces a subscription, keyed by its `tenant` and `id`. */
      readonly type: 'putSubscription'
      /** The subscription to keep. */
      readonly subscription: StoredSubscription
    }
  | {
      /** Removes a subscription, keyed by tenant and id; an unknown one is ignored. */
      readonly type: 'deleteSubscription'
      /** The tenant the subscription belongs to, or `null` for the platform. */
      readonly tenant: string | null
      /** The subscription's id within its tenant. */
      readonly id: string
    }
  | {
      /**
       * Stores whether an event type is on in one tenant (`events.disable()`, `events.enable()`),
       * keyed by tenant and name; only the ones switched off need to be kept.
       */
      readonly type: 'putEventSwitch'
      /** The tenant whose switch this is, or `null` for the platform's. */
      readonly tenant: string | null
      /** The event name, e.g. `wallet.coins_rewarded`. */
      readonly name: string
      /** `false`: the event type is switched off; `true`: on again, so the stored switch can go. */
      readonly enabled: boolean
    }
  | {
      /** Inserts or replaces a pending delivery, keyed by its `id`. */
      readonly type: 'putDelivery'
      /** The delivery, with its attempts so far and the time before which it must not run. */
      readonly record: DeliveryRecord
      /**
       * Whether this process holds it: `true` while it is being attempted here; `false` gives it
       * back, so that {@link Store.claimDue} can return it again.
       */
      readonly claimed: boolean
    }
  | {
      /** Removes a pending delivery (it settled); an unknown id is ignored. */
      readonly type: 'deleteDelivery'
      /** The delivery id. */
      readonly id: string
    }
  | {
      /** Inserts or replaces a dead letter, keyed by its `id` (the delivery id). */
      readonly type: 'putDeadLetter'
      /** The dead letter to keep. */
      readonly letter: DeadLetter
    }
  | {
      /** Removes a dead letter (redelivered or discarded); an unknown id is ignored. */
      readonly type: 'deleteDeadLetter'
      /** The dead letter's id, which is its delivery's id. */
      readonly id: string
    }
  | {
      /** Inserts or replaces an integration's health, keyed by its `tenant` and `integrationId`. */
      readonly type: 'putHealth'
      /** The health record to keep. */
      readonly health: IntegrationHealth
    }
  | {
      /**
       * Removes an integration's health (the integration was removed, or its config edited), and
       * with it the fleet's failure count of the integration (see {@link Store.countFailures}); an
       * unknown one is ignored.
       */
      readonly type: 'deleteHealth'
      /** The tenant the integration belongs to, or `null` for the platform. */
      readonly tenant: string | null
      /** The integration's id within its tenant. */
      readonly integrationId: string
    }
  | {
      /**
       * Remembers an accepted event, keyed by its `tenant` and `eventId`, so that emitting it
       * again is idempotent.
       */
      readonly type: 'putAcceptedEvent'
      /** The event and the deliveries it was given. */
      readonly event: AcceptedEvent
    }
  | {
      /** Forgets old accepted events: those older than the router's `eventIdRetentionMs`. */
      readonly type: 'pruneAcceptedEvents'
      /** Epoch ms: every accepted event whose `acceptedAt` is before it is forgotten. */
      readonly before: number
    }

/**
 * A delivery that has not settled: waiting for its first attempt, in flight, or waiting to retry.
 * Everything the router needs to go on with it after a restart, as plain JSON; the timers and
 * promises of a running process are only a cache of it.
 */
export interface DeliveryRecord {
  /** The delivery id (also `delivery.id`): the idempotency key. */
  readonly id: string
  /** The tenant that owns the delivery's integration (its scope), or `null` for the platform. */
  readonly tenant: string | null
  /**
   * The queue the delivery waits in: what {@link Store.claimDue} claims by and
   * {@link Store.pendingSummary} counts by. Opaque to stores. The router names one queue per
   * integration and, for an integration of the platform's that receives every tenant's events,
   * one per emitting tenant, so that one tenant's backlog cannot hold up another's.
   */
  readonly queue: string
  /** The delivery itself, as the router reports it in its events and results. */
  readonly delivery: Delivery
  /** The event it carries, so that the request can be built again after a restart. */
  readonly event: DeliveryRecordEvent
  /**
   * Attempts counted against the retry budget, across processes: one is counted when it is
   * claimed to be attempted, so an attempt in flight when a process died is counted once and made
   * again (with the same delivery id) by the next process.
   */
  readonly attempts: number
  /** Retries used up (throttled answers within `throttledRetries` do not use one). */
  readonly retriesUsed: number
  /** Throttled answers (429) retried without using up a retry. */
  readonly throttledUsed: number
  /** Every attempt made so far, in order. */
  readonly history: readonly AttemptRecord[]
  /** Epoch ms before which it must not be attempted (a retry's backoff, a `Retry-After`). */
  readonly notBefore: number
  /** The factor in [1, 2) this delivery's backoff delays are multiplied by (jitter), kept so a restart resumes the same schedule. */
  readonly jitter: number
  /** How many times it was redelivered from the dead letters. */
  readonly redeliveries: number
  /** When the router accepted it (epoch ms). */
  readonly createdAt: number
  /** When its first attempt started (epoch ms), or `null` before that. */
  readonly firstAttemptAt: number | null
  /**
   * The span active when the event was emitted (or the dead letter redelivered), as W3C Trace
   * Context, so that the delivery's span links to it even after a restart. Only with the router's
   * `telemetry` option; absent otherwise. Stores keep it as they keep the rest of the record.
   */
  readonly traceContext?: TraceContext
}

/** The event a pending delivery carries. */
export interface DeliveryRecordEvent {
  /** The tenant that emitted it, or `null` for a platform event. */
  readonly tenant: string | null
  /** The event id: the one given to `emit()`, else one the router generated. */
  readonly id: string
  /** The name it was emitted with, e.g. `wallet.coins_rewarded`. */
  readonly name: string
  /** The name sent to the destination: the subscription's prefix, then the catalog title or the name. */
  readonly outgoingName: string
  /** The payload it was emitted with. */
  readonly payload: Readonly<Record<string, unknown>>
  /** When the event happened, epoch ms. */
  readonly occurredAt: number
}

/** An event the router accepted, remembered by its id so that emitting it again makes no new deliveries. */
export interface AcceptedEvent {
  /** The tenant that emitted it, or `null` for a platform event: event ids are unique per tenant. */
  readonly tenant: string | null
  /** The id it was emitted with. */
  readonly eventId: string
  /** The deliveries it was given, with their ids (possibly none). */
  readonly deliveries: readonly Delivery[]
  /** When it was accepted (epoch ms). */
  readonly acceptedAt: number
}

/** The configuration a store keeps. */
export interface StoredConfiguration {
  /** Every integration, of every tenant. */
  readonly integrations: readonly StoredIntegration[]
  /** Every subscription, of every tenant. */
  readonly subscriptions: readonly StoredSubscription[]
  /** Event types switched off, per tenant. */
  readonly disabledEvents: readonly {
    /** The tenant that switched it off, or `null` for the platform. */
    readonly tenant: string | null
    /** The event name. */
    readonly name: string
  }[]
}

/**
 * An integration as stored: its config without its secret fields, which travel sealed in
 * `secrets` (encrypted with the host's key, or left with the host), never in plain text unless the
 * host asked for it.
 */
export interface StoredIntegration {
  /** The tenant it belongs to, or `null` for the platform's own. */
  readonly tenant: string | null
  /** Its id, unique within its tenant. */
  readonly id: string
  /** Its adapter's type, e.g. `webhook`. */
  readonly type: string
  /** Its human-readable name, or `null`. */
  readonly name: string | null
  /** The adapter config without its secret fields. */
  readonly config: Readonly<Record<string, unknown>>
  /** The secret config fields, sealed. */
  readonly secrets: SealedSecrets
  /** Whether it receives deliveries. */
  readonly enabled: boolean
  /** Why the router disabled it by itself (a `410 Gone`), or `null`. */
  readonly disabledReason: string | null
  /** Its pacing over its adapter's defaults, or `null` for the adapter's. */
  readonly pacing: Readonly<Pacing> | null
  /** Its batching over its adapter's; absent for the adapter's. */
  readonly batching?: Readonly<Batching>
  /** ISO-8601 creation time. */
  readonly createdAt: string
  /** ISO-8601 time of the last change. */
  readonly updatedAt: string
}

/**
 * The secret config fields of a stored integration: encrypted (AES-256-GCM, with the id of the
 * key), left with the host (resolved again at `start()`), or in plain text when the host chose so.
 */
export type SealedSecrets =
  | {
      /** Encrypted with one of the host's `secrets.keys`. */
      readonly format: 'aes-256-gcm'
      /** Id of the host key that sealed them. */
      readonly keyId: string
      /** base64 of the 12-byte IV. */
      readonly iv: string
      /** base64 of the ciphertext of the JSON of the secret fields. */
      readonly data: string
      /** base64 of the 16-byte authentication tag. */
      readonly tag: string
    }
  | {
      /** Not stored: the host's `secrets.resolve` gives them at `start()`. */
      readonly format: 'external'
    }
  | {
      /** Stored in plain text (`secrets: 'plaintext'`, or a store that is not durable). */
      readonly format: 'plain'
      /** The secret config fields, by name. */
      readonly values: Readonly<Record<string, unknown>>
    }

/** A subscription as stored. */
export interface StoredSubscription {
  /** The tenant it belongs to, or `null` for the platform's (which receives every tenant's events). */
  readonly tenant: string | null
  /** Its id, unique within its tenant. */
  readonly id: string
  /** The event name(s) it receives, or `'*'`. */
  readonly event: EventSelector
  /** The integration it delivers to, in the same tenant. */
  readonly integrationId: string
  /** Its filter, as JSON; `{}` matches every event. See docs/filters.md. */
  readonly filter: Readonly<Record<string, unknown>>
  /** Prepended to the outgoing event name, or `null`. */
  readonly eventNamePrefix: string | null
  /** Whether it receives events. */
  readonly enabled: boolean
  /** ISO-8601 creation time. */
  readonly createdAt: string
  /** ISO-8601 time of the last change. */
  readonly updatedAt: string
}

/**
 * What the router knows about an integration's health beyond its config: its circuit breaker and
 * throttling pause. Kept so that a restart neither hammers a destination that was failing nor
 * ignores a `Retry-After` it was given.
 */
export interface IntegrationHealth {
  /** The integration it describes. */
  readonly integrationId: string
  /** The tenant the integration belongs to, or `null` for the platform. */
  readonly tenant: string | null
  /** `closed`: deliveries go; `open`: parked until `probeAt`; `half-open`: one probe is out. */
  readonly circuit: 'closed' | 'open' | 'half-open'
  /** Consecutive deliveries that ran out of retries. */
  readonly consecutiveFailures: number
  /** When an open circuit lets its probe through (epoch ms), else `null`. */
  readonly probeAt: number | null
  /** The delivery sent as the probe while half-open, else `null`. */
  readonly probeDeliveryId: string | null
  /** Until when the destination asked not to be sent anything (a 429's `Retry-After`), epoch ms, else `null`. */
  readonly pausedUntil: number | null
  /** The config the circuit judged, as a fingerprint: a config edit resets the circuit. */
  readonly configFingerprint: string | null
  /**
   * When the circuit last opened or closed (epoch ms); absent in records written before it was
   * kept. Across a fleet, the circuit state with the latest change wins (see {@link Store.claimProbe}).
   */
  readonly circuitChangedAt?: number
}

/** Pending deliveries of one queue, as {@link Store.pendingSummary} reports them. */
export interface PendingSummary {
  /** The queue (see {@link DeliveryRecord.queue}). */
  readonly queue: string
  /** Deliveries pending, claimed or not. */
  readonly pending: number
  /** Of those, the ones not claimed. */
  readonly unclaimed: number
  /** The earliest `notBefore` among the unclaimed ones, or `null` when all are claimed. */
  readonly nextDueAt: number | null
}
