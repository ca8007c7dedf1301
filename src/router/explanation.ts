import type { FailedClause } from '../filters/explain-filter.js'
import type { SkipReason } from './router-events.js'

/** What `explain()` says about one subscription of the event. */
export interface SubscriptionExplanation {
  /** The subscription explained. */
  readonly subscriptionId: string
  /** The integration it delivers to. */
  readonly integrationId: string
  /** The name the destination would receive (prefix included). */
  readonly outgoingName: string
  /** Whether `emit()` would deliver the event to this subscription now. */
  readonly wouldDeliver: boolean
  /** Why not, or `null` when it would. */
  readonly reason: SkipReason | null
  /** For `filter_not_matched`: the first failing top-level clause and the value found. */
  readonly failedClause: FailedClause | null
}

/** What `explain()` returns: a dry run of `emit()` that sends nothing. */
export interface Explanation {
  /** The event name explained, as given to `explain()`. */
  readonly eventName: string
  /** Whether the event type is switched on. */
  readonly eventEnabled: boolean
  /** Every subscription of the event (wildcards included), in routing order. */
  readonly subscriptions: readonly SubscriptionExplanation[]
}
