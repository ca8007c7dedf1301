import type { Catalog } from '../catalog/catalog.js'
import type { DeadLetters } from '../dead-letters/dead-letters.js'
import type { EventSwitches } from '../events/event-switches.js'
import type { Integrations } from '../integrations/integration-registry.js'
import type { CatalogView } from '../router/catalog-view.js'
import type { EventRouter } from '../router/event-router.js'
import type { Explanation } from '../router/explanation.js'
import type { Subscriptions } from '../subscriptions/subscription-registry.js'

/**
 * What every admin route works through: the router itself for the platform scope, or
 * `router.tenant(id)` for a tenant. Both have this shape; a tenant's view sees nothing of the
 * other tenants (their ids answer as ids that do not exist), so neither does the route.
 */
export interface AdminScope {
  readonly integrations: Integrations
  readonly subscriptions: Subscriptions
  readonly events: EventSwitches
  readonly deadLetters: DeadLetters
  readonly catalog: CatalogView
  /** Untyped here: names and payloads come from requests, and the router validates them. */
  explain(name: string, payload: unknown): Explanation
  /** Delivery statistics, on routers that have them (checked at each request). */
  readonly stats?: () => unknown
}

/** The scope of one authorization. Throws the router's `ValidationError` for an invalid tenant id. */
export function scopeOf<C extends Catalog | undefined>(
  router: EventRouter<C>,
  tenant: string | null,
): AdminScope {
  // `explain()` is typed by the router's catalog; the routes pass request data, which it validates.
  return (tenant === null ? router : router.tenant(tenant)) as unknown as AdminScope
}
