/**
 * Parses an HTTP `Retry-After` value (RFC 9110 §10.2.3): either delay-seconds or an
 * HTTP-date. Returns the wait in milliseconds (0 for a date in the past), or `undefined`
 * when the value is absent or malformed.
 */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined
  const trimmed = value.trim()
  if (trimmed === '') return undefined
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  // An HTTP-date always names its month (IMF-fixdate, RFC 850 or asctime); anything else,
  // such as "-5" or "1.5", which Date.parse would happily accept, is malformed.
  if (!/[A-Za-z]{3}/.test(trimmed)) return undefined
  const date = Date.parse(trimmed)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now)
}
