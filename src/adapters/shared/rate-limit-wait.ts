import { parseRetryAfter } from '../../delivery/parse-retry-after.js'

// Above this, an `X-RateLimit-Reset` value can only be a unix time, not a delay in seconds.
const EPOCH_SECONDS_FLOOR = 1_000_000_000

/**
 * How a destination's `X-RateLimit-Reset` reads: `epoch-seconds`, the unix time the window
 * resets (a time already past gives no wait); `seconds-or-epoch`, a delay in seconds, or a
 * unix time when the value is clearly one (a time already past gives 0).
 */
export type RateLimitReset = 'epoch-seconds' | 'seconds-or-epoch'

/**
 * The wait a 429 asks for, in milliseconds: `Retry-After` when present, else what
 * `X-RateLimit-Reset` says, read as `reset` tells. `undefined` when neither helps.
 */
export function rateLimitWaitMs(
  headers: Readonly<Record<string, string>>,
  reset: RateLimitReset,
  now: number = Date.now(),
): number | undefined {
  const retryAfter = parseRetryAfter(headers['retry-after'], now)
  if (retryAfter !== undefined) return retryAfter
  const value = headers['x-ratelimit-reset']?.trim()
  if (value === undefined || !/^\d+$/.test(value)) return undefined
  const seconds = Number(value)
  if (reset === 'epoch-seconds') {
    const waitMs = seconds * 1000 - now
    return waitMs > 0 ? waitMs : undefined
  }
  return seconds >= EPOCH_SECONDS_FLOOR ? Math.max(0, seconds * 1000 - now) : seconds * 1000
}
