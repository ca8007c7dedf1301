import type { DeadLetter } from '../dead-letters/dead-letter.js'
import type { DeliveryFailed, DeliverySucceeded } from '../delivery/delivery.js'
import type { AttemptFailure } from '../delivery/delivery-run.js'
import type { IntegrationDisabled, IntegrationSuspended } from '../delivery/health-monitor.js'
import type { EventRouterError } from '../errors/event-router-error.js'

export type { IntegrationDisabled, IntegrationSuspended }

/** Why a subscription did not receive an event. */
export type SkipReason =
  /** The subscription's filter did not match the payload. */
  | 'filter_not_matched'
  /** The filter threw while evaluating this payload (also reported on `error`). */
  | 'filter_error'
  /** The subscription is disabled. */
  | 'subscription_disabled'
  /** The event type is switched off (`router.events.disable`). */
  | 'event_disabled'
  /** The subscription's integration is disabled. */
  | 'integration_disabled'

/** Payload of the `eventSkipped` lifecycle event. */
export interface EventSkipped {
  /** The tenant that emitted the event, or `null` for a platform event. */
  readonly tenant: string | null
  /** The event's id: the one given to `emit()`, else the one the router generated. */
  readonly eventId: string
  /** The name the event was emitted with, e.g. `wallet.coins_rewarded`. */
  readonly eventName: string
  /** The subscriptions that did not receive the event, and why. */
  readonly skipped: readonly {
    /** The tenant the subscription belongs to (the emitter's, or `null`: the platform's). */
    readonly tenant: string | null
    /** The subscription that did not receive the event. */
    readonly subscriptionId: string
    /** The integration that subscription delivers to. */
    readonly integrationId: string
    /** Why it did not receive the event. */
    readonly reason: SkipReason
  }[]
}

/**
 * The router's lifecycle events (camelCase, unlike domain event names), in eventemitter3's
 * event-map form. Listen with `router.on(name, listener)`; a listener that throws or
 * rejects is reported on `error` and never breaks delivery.
 */
export interface RouterEvents {
  /** A delivery was accepted by its destination. */
  deliverySucceeded: [result: DeliverySucceeded]
  /** One attempt failed; `willRetry` and `delayMs` say what happens next. */
  attemptFailed: [failure: AttemptFailure]
  /** A delivery failed for good: `reason` says whether retrying could not help, retries ran out, or the router shut down. */
  deliveryFailed: [result: DeliveryFailed]
  /** Some subscriptions of an emitted event did not receive it. */
  eventSkipped: [skipped: EventSkipped]
  /** A failed or parked delivery was stored as a dead letter (`router.deadLetters`). */
  deliveryDeadLettered: [letter: DeadLetter]
  /** An integration's circuit opened after repeated failures: its deliveries are parked until a probe succeeds. */
  integrationSuspended: [suspension: IntegrationSuspended]
  /** A probe delivery succeeded: the integration's circuit is closed again. Redeliver what was parked meanwhile. */
  integrationResumed: [
    resumption: {
      /** The integration whose circuit closed. */
      readonly integrationId: string
      /** The tenant the integration belongs to, or `null` for the platform. */
      readonly tenant: string | null
    },
  ]
  /** The destination said the integration is gone (`410 Gone`): the router disabled it. */
  integrationDisabled: [disabled: IntegrationDisabled]
  /** The destination is rate-limiting an integration: its queue pauses for `pauseMs`. */
  integrationThrottled: [
    throttled: {
      /** The integration being rate-limited. */
      readonly integrationId: string
      /** The tenant the integration belongs to, or `null` for the platform. */
      readonly tenant: string | null
      /** How long its queue pauses, in ms (from the destination's `Retry-After` when it sent one). */
      readonly pauseMs: number
    },
  ]
  /** Something went wrong outside a delivery: a listener threw, a filter threw, the dead-letter store refused a letter. */
  error: [error: EventRouterError]
}

/** Name of a lifecycle event. */
export type RouterEventName = keyof RouterEvents
