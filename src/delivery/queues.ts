import type { IntegrationRecord } from '../integrations/integration-registry.js'

/**
 * The queue a delivery waits in (`DeliveryRecord.queue`): its integration's key, and for an
 * integration of the platform's (which receives every tenant's events) one queue per emitting
 * tenant, so that the dispatcher takes turns between tenants and one tenant's backlog cannot hold
 * up another's event. `#` separates them: neither ids nor tenant ids can hold it, and every
 * store can keep it (a NUL would not fit a PostgreSQL text column).
 */
export function queueOf(integration: IntegrationRecord, eventTenant: string | null): string {
  return integration.tenant !== null || eventTenant === null
    ? integration.key
    : `${integration.key}#${eventTenant}`
}

/** The key of the integration a queue belongs to. */
export function integrationKeyOf(queue: string): string {
  const end = queue.indexOf('#')
  return end === -1 ? queue : queue.slice(0, end)
}

/**
 * The tenant whose events wait in a queue: the suffix of a platform integration's queue, else the
 * integration's own tenant (a tenant's integrations receive only that tenant's events).
 */
export function eventTenantOf(queue: string): string | null {
  const end = queue.indexOf('#')
  if (end !== -1) return queue.slice(end + 1)
  const slash = queue.indexOf('/')
  return slash <= 0 ? null : queue.slice(0, slash)
}
