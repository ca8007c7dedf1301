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
