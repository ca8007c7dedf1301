import type { DeliveryResult } from '../delivery/delivery.js'
import type { AttemptFailure } from '../delivery/delivery-run.js'
import { scopedKey } from '../shared/scope.js'
import { LatencyHistogram } from './latency-histogram.js'
import type { LatencyPercentiles, OutcomeCounts } from './router-stats.js'

const SECONDS = 60
const MINUTES = 60
/** Minutes of attempt latencies kept for the percentiles. */
const LATENCY_MINUTES = 5

const NO_LATENCY: LatencyPercentiles = Object.freeze({ p50: null, p95: null, p99: null })
const NOTHING: OutcomeCounts = Object.freeze({ succeeded: 0, failed: 0 })

/** One integration's rolling windows: per-second and per-minute outcome counts, per-minute latencies. */
class Windows {
  readonly secondAt = new Float64Array(SECONDS).fill(-1)
  readonly secondOk = new Uint32Array(SECONDS)
  readonly secondFailed = new Uint32Array(SECONDS)
  readonly minuteAt = new Float64Array(MINUTES).fill(-1)
  readonly minuteOk = new Uint32Array(MINUTES)
  readonly minuteFailed = new Uint32Array(MINUTES)
  readonly latencyAt = new Float64Array(LATENCY_MINUTES + 1).fill(-1)
  readonly latency: (LatencyHistogram | undefined)[] = new Array(LATENCY_MINUTES + 1)

  settled(now: number, succeeded: boolean): void {
    const second = Math.floor(now / 1000)
    const s = second % SECONDS
    if (this.secondAt[s] !== second) {
      this.secondAt[s] = second
      this.secondOk[s] = 0
      this.secondFailed[s] = 0
    }
    const minute = Math.floor(second / 60)
    const m = minute % MINUTES
    if (this.minuteAt[m] !== minute) {
      this.minuteAt[m] = minute
      this.minuteOk[m] = 0
      this.minuteFailed[m] = 0
    }
    if (succeeded) {
      this.secondOk[s] = (this.secondOk[s] as number) + 1
      this.minuteOk[m] = (this.minuteOk[m] as number) + 1
    } else {
      this.secondFailed[s] = (this.secondFailed[s] as number) + 1
      this.minuteFailed[m] = (this.minuteFailed[m] as number) + 1
    }
  }

  attempted(now: number, durationMs: number): void {
    const minute = Math.floor(now / 60_000)
    const slot = minute % (LATENCY_MINUTES + 1)
    let histogram = this.latency[slot]
    if (this.latencyAt[slot] !== minute || histogram === undefined) {
      this.latencyAt[slot] = minute
      histogram = new LatencyHistogram()
      this.latency[slot] = histogram
    }
    histogram.add(durationMs)
  }

  lastMinute(now: number): OutcomeCounts {
    const second = Math.floor(now / 1000)
    let succeeded = 0
    let failed = 0
    for (let s = 0; s < SECONDS; s++) {
      const at = this.secondAt[s] as number
      if (at > second - SECONDS && at <= second) {
        succeeded += this.secondOk[s] as number
        failed += this.secondFailed[s] as number
      }
    }
    return { succeeded, failed }
  }

  lastHour(now: number): OutcomeCounts {
    const minute = Math.floor(now / 60_000)
    let succeeded = 0
    let failed = 0
    for (let m = 0; m < MINUTES; m++) {
      const at = this.minuteAt[m] as number
      if (at > minute - MINUTES && at <= minute) {
        succeeded += this.minuteOk[m] as number
        failed += this.minuteFailed[m] as number
      }
    }
    return { succeeded, failed }
  }

  latencies(now: number): LatencyPercentiles {
    const minute = Math.floor(now / 60_000)
    const merged = new LatencyHistogram()
    for (let slot = 0; slot <= LATENCY_MINUTES; slot++) {
      const at = this.latencyAt[slot] as number
      const histogram = this.latency[slot]
      if (histogram && at > minute - LATENCY_MINUTES && at <= minute) merged.merge(histogram)
    }
    if (merged.count === 0) return NO_LATENCY
    return { p50: merged.percentile(0.5), p95: merged.percentile(0.95), p99: merged.percentile(0.99) }
  }
}

/**
 * Counts what each integration's deliveries did, told by the stages that settle deliveries and
 * make attempts (the router calls {@link DeliveryStats.settled} and
 * {@link DeliveryStats.attemptFailed} where it sends the matching lifecycle events): outcomes in
 * the last minute and hour, and the latency of each attempt, in rolling windows of fixed size
 * (about 2 KB per integration), so that recording costs a few array writes and a snapshot no sort.
 * Integrations are known by key (`scopedKey(tenant, id)`).
 */
export class DeliveryStats {
  readonly #windows = new Map<string, Windows>()
  readonly #now: () => number

  /** @param now the clock (epoch ms) @default Date.now */
  constructor(now: () => number = Date.now) {
    this.#now = now
  }

  /** Outcomes of the integration's deliveries in the last 60 seconds. */
  lastMinute(key: string): OutcomeCounts {
    return this.#windows.get(key)?.lastMinute(this.#now()) ?? NOTHING
  }

  /** Outcomes of the integration's deliveries in the last 60 minutes. */
  lastHour(key: string): OutcomeCounts {
    return this.#windows.get(key)?.lastHour(this.#now()) ?? NOTHING
  }

  /** Attempt latency percentiles of the integration over the last 5 minutes. */
  latency(key: string): LatencyPercentiles {
    return this.#windows.get(key)?.latencies(this.#now()) ?? NO_LATENCY
  }

  /** Forgets a removed integration's figures. */
  forget(key: string): void {
    this.#windows.delete(key)
  }

  #windowsOf(tenant: string | null, integrationId: string): Windows {
    const key = scopedKey(tenant, integrationId)
    let windows = this.#windows.get(key)
    if (!windows) {
      windows = new Windows()
      this.#windows.set(key, windows)
    }
    return windows
  }

  /** Counts a delivery's final outcome (and, for a success, its accepting attempt's latency). */
  settled(result: DeliveryResult): void {
    const { delivery } = result
    const windows = this.#windowsOf(delivery.tenant, delivery.integrationId)
    const now = this.#now()
    windows.settled(now, result.status === 'succeeded')
    // The accepting attempt; a failed one was counted by attemptFailed.
    if (result.status === 'succeeded') {
      const last = result.history[result.history.length - 1]
      if (last) windows.attempted(now, last.durationMs)
    }
  }

  /** Counts the latency of an attempt that failed (the delivery may still be retried). */
  attemptFailed(failure: AttemptFailure): void {
    const { delivery } = failure
    const last = failure.history[failure.history.length - 1]
    if (last) this.#windowsOf(delivery.tenant, delivery.integrationId).attempted(this.#now(), last.durationMs)
  }
}
