import type { AttemptRequest } from '../delivery/delivery.js'
import { REDACTED, type SecretScrubber } from '../shared/secret-scrubber.js'
import type { TransportRequest } from '../transport/transport.js'

/**
 * What OpenTelemetry replaces a secret part of a URL with (semantic conventions, `url.full`):
 * `https://REDACTED:REDACTED@host/`, `?sig=REDACTED`.
 */
export const URL_REDACTED = 'REDACTED'

/**
 * Query keys whose values are redacted: the semantic conventions' list (matched case-sensitively,
 * as they say), and the names that carry API keys and tokens in the APIs adapters talk to.
 */
const SECRET_QUERY_KEYS: ReadonlySet<string> = new Set([
  // OpenTelemetry semantic conventions, url.full
  'AWSAccessKeyId',
  'Signature',
  'sig',
  'X-Goog-Signature',
  // API keys and tokens in query strings
  'api_key',
  'apikey',
  'apiKey',
  'key',
  'token',
  'access_token',
  'auth',
  'secret',
  'password',
  'signature',
])

/**
 * The method, URL and destination of an attempt's request as telemetry may show them
 * (`url.full`, `server.address`): user and password replaced by `REDACTED`, the values of secret
 * query keys too, then every form of the integration's own credentials (a Slack webhook's secret
 * path, a key in the query) by `[REDACTED]`, in the origin and in the rest apart, so that the host
 * survives a credential that is the whole URL. Headers and body are never kept.
 */
export function summarizeRequest(request: TransportRequest, scrubber: SecretScrubber): AttemptRequest {
  let parsed: URL
  try {
    parsed = new URL(request.url)
  } catch {
    // Not a URL (the transport refused it): nothing of it is shown.
    return { method: request.method, url: REDACTED, serverAddress: null, serverPort: 0 }
  }
  redactUrl(parsed)
  const origin = parsed.href.slice(0, parsed.href.indexOf(parsed.host) + parsed.host.length)
  const rest = parsed.href.slice(origin.length)
  const host = scrubber.scrub(parsed.hostname)
  return {
    method: request.method,
    url: scrubber.scrub(origin) + scrubber.scrub(rest),
    serverAddress: host === parsed.hostname ? host : null,
    serverPort: parsed.port === '' ? (parsed.protocol === 'http:' ? 80 : 443) : Number(parsed.port),
  }
}

/** Redacts, in place, the credentials and secret query values OpenTelemetry says to redact. */
export function redactUrl(url: URL): URL {
  if (url.username !== '') url.username = URL_REDACTED
  if (url.password !== '') url.password = URL_REDACTED
  if (url.search === '') return url
  const params = url.searchParams
  let changed = false
  for (const key of new Set(params.keys())) {
    if (SECRET_QUERY_KEYS.has(key)) {
      params.set(key, URL_REDACTED)
      changed = true
    }
  }
  // Only rewritten when something changed: URLSearchParams re-encodes what it serialises.
  if (changed) url.search = params.toString()
  return url
}
