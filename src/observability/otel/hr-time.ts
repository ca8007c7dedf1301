import type { HrTime } from '@opentelemetry/api'

/**
 * Epoch milliseconds as OpenTelemetry's `[seconds, nanoseconds]`. A plain number would be read
 * as `performance.now()` when it is below the process's start time (a clock set back, fake
 * timers in tests): the tuple is unambiguous.
 */
export function hrTimeOf(epochMs: number): HrTime {
  const seconds = Math.floor(epochMs / 1000)
  const nanoseconds = Math.min(999_999_999, Math.round((epochMs - seconds * 1000) * 1e6))
  return [seconds, nanoseconds]
}
