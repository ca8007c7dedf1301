/** Smallest latency told apart, in ms: anything faster counts as this. */
const MIN_MS = 0.01
/** Buckets per doubling: each spans 2^(1/8) ≈ 9 %, so a percentile is within about 4.5 % of the truth. */
const PER_OCTAVE = 8
/** From 0.01 ms to about 3 hours (2^30 × 0.01 ms): past the longest attempt timeout. */
const BUCKETS = 30 * PER_OCTAVE

/**
 * A histogram of attempt latencies on a logarithmic scale: constant memory and constant time per
 * value whatever the traffic, and percentiles read from bucket counts, not from sorted samples,
 * which is what keeps `stats()` cheap enough to poll every second.
 */
export class LatencyHistogram {
  readonly #counts = new Uint32Array(BUCKETS)
  #total = 0

  /** Values counted. */
  get count(): number {
    return this.#total
  }

  /** Counts one latency, in ms. */
  add(ms: number): void {
    const index = ms <= MIN_MS ? 0 : Math.min(BUCKETS - 1, Math.floor(Math.log2(ms / MIN_MS) * PER_OCTAVE))
    this.#counts[index] = (this.#counts[index] as number) + 1
    this.#total++
  }

  /** Adds another histogram's counts to this one. */
  merge(other: LatencyHistogram): void {
    const counts = this.#counts
    const theirs = other.#counts
    for (let index = 0; index < BUCKETS; index++)
      counts[index] = (counts[index] as number) + (theirs[index] as number)
    this.#total += other.#total
  }

  /**
   * The latency below which a fraction `q` (0–1) of the values fall, in ms, rounded to 0.1 ms: the
   * geometric middle of the bucket it falls in. `null` when nothing was counted.
   */
  percentile(q: number): number | null {
    if (this.#total === 0) return null
    const rank = Math.max(1, Math.ceil(q * this.#total))
    let seen = 0
    for (let index = 0; index < BUCKETS; index++) {
      seen += this.#counts[index] as number
      if (seen >= rank) {
        const middle = MIN_MS * 2 ** ((index + 0.5) / PER_OCTAVE)
        return Math.round(middle * 10) / 10
      }
    }
    return null
  }
}
