/** Longest reason built from a destination's answer; longer ones end with `…`. */
export const MAX_REASON_LENGTH = 300

/** A non-blank string from a response body, trimmed, with each run of whitespace as one space. */
export function reasonText(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim().replace(/\s+/g, ' ') : undefined
}

/**
 * Joins the parts of a failure reason with `: ` (`HTTP 400: <what the destination said>:
 * <hint>`), leaving out missing and empty parts, replaces every occurrence of `secret` (when
 * given) with `***` so a credential the destination echoes never reaches a reason, and trims
 * the result to {@link MAX_REASON_LENGTH} characters.
 */
export function destinationReason(parts: readonly (string | undefined)[], secret?: string): string {
  const joined = parts.filter((part) => part !== undefined && part !== '').join(': ')
  const masked = secret === undefined || secret === '' ? joined : joined.split(secret).join('***')
  return masked.length <= MAX_REASON_LENGTH ? masked : `${masked.slice(0, MAX_REASON_LENGTH - 1)}…`
}
