/** Median of a non-empty list (the mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/** Smallest and largest value, to show the spread next to a median. */
export function range(values: readonly number[]): { min: number; max: number } {
  return { min: Math.min(...values), max: Math.max(...values) }
}

/**
 * Median of per-round ratios `a[i] / b[i]`. Both were measured in the same round, a few
 * hundred milliseconds apart, so the ratio cancels most of the drift of a busy machine.
 */
export function pairedRatio(a: readonly number[], b: readonly number[]): number {
  return median(a.map((value, index) => value / b[index]!))
}

/** `items` rotated left by `by`: round `r` runs the contenders in a different order. */
export function rotate<T>(items: readonly T[], by: number): T[] {
  const shift = by % items.length
  return [...items.slice(shift), ...items.slice(0, shift)]
}

/** Nanoseconds elapsed since `start` (a `process.hrtime.bigint()` reading). */
export function nsSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start)
}

/** Forces a full collection when node runs with --expose-gc (npm run bench does). */
export function collectGarbage(): void {
  globalThis.gc?.()
}

/** The per-round ratios `a[i] / b[i]` (see {@link pairedRatio}). */
export function pairedRatios(a: readonly number[], b: readonly number[]): number[] {
  return a.map((value, index) => value / b[index]!)
}

/** Quantile `q` (0..1) of a non-empty list, interpolated between the nearest ranks. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const position = (sorted.length - 1) * q
  const low = Math.floor(position)
  const high = Math.ceil(position)
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low)
}

/** A paired ratio with its spread over the rounds: median, quartiles, extremes. */
export interface RatioSummary {
  readonly median: number
  readonly q1: number
  readonly q3: number
  readonly min: number
  readonly max: number
  readonly rounds: number
  readonly samples: readonly number[]
}

/** {@link pairedRatio} with its spread: what a claim like "within 10 %" needs to be read. */
export function summarizeRatio(a: readonly number[], b: readonly number[]): RatioSummary {
  const samples = pairedRatios(a, b)
  return {
    median: median(samples),
    q1: quantile(samples, 0.25),
    q3: quantile(samples, 0.75),
    ...range(samples),
    rounds: samples.length,
    samples,
  }
}

/** `1.03x (0.98–1.07)`: median and interquartile range of a paired ratio. */
export function formatRatio(summary: RatioSummary): string {
  return `${summary.median.toFixed(2)}x (${summary.q1.toFixed(2)}–${summary.q3.toFixed(2)})`
}

/** The number of rounds: BENCH_ROUNDS when set (a positive integer), else `fallback`. */
export function roundsFromEnv(fallback: number): number {
  const text = process.env.BENCH_ROUNDS
  if (text === undefined || text === '') return fallback
  const rounds = Number(text)
  if (!Number.isSafeInteger(rounds) || rounds < 1) {
    throw new Error(`Expected BENCH_ROUNDS to be a positive integer, got \`${text}\`.`)
  }
  return rounds
}
