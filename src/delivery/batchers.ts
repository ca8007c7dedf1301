import type { IntegrationRecord } from '../integrations/integration-registry.js'
import { Batcher, type BatcherDeps } from './batcher.js'
import { resolveBatching } from './batching.js'
import { integrationKeyOf } from './queues.js'

/** Batches a batching integration keeps claimed beyond those in flight: one filling, one waiting. */
const SPARE_BATCHES = 2
/** Most batches of an integration counted as in flight for its claim window, whatever its concurrency. */
const MAX_BATCHES_IN_FLIGHT = 4

/**
 * Owns one {@link Batcher} per queue of the integrations that batch, so that a batch never
 * crosses integrations or tenants, and says how many more deliveries such an integration may
 * have claimed (enough to fill its batches, no more).
 */
export class Batchers {
  readonly #deps: BatcherDeps
  readonly #byQueue = new Map<string, Batcher>()
  readonly #byIntegration = new Map<string, Set<Batcher>>()

  constructor(deps: BatcherDeps) {
    this.#deps = deps
  }

  /** The batcher of deliveries in `queue`, or `undefined` when the integration sends one request per delivery. */
  gateFor(integration: IntegrationRecord, queue: string): Batcher | undefined {
    if (!resolveBatching(integration)) return undefined
    let batcher = this.#byQueue.get(queue)
    if (!batcher) {
      batcher = new Batcher(this.#deps)
      this.#byQueue.set(queue, batcher)
      const key = integrationKeyOf(queue)
      let set = this.#byIntegration.get(key)
      if (!set) {
        set = new Set()
        this.#byIntegration.set(key, set)
      }
      set.add(batcher)
    }
    return batcher
  }

  /**
   * How many more deliveries of a batching integration may be claimed, or `undefined` when it
   * does not batch (the lane's window applies): room for the batches in flight plus one being
   * filled and one waiting, less what its batchers hold.
   */
  window(integration: IntegrationRecord): number | undefined {
    const settings = resolveBatching(integration)
    if (!settings) return undefined
    let held = 0
    for (const batcher of this.#byIntegration.get(integration.key) ?? []) held += batcher.held
    const batches = Math.min(settings.pacing.concurrency, MAX_BATCHES_IN_FLIGHT) + SPARE_BATCHES
    return settings.maxItems * batches - held
  }

  /** Whether any batcher holds a delivery (in a batch being filled, waiting or in flight). */
  get busy(): boolean {
    for (const batcher of this.#byQueue.values()) if (batcher.held > 0) return true
    return false
  }

  /** close(): every open batch leaves now. Resolves once each got its slot or was parked. */
  flush(): Promise<void> {
    return Promise.all([...this.#byQueue.values()].map((batcher) => batcher.flush())).then(() => {})
  }
}
