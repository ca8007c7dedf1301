import { integrationKeyOf } from '../delivery/queues.js'
import type { IntegrationRecord } from '../integrations/integration-registry.js'
import type { IntegrationHealth } from '../stores/store.js'
import type { DeliveryStats } from './delivery-stats.js'
import type { IntegrationStats, RouterStats } from './router-stats.js'

/** Where a stats snapshot reads the state the stages own, without a store call. */
export interface StatsSources {
  /** Every integration of every tenant, in the order they were added. */
  integrations(): Iterable<IntegrationRecord>
  /** Deliveries accepted and not settled, by queue. */
  pendingByQueue(): ReadonlyMap<string, number>
  /** Attempts in flight to the integration with this key. */
  inFlight(key: string): number
  /** The integration's health record, if it has one. */
  health(key: string): IntegrationHealth | undefined
  /** Outcomes and latencies counted from the lifecycle events. */
  readonly counts: DeliveryStats
  readonly now: () => number
}

/**
 * A snapshot of the integrations of one scope (a tenant's, or the platform's with `null`), or of
 * every scope with `undefined`: O(integrations + queues), no sort, no store call.
 */
export function snapshotStats(sources: StatsSources, scope: string | null | undefined): RouterStats {
  const now = sources.now()
  const pending = new Map<string, number>()
  for (const [queue, count] of sources.pendingByQueue()) {
    const key = integrationKeyOf(queue)
    pending.set(key, (pending.get(key) ?? 0) + count)
  }
  const { counts } = sources
  const integrations: IntegrationStats[] = []
  for (const record of sources.integrations()) {
    if (scope !== undefined && record.tenant !== scope) continue
    const { key } = record
    const health = sources.health(key)
    const pausedUntil = health?.pausedUntil ?? null
    integrations.push({
      integrationId: record.integration.id,
      tenant: record.tenant,
      type: record.adapter.type,
      enabled: record.integration.enabled,
      pending: pending.get(key) ?? 0,
      inFlight: sources.inFlight(key),
      lastMinute: counts.lastMinute(key),
      lastHour: counts.lastHour(key),
      latencyMs: counts.latency(key),
      circuit: health?.circuit ?? 'closed',
      pausedUntil: pausedUntil !== null && pausedUntil > now ? new Date(pausedUntil).toISOString() : null,
    })
  }
  return { at: new Date(now).toISOString(), integrations }
}
