import type { Filter } from '../filters/filter.js'

/** Which events a subscription receives: one name, several names, or `'*'` for every event. */
export type EventSelector = string | readonly string[]

/** A subscription: this event, to that integration, when this filter matches, under this name. */
export interface Subscription {
  /** Unique id within its tenant. */
  readonly id: string
  /** The tenant it belongs to, or `null` for the platform's: a platform subscription receives the events of every tenant. */
  readonly tenant: string | null
  /** The event name(s) it receives, or `'*'`. */
  readonly event: EventSelector
  /** The integration it delivers to. */
  readonly integrationId: string
  /** Filter evaluated against the payload; `{}` matches everything. See docs/filters.md. */
  readonly filter: Filter
  /** Prepended to the event name sent to the destination, or `null`. */
  readonly eventNamePrefix: string | null
  /** Disabled subscriptions receive nothing. */
  readonly enabled: boolean
  /** ISO-8601 creation time. */
  readonly createdAt: string
  /** ISO-8601 time of the last change. */
  readonly updatedAt: string
}

/** Input of `router.subscriptions.create()`. */
export interface SubscriptionInput {
  /** Unique id. @default a random UUID */
  id?: string
  /** Event name, array of names, or `'*'`. */
  event: EventSelector
  /** Id of an existing integration. */
  integrationId: string
  /** @default {} (every event) */
  filter?: Filter
  /** Prefix of the outgoing event name, e.g. `'Loyalty '` (1–100 chars, no control characters). @default null */
  eventNamePrefix?: string | null
  /** @default true */
  enabled?: boolean
}

/** Input of `router.subscriptions.update()`; `eventNamePrefix: null` removes the prefix. */
export interface SubscriptionPatch {
  /** Event name, array of names, or `'*'`. */
  event?: EventSelector
  /** Id of an existing integration. */
  integrationId?: string
  /** The new filter; `{}` matches every event. */
  filter?: Filter
  /** The new prefix of the outgoing event name, or `null` to remove it. */
  eventNamePrefix?: string | null
  /** `false` stops the subscription receiving events, `true` starts it again. */
  enabled?: boolean
}

/** Query of `router.subscriptions.list()`. */
export interface SubscriptionQuery {
  /** Only subscriptions that receive this event (wildcard subscriptions included). */
  event?: string
  /** Only subscriptions delivering to this integration. */
  integrationId?: string
}
