import type { Store } from '../stores/store.js'
import type { FleetPacing } from './integration-lane.js'
import type { ResolvedPacing } from './pacing.js'

/**
 * How much longer than the attempt timeout a fleet slot is held at most: an attempt settles at
 * its timeout, so only a process that died (or stalled) keeps a slot that long.
 */
export const SLOT_HOLD_MARGIN_MS = 1000

const noRelease = () => {}

/**
 * The fleet's pacing of one integration, from a store that several processes share (its
 * `takeSlot`, `takeStart` and `pauseStarts`), or `undefined` when the store paces nothing: each
 * process then paces on its own. A store that cannot answer (Redis unreachable) never holds an
 * attempt back: the process's own pacing still applies, and the attempt's own write reports the
 * store's failure.
 *
 * @param attemptTimeoutMs the router's attempt timeout: a slot is held at most that long, plus
 * {@link SLOT_HOLD_MARGIN_MS}
 */
export function fleetPacing(
  store: Store,
  key: string,
  pacing: ResolvedPacing,
  attemptTimeoutMs: number,
): FleetPacing | undefined {
  const { takeSlot, takeStart, pauseStarts } = store
  const starts = takeStart !== undefined && pauseStarts !== undefined
  if (takeSlot === undefined && !starts) return undefined
  const limits = { perSecond: pacing.perSecond, perMinute: pacing.perMinute }
  const holdMs = attemptTimeoutMs + SLOT_HOLD_MARGIN_MS
  return {
    slot: () =>
      takeSlot === undefined
        ? Promise.resolve(noRelease)
        : takeSlot.call(store, key, pacing.concurrency, holdMs).then(
            (taken) =>
              typeof taken === 'number'
                ? taken
                : () => {
                    // Not given back: the slot is free again once `holdMs` has passed.
                    taken().catch(() => {})
                  },
            () => noRelease,
          ),
    take: () =>
      takeStart === undefined || !starts
        ? Promise.resolve(0)
        : takeStart.call(store, key, limits).catch(() => 0),
    pause: (ms) => {
      if (pauseStarts !== undefined && starts) pauseStarts.call(store, key, ms).catch(() => {})
    },
  }
}
