import type { RetryOptions } from './retry-options.js'

/**
 * Delay in ms before retry number `retryIndex` (0 for the first retry). Pure: pass
 * `random` (a number in [0, 1)) to make it deterministic.
 */
export function backoff(
  retryIndex: number,
  options: Readonly<RetryOptions>,
  random: number = Math.random(),
): number {
  const jitter = options.randomize ? 1 + random : 1
  return Math.min(options.maxTimeout, Math.round(options.minTimeout * options.factor ** retryIndex * jitter))
}
