// MoEngage Data API responses. Sources (moengage/moengage-documentation):
// - api/data/data.yaml, `/event/{Workspace_ID}`: 200 `{"status":"success","message":...}`;
//   400/401/403/413/415/429/500 `{"status":"fail","error":{"message","type","request_id"}}`;
// - api/data/data-overview.mdx, "Response Codes": also 409 (key mismatch), and "5xx ... We
//   recommend that you retry every 2 seconds for a maximum of 5 times"; "Monitor Your
//   Usage": `x-ratelimit-reset` is "the number of seconds remaining until the current window
//   resets" (< 60), while api/rate-limits.mdx calls it "UTC epoch seconds": both are read.
import { classifyHttpResponse } from '../../delivery/classify-http-response.js'
import type { TransportResponse } from '../../transport/transport.js'
import type { ResponseClassification } from '../adapter.js'
import { destinationReason, reasonText as text } from '../shared/destination-reason.js'
import { parseJsonObject as parse } from '../shared/parse-json-object.js'
import { rateLimitWaitMs } from '../shared/rate-limit-wait.js'

// Body statuses that say the request was not accepted, whatever the HTTP status.
const FAILED_STATUSES = new Set(['fail', 'failure', 'error'])

/**
 * Summarises a MoEngage error body: `<type>: <message> (attribute <attr>, request_id <id>)`
 * from the documented `error` object, else the `title`/`description` pair some 429 and 5xx
 * answers carry, else the text itself.
 */
export function describeMoEngageError(body: string): string | undefined {
  const parsed = parse(body)
  if (parsed === undefined) return text(body)
  const error = parsed.error !== null && typeof parsed.error === 'object' ? parsed.error : {}
  const { type, message, attribute, request_id: requestId } = error as Record<string, unknown>
  const main = [text(type) ?? text(parsed.title), text(message) ?? text(parsed.description)]
    .filter((part) => part !== undefined)
    .join(': ')
  const details = [
    text(attribute) === undefined ? undefined : `attribute ${text(attribute)}`,
    text(requestId) === undefined ? undefined : `request_id ${text(requestId)}`,
  ].filter((part) => part !== undefined)
  const described = [main || text(parsed.message), details.length > 0 ? `(${details.join(', ')})` : undefined]
    .filter((part) => part !== undefined && part !== '')
    .join(' ')
  return described === '' ? text(body) : described
}

/** The wait a MoEngage 429 asks for: `Retry-After`, else `x-ratelimit-reset`. */
export function moengageRetryAfterMs(
  headers: Readonly<Record<string, string>>,
  now: number = Date.now(),
): number | undefined {
  return rateLimitWaitMs(headers, 'seconds-or-epoch', now)
}

/**
 * Classifies a Track Event response. A 2xx succeeds unless its body says
 * `"status": "fail"`, which fails at once (MoEngage looked at the event and refused it).
 * Otherwise the default applies: 429 is retried after `Retry-After` or `x-ratelimit-reset`,
 * 5xx (but 501/505) with backoff, and other 4xx (400, 401, 403, 409, 413, 415) fail at once.
 * The reason carries MoEngage's error type and message, trimmed to 300 characters.
 */
export function classifyMoEngageResponse(response: TransportResponse): ResponseClassification {
  const base = classifyHttpResponse(response)
  if (base.outcome === 'success') {
    const status = parse(response.body)?.status
    if (typeof status !== 'string' || !FAILED_STATUSES.has(status.toLowerCase())) return base
    const described = describeMoEngageError(response.body) ?? `status ${status}`
    return {
      outcome: 'fail',
      reason: destinationReason([`HTTP ${response.status} with a failure body`, described]),
    }
  }
  const described = describeMoEngageError(response.body)
  const reason = destinationReason([base.reason, described])
  if (base.outcome === 'fail') return { outcome: 'fail', reason }
  if (response.status === 429) {
    const retryAfterMs = moengageRetryAfterMs(response.headers)
    if (retryAfterMs !== undefined) return { outcome: 'retry', reason, retryAfterMs }
    return { outcome: 'retry', reason }
  }
  return { ...base, reason }
}
