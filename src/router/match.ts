import type { IntegrationRecord } from '../integrations/integration-registry.js'
import type { SubscriptionRecord } from '../subscriptions/subscription-registry.js'
import type { SkipReason } from './router-events.js'

/** Where `match()` looks things up. */
export interface MatchSources {
  /** A tenant's subscriptions of exactly this event name. */
  forEvent(tenant: string | null, name: string): readonly SubscriptionRecord[]
  /** A tenant's subscriptions to `'*'`. */
  wildcard(tenant: string | null): readonly SubscriptionRecord[]
  /** A tenant's integration with this id, or `undefined`. */
  integration(tenant: string | null, id: string): IntegrationRecord | undefined
  /** Whether the event type is switched on for a tenant (its own switch; the platform's is asked apart). */
  eventEnabled(tenant: string | null, name: string): boolean
}

/** A subscription that matched, with the integration it delivers to. */
export interface MatchTarget {
  readonly subscription: SubscriptionRecord
  readonly integration: IntegrationRecord
}

/** A subscription that did not match, and why. */
export interface MatchSkip {
  readonly subscription: SubscriptionRecord
  readonly reason: SkipReason
  /** What the filter threw, for `filter_error`. */
  readonly error?: unknown
}

/** What `match()` found. */
export interface MatchResult {
  readonly targets: readonly MatchTarget[]
  /** Only filled when asked for (a dry run, or someone listens to `eventSkipped`). */
  readonly skipped: readonly MatchSkip[]
  /** Filters that threw, always reported. */
  readonly filterErrors: readonly MatchSkip[]
}

const NOTHING: MatchResult = Object.freeze({ targets: [], skipped: [], filterErrors: [] })

/**
 * Which subscriptions receive event `name` emitted by `tenant` (`null`: a platform event), and why
 * the others do not. The emitting tenant's own subscriptions come first (exact name, then `'*'`),
 * then the platform's, which receive every tenant's events; no other tenant's subscription is ever
 * looked at, so the cost depends on this tenant's subscriptions, not on how many tenants there
 * are. Pure: the same sources and payload give the same answer; shared by `emit()` and `explain()`.
 */
export function match(
  sources: MatchSources,
  tenant: string | null,
  name: string,
  payload: Readonly<Record<string, unknown>>,
  withSkips: boolean,
): MatchResult {
  const platformOn = sources.eventEnabled(null, name)
  const own = tenant === null ? undefined : [sources.forEvent(tenant, name), sources.wildcard(tenant)]
  const platform = [sources.forEvent(null, name), sources.wildcard(null)]
  let targets: MatchTarget[] | undefined
  let skipped: MatchSkip[] | undefined
  let filterErrors: MatchSkip[] | undefined
  for (let scope = 0; scope < 2; scope++) {
    const lists = scope === 0 ? own : platform
    if (lists === undefined) continue
    // A tenant's switch turns the event off for its own subscriptions; the platform's, for everyone.
    const on = scope === 0 ? platformOn && sources.eventEnabled(tenant, name) : platformOn
    for (const list of lists) {
      for (const subscription of list) {
        const integration = sources.integration(subscription.tenant, subscription.subscription.integrationId)
        const reason = judge(integration, subscription, payload, on)
        if (reason === undefined) {
          targets ??= []
          targets.push({ subscription, integration: integration as IntegrationRecord })
          continue
        }
        if (reason !== 'filter_error') {
          if (withSkips) {
            skipped ??= []
            skipped.push({ subscription, reason })
          }
          continue
        }
        const skip: MatchSkip = { subscription, reason, error: filterError(subscription, payload) }
        if (withSkips) {
          skipped ??= []
          skipped.push(skip)
        }
        filterErrors ??= []
        filterErrors.push(skip)
      }
    }
  }
  if (targets === undefined && skipped === undefined && filterErrors === undefined) return NOTHING
  return {
    targets: targets ?? NOTHING.targets,
    skipped: skipped ?? NOTHING.skipped,
    filterErrors: filterErrors ?? NOTHING.filterErrors,
  }
}

/**
 * Whether `subscription` receives `payload` through `integration` (its integration, looked up):
 * the event type must be on, the subscription and its integration enabled, and its filter must
 * match. `undefined` means it does; otherwise the reason it does not. The one decision behind
 * `emit()` and `explain()`.
 */
export function judge(
  integration: IntegrationRecord | undefined,
  subscription: SubscriptionRecord,
  payload: Readonly<Record<string, unknown>>,
  eventEnabled: boolean,
): SkipReason | undefined {
  if (!integration) return 'integration_disabled'
  if (!eventEnabled) return 'event_disabled'
  if (!subscription.subscription.enabled) return 'subscription_disabled'
  if (!integration.integration.enabled) return 'integration_disabled'
  try {
    return subscription.matches(payload) ? undefined : 'filter_not_matched'
  } catch {
    return 'filter_error'
  }
}

/** What the filter of `subscription` throws on `payload` (it did, a moment ago). */
function filterError(subscription: SubscriptionRecord, payload: Readonly<Record<string, unknown>>): unknown {
  try {
    subscription.matches(payload)
  } catch (error) {
    return error
  }
  return new Error('the filter threw, then did not')
}
