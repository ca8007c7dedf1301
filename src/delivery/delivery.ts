import type { DeliveryError } from '../errors/delivery-error.js'
import type { TraceContext } from '../observability/trace-context.js'

/**
 * One routed event on its way to one integration, through one subscription.
 * `id` is stable across the attempts of the delivery: adapters use it as the
 * idempotency key (`webhook-id`, Klaviyo `unique_id`, ...).
 */
export interface Delivery {
  /** Delivery id, stable across retries (idempotency key). */
  readonly id: string
  /** The tenant that owns the integration (and subscription) it goes through, or `null` for the platform. */
  readonly tenant: string | null
  /** Id of the emitted event. */
  readonly eventId: string
  /** Name the event was emitted with, e.g. `wallet.coins_rewarded`. */
  readonly eventName: string
  /** Name sent to the destination: the subscription's prefix + the event name. */
  readonly outgoingName: string
  /** The subscription that matched. */
  readonly subscriptionId: string
  /** The integration it goes to. */
  readonly integrationId: string
  /** The integration's adapter type. */
  readonly integrationType: string
}

/** Why a delivery failed for good. */
export type DeliveryFailureReason =
  /** The destination answered something retrying cannot fix (most 4xx, 3xx), or the request could not be built. */
  | 'not_retryable'
  /** Every attempt failed: the first one and all retries. */
  | 'retries_exhausted'
  /** `close()` was called while the delivery was queued, waiting to retry, or still in flight at the deadline. */
  | 'shutdown'
  /** Parked without an attempt: the integration's circuit is open after repeated failures. */
  | 'circuit_open'
  /** Parked without an attempt: the integration was disabled (by you, or by a `410 Gone`) or removed. */
  | 'integration_disabled'
  /** Not queued: `maxPending` deliveries were already pending and the policy is `deadLetter`. */
  | 'backpressure'

/** How one delivery ended. Every delivery ends in exactly one result. */
export type DeliveryResult = DeliverySucceeded | DeliveryFailed

/** One attempt of a delivery, as recorded in its history. */
export interface AttemptRecord {
  /** Attempt number, starting at 1. */
  readonly attempt: number
  /** When it started (epoch ms). */
  readonly startedAt: number
  /** How long it took, in ms. */
  readonly durationMs: number
  /** HTTP status of the response, or `null` when there was none (network error, timeout). */
  readonly status: number | null
  /** `DeliveryError` code when the attempt failed, else `null`. */
  readonly errorCode: DeliveryError['code'] | null
  /**
   * Class of the underlying error when the attempt failed: what the transport or adapter threw
   * (`TypeError`, `AbortError`, `BlockedDestinationError`...), or `DeliveryError` for an HTTP
   * answer or a timeout with no other cause; `null` when the attempt succeeded.
   */
  readonly errorClass: string | null
  /** Error message when the attempt failed, else `null`. */
  readonly errorMessage: string | null
  /** The first 2 KB of the response body of a failed attempt, else `null`. */
  readonly responseBodyExcerpt: string | null
  /**
   * The request's method and URL, the URL with credentials and secret query values redacted:
   * recorded only with the `telemetry` option (for the attempt's span), absent otherwise and when
   * no request could be built.
   */
  readonly request?: AttemptRequest
}

/** What {@link AttemptRecord.request} keeps of a request: never its headers or body. */
export interface AttemptRequest {
  /** The HTTP method, e.g. `POST`. */
  readonly method: string
  /** The URL, with user, password, secret query values and the integration's credentials redacted. */
  readonly url: string
  /** The destination's host name, or `null` when it is itself a credential. */
  readonly serverAddress: string | null
  /** The destination's port: the URL's, else the scheme's default (443, 80). */
  readonly serverPort: number
}

interface DeliveryResultBase {
  /** The delivery this is the result of. */
  readonly delivery: Delivery
  /** Number of attempts made (1 = no retry). */
  readonly attempts: number
  /** Every attempt, in order. */
  readonly history: readonly AttemptRecord[]
  /** When the first attempt started (epoch ms). */
  readonly startedAt: number
  /** Total time from the first attempt to the outcome, retry waits included, in ms. */
  readonly durationMs: number
  /** The trace context active when the event was emitted, when the `telemetry` option captured one. */
  readonly traceContext?: TraceContext
}

/** A delivery the destination accepted. */
export interface DeliverySucceeded extends DeliveryResultBase {
  /** Always `'succeeded'`: switch on it to tell a success from a {@link DeliveryFailed}. */
  readonly status: 'succeeded'
  /** HTTP status of the accepting response. */
  readonly responseStatus: number
}

/** A delivery that failed for good. */
export interface DeliveryFailed extends DeliveryResultBase {
  /** Always `'failed'`: switch on it to tell a failure from a {@link DeliverySucceeded}. */
  readonly status: 'failed'
  /** Why no further attempt was made. */
  readonly reason: DeliveryFailureReason
  /** The error of the last attempt. */
  readonly error: DeliveryError
}
