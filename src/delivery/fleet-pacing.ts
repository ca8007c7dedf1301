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
  const { takeSlot } = store
  // takeStart and pauseStarts come as a pair (see Store.takeStart): one without the other is unused.
  const takeStart = store.pauseStarts === undefined ? undefined : store.takeStart
  const pauseStarts = store.takeStart === undefined ? undefined : store.pauseStarts
  if (takeSlot === undefined && takeStart === undefined) return undefined
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
                    // A failed release is ignored: the slot is free again once `holdMs` has passed.
                    taken().catch(() => {})
                  },
            () => noRelease,
          ),
    take: () =>
      takeStart === undefined ? Promise.resolve(0) : takeStart.call(store, key, limits).catch(() => 0),
    pause: (ms) => {
      pauseStarts?.call(store, key, ms).catch(() => {})
    },
  }
}
