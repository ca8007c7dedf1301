let lastMs = Number.NaN
let lastIso = ''

/**
 * `date.toISOString()`, remembering the last result: the deliveries of one event, their
 * retries and a burst of events within the same millisecond all format the same instant, and
 * formatting costs about as much as serializing a small payload.
 */
export function isoTimestamp(date: Date | number): string {
  const ms = typeof date === 'number' ? date : date.getTime()
  if (ms !== lastMs) {
    lastIso = new Date(ms).toISOString()
    lastMs = ms
  }
  return lastIso
}
