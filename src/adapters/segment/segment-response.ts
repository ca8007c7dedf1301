import { classifyHttpResponse } from '../../delivery/classify-http-response.js'
import type { TransportResponse } from '../../transport/transport.js'
import type { ResponseClassification } from '../adapter.js'
import { destinationReason, reasonText as text } from '../shared/destination-reason.js'
import { rateLimitWaitMs } from '../shared/rate-limit-wait.js'

/**
 * Summarises a Segment error body. The HTTP API reference documents the cases (payload
 * over 32 KB, invalid JSON, `no_user_anon_id`, ...) but not the body's shape, so this reads
 * the usual JSON fields (`message`, `error`, `code`) and otherwise keeps the text as is.
 */
export function describeSegmentError(body: string): string | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return text(body)
  }
  if (parsed === null || typeof parsed !== 'object') return text(body)
  const { message, error, code } = parsed as Record<string, unknown>
  const parts = [text(code), text(message) ?? text(error)].filter((part) => part !== undefined)
  return parts.length > 0 ? parts.join(': ') : text(body)
}

/**
 * The wait a Segment 429 asks for: `Retry-After`, else `X-RateLimit-Reset`. The HTTP API
 * reference ("Rate limits") says both hold "the number of seconds after which you can
 * retry the request"; a reset that is clearly a unix time is read as one.
 */
export function segmentRetryAfterMs(
  headers: Readonly<Record<string, string>>,
  now: number = Date.now(),
): number | undefined {
  return rateLimitWaitMs(headers, 'seconds-or-epoch', now)
}

/**
 * Classifies a Segment HTTP Tracking API response. Segment answers `200` to every request
 * but payloads over 32 KB and invalid JSON, which get a `400` (http-api/index.md, "Errors"):
 * those fail at once, as does any other 4xx but 408/425/429. A `429` is retried after
 * `Retry-After` or `X-RateLimit-Reset`; 5xx (but 501/505) are retried with backoff. The
 * error text Segment sends is added to the reason, trimmed to 300 characters.
 */
export function classifySegmentResponse(response: TransportResponse): ResponseClassification {
  const base = classifyHttpResponse(response)
  if (base.outcome === 'success') return base
  const described = describeSegmentError(response.body)
  const reason = destinationReason([base.reason, described])
  if (base.outcome === 'fail') return { outcome: 'fail', reason }
  if (response.status === 429) {
    const retryAfterMs = segmentRetryAfterMs(response.headers)
    if (retryAfterMs !== undefined) return { outcome: 'retry', reason, retryAfterMs }
    return { outcome: 'retry', reason }
  }
  return { ...base, reason }
}
