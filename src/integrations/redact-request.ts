import type { TransportRequest } from '../transport/transport.js'
import { REDACTED } from './redact-config.js'

// Headers that carry credentials whatever the adapter: their values are never shown.
const CREDENTIAL_HEADER = /authorization|api-?key|token|secret|passcode|password|signature/i

/**
 * A copy of `request` safe to show: credential headers are `[REDACTED]`, and every secret
 * value (strings found in the integration's secret config fields) is replaced wherever it
 * appears: URL, header values, body.
 */
export function redactRequest(request: TransportRequest, secrets: readonly string[]): TransportRequest {
  const scrub = (text: string) =>
    secrets.reduce((result, secret) => result.split(secret).join(REDACTED), text)
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

/** The string values (at least 4 characters long) of an integration's secret config fields. */
export function secretValues(
  config: Readonly<Record<string, unknown>>,
  secretFields: readonly string[],
): string[] {
  const found: string[] = []
  const collect = (value: unknown): void => {
    if (typeof value === 'string') {
      if (value.length >= 4) found.push(value)
    } else if (Array.isArray(value)) value.forEach(collect)
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(collect)
  }
  for (const field of secretFields) collect(config[field])
  // Longest first, so that a secret containing another is replaced whole.
  return found.sort((a, b) => b.length - a.length)
}
