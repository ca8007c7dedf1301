import { EventRouterError, type EventRouterErrorOptions } from './event-router-error.js'

/** Stable codes of delivery failures. */
export type DeliveryErrorCode =
  | 'ERR_HTTP_STATUS'
  | 'ERR_ATTEMPT_TIMEOUT'
  | 'ERR_NETWORK'
  | 'ERR_ADAPTER'
  | 'ERR_DELIVERY_ABORTED'
  | 'ERR_BLOCKED_DESTINATION'
  | 'ERR_CIRCUIT_OPEN'
  | 'ERR_INTEGRATION_DISABLED'
  | 'ERR_BACKPRESSURE'

/** Options of {@link DeliveryError}. */
export interface DeliveryErrorOptions extends EventRouterErrorOptions {
  /** Whether another attempt may succeed. */
  retryable: boolean
  /** HTTP status of the response, when there was one. */
  status?: number
  /** Wait asked for by the destination (`Retry-After`), in milliseconds. */
  retryAfterMs?: number
  /** The first bytes of the response body, for diagnosis. */
  responseBodyExcerpt?: string
  /** The destination is rate-limiting: the integration's queue pauses. @default false */
  throttled?: boolean
  /** The destination says the integration is gone (410): it is disabled. @default false */
  disablesIntegration?: boolean
}

/**
 * Why one delivery attempt failed. Reported on `attemptFailed` and `deliveryFailed`,
 * never thrown to the host application. `retryable` tells whether the router retried.
 */
export class DeliveryError extends EventRouterError {
  override readonly code: DeliveryErrorCode
  /** Whether another attempt may succeed (network errors, timeouts, 408/425/429/5xx). */
  readonly retryable: boolean
  /** HTTP status of the response, when there was one. */
  readonly status: number | undefined
  /** Wait asked for by the destination (`Retry-After`), in milliseconds. */
  readonly retryAfterMs: number | undefined
  /** The first bytes of the response body, for diagnosis. */
  readonly responseBodyExcerpt: string | undefined
  /** The destination was rate-limiting (a 429, or what the adapter said): the integration's queue paused and the attempt did not use up a retry. */
  readonly throttled: boolean
  /** The destination said the integration is gone (`410 Gone` from a webhook): the router disabled it. */
  readonly disablesIntegration: boolean

  constructor(code: DeliveryErrorCode, message: string, options: DeliveryErrorOptions) {
    super(code, message, options)
    this.name = 'DeliveryError'
    this.code = code
    this.retryable = options.retryable
    this.status = options.status
    this.retryAfterMs = options.retryAfterMs
    this.responseBodyExcerpt = options.responseBodyExcerpt
    this.throttled = options.throttled ?? false
    this.disablesIntegration = options.disablesIntegration ?? false
  }
}
