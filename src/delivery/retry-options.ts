/**
 * How failed attempts are retried. The delay before retry `n` (0-based) is
 * `min(maxTimeout, minTimeout * factor ** n * (randomize ? 1 + random : 1))`,
 * or the destination's `Retry-After` (capped by `maxTimeout`) when it sent one.
 */
export interface RetryOptions {
  /** Retries after the first attempt (so at most `retries + 1` attempts). @default 5 */
  retries: number
  /** Exponential factor. @default 2 */
  factor: number
  /** Delay before the first retry, in ms. @default 1000 */
  minTimeout: number
  /** Upper bound of any delay, `Retry-After` included, in ms. @default 30000 */
  maxTimeout: number
  /** Multiply each delay by a random factor in [1, 2) so that retries spread out (jitter). @default true */
  randomize: boolean
  /**
   * Throttled answers (429) that do not use up `retries`: the integration's queue pauses
   * for the `Retry-After` and the attempt is made again. Beyond this many, they count.
   * @default 10
   */
  throttledRetries: number
}

/** The default retry policy: 5 retries, 1 s, 2 s, 4 s, 8 s, 16 s (each up to twice that with jitter), capped at 30 s. */
export const DEFAULT_RETRY_OPTIONS: Readonly<RetryOptions> = Object.freeze({
  retries: 5,
  factor: 2,
  minTimeout: 1000,
  maxTimeout: 30_000,
  randomize: true,
  throttledRetries: 10,
})
