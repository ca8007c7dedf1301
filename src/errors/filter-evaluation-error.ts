import { EventRouterError } from './event-router-error.js'

/**
 * Reported on `error` when a subscription's filter throws while evaluating a payload.
 * The event counts as not matching that subscription (skip reason `filter_error`).
 */
export class FilterEvaluationError extends EventRouterError {
  /** The subscription whose filter failed. */
  readonly subscriptionId: string
  /** The event being routed. */
  readonly eventId: string

  constructor(subscriptionId: string, eventId: string, cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause)
    super(
      'ERR_FILTER_EVALUATION',
      `The filter of subscription \`${subscriptionId}\` failed on event ${eventId}: ${detail}. Counted as no match.`,
      { cause },
    )
    this.name = 'FilterEvaluationError'
    this.subscriptionId = subscriptionId
    this.eventId = eventId
  }
}
