import type { ResponseClassification } from '../adapters/adapter.js'
import type { TransportResponse } from '../transport/transport.js'
import { parseRetryAfter } from './parse-retry-after.js'

// 408 Request Timeout, 425 Too Early and 429 Too Many Requests invite a retry; among
// 5xx, 501 Not Implemented and 505 HTTP Version Not Supported never heal by retrying.
const RETRYABLE_4XX = new Set([408, 425, 429])
const FINAL_5XX = new Set([501, 505])

/**
 * The default response classification, used by every adapter that has no specific needs:
 * 2xx succeed; 408, 425, 429 and 5xx (but 501 and 505) are retried, honouring
 * `Retry-After` on 429 and 503; 3xx (redirects are never followed) and other 4xx fail.
 */
export function classifyHttpResponse(response: TransportResponse): ResponseClassification {
  const { status } = response
  if (status >= 200 && status < 300) return { outcome: 'success' }
  const retryable = RETRYABLE_4XX.has(status) || (status >= 500 && status < 600 && !FINAL_5XX.has(status))
  if (!retryable) {
    const reason = status >= 300 && status < 400 ? `redirect ${status} not followed` : `HTTP ${status}`
    return { outcome: 'fail', reason }
  }
  if (status === 429 || status === 503) {
    const retryAfterMs = parseRetryAfter(response.headers['retry-after'])
    if (retryAfterMs !== undefined) return { outcome: 'retry', reason: `HTTP ${status}`, retryAfterMs }
  }
  return { outcome: 'retry', reason: `HTTP ${status}` }
}
