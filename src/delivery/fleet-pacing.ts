import type { Store } from '../stores/store.js'
import type { FleetPacing } from './integration-lane.js'
import type { ResolvedPacing } from './pacing.js'

/**
 * The fleet's pacing of one integration, from a store that several processes share (its
 * `takeStart` and `pauseStarts`), or `undefined` when the store paces nothing: each process then
 * paces on its own. A store that cannot answer (Redis unreachable) never holds an attempt back:
 * the process's own pacing still applies, and the attempt's own write reports the store's failure.
 */
export function fleetPacing(store: Store, key: string, pacing: ResolvedPacing): FleetPacing | undefined {
  const { takeStart, pauseStarts } = store
  if (takeStart === undefined || pauseStarts === undefined) return undefined
  const limits = { perSecond: pacing.perSecond, perMinute: pacing.perMinute }
  return {
    take: () => takeStart.call(store, key, limits).catch(() => 0),
    pause: (ms) => {
      pauseStarts.call(store, key, ms).catch(() => {})
    },
  }
}
