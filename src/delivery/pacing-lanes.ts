import type { IntegrationRecord } from '../integrations/integration-registry.js'
import { lanePacing } from './batching.js'
import { type FleetPacing, IntegrationLane, type ParkReason } from './integration-lane.js'
import type { ResolvedPacing } from './pacing.js'

/** What the lanes need from the rest of the router. Integrations are known by key (`scopedKey(tenant, id)`). */
export interface PacingLanesDeps {
  /** Whether a delivery may make an attempt now, or why it is parked. */
  readonly admit: (key: string, deliveryId: string) => ParkReason | undefined
  /** A throttled answer paused (or extended the pause of) an integration's lane. */
  readonly onThrottle: (key: string, pauseMs: number) => void
  /** An attempt left an integration's lane: there is room for another. */
  readonly onRoom: (key: string) => void
  /** The fleet's pacing of an integration, when the store is shared by several processes. */
  readonly fleet?: (key: string, pacing: ResolvedPacing) => FleetPacing | undefined
}

/**
 * Owns one {@link IntegrationLane} per integration: its pacing (concurrency, per-second and
 * per-minute limits) and its throttling pause. A lane is built again when its integration's
 * pacing changes; attempts already in the old one drain at the old pace, and `stop()` still
 * reaches them.
 */
export class PacingLanes {
  readonly #deps: PacingLanesDeps
  readonly #lanes = new Map<string, IntegrationLane>()
  readonly #retired = new Set<IntegrationLane>()
  // Integration records are replaced on every change: the same record always maps to the same lane.
  readonly #laneOfRecord = new WeakMap<IntegrationRecord, IntegrationLane>()

  constructor(deps: PacingLanesDeps) {
    this.#deps = deps
  }

  /** The lane of an integration, built again when its pacing changed. */
  laneFor(integration: IntegrationRecord): IntegrationLane {
    const known = this.#laneOfRecord.get(integration)
    if (known) return known
    const id = integration.key
    const pacing = lanePacing(integration)
    let lane = this.#lanes.get(id)
    if (
      !lane ||
      lane.pacing.concurrency !== pacing.concurrency ||
      lane.pacing.perSecond !== pacing.perSecond ||
      lane.pacing.perMinute !== pacing.perMinute
    ) {
      if (lane) this.#retire(lane)
      lane = new IntegrationLane(
        pacing,
        (deliveryId) => this.#deps.admit(id, deliveryId),
        (pauseMs) => this.#deps.onThrottle(id, pauseMs),
        () => this.#deps.onRoom(id),
        this.#deps.fleet?.(id, pacing),
      )
      this.#lanes.set(id, lane)
    }
    this.#laneOfRecord.set(integration, lane)
    return lane
  }

  /** Attempts of an integration waiting for a slot or in flight, in its current lane. */
  load(key: string): number {
    return this.#lanes.get(key)?.load ?? 0
  }

  /** Attempts of an integration in flight, in its current lane. */
  inFlight(key: string): number {
    return this.#lanes.get(key)?.inFlight ?? 0
  }

  /** Parks every attempt of an integration still waiting for a slot (circuit open, integration disabled). */
  cancel(key: string, reason: ParkReason): void {
    this.#lanes.get(key)?.cancel(reason)
  }

  /** Forgets the lane of a removed integration, once what waits in it is parked. */
  remove(key: string): void {
    const lane = this.#lanes.get(key)
    if (!lane) return
    lane.cancel('integration_disabled')
    this.#lanes.delete(key)
  }

  /** First step of shutdown: no lane starts another attempt. Resolves once the attempts in flight are done. */
  stop(): Promise<void> {
    return Promise.all(this.#all().map((lane) => lane.stop())).then(() => {})
  }

  /** Parks everything still waiting in any lane (shutdown). */
  cancelAll(reason: ParkReason): void {
    for (const lane of this.#all()) lane.cancel(reason)
  }

  #all(): IntegrationLane[] {
    return [...this.#lanes.values(), ...this.#retired]
  }

  /** Keeps a replaced lane until it has drained, so that stop() can still reach it. */
  #retire(lane: IntegrationLane): void {
    this.#retired.add(lane)
    void lane.drained().then(() => this.#retired.delete(lane))
  }
}
