import { MIN_SECRET_LENGTH, REDACTED, type SecretScrubber } from '../shared/secret-scrubber.js'
import type { TransportRequest } from '../transport/transport.js'

// Headers that carry credentials whatever the adapter: their values are never shown.
const CREDENTIAL_HEADER = /authorization|api-?key|token|secret|passcode|password|signature/i

/**
 * A copy of `request` safe to show: credential headers are `[REDACTED]`, and every secret
 * value (strings found in the integration's secret config fields), in every form the scrubber
 * knows, is replaced wherever it appears: URL, header values, body.
 */
export function redactRequest(request: TransportRequest, scrubber: SecretScrubber): TransportRequest {
  const scrub = (text: string) => scrubber.scrub(text)
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(request.headers)) {
    headers[name] = CREDENTIAL_HEADER.test(name) ? REDACTED : scrub(value)
  }
  return {
    method: request.method,
    url: scrub(request.url),
    headers,
    ...(request.body === undefined ? {} : { body: scrub(request.body) }),
  }
}

/** The string values (at least `MIN_SECRET_LENGTH` characters long) of an integration's secret config fields. */
export function secretValues(
  config: Readonly<Record<string, unknown>>,
  secretFields: readonly string[],
): string[] {
  const found: string[] = []
  const collect = (value: unknown): void => {
    if (typeof value === 'string') {
      if (value.length >= MIN_SECRET_LENGTH) found.push(value)
    } else if (Array.isArray(value)) value.forEach(collect)
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(collect)
  }
  for (const field of secretFields) collect(config[field])
  // Longest first, so that a secret containing another is replaced whole.
  return found.sort((a, b) => b.length - a.length)
}
