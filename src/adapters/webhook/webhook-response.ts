import { parseRetryAfter } from '../../delivery/parse-retry-after.js'
import type { TransportResponse } from '../../transport/transport.js'
import type { ResponseClassification } from '../adapter.js'

// Standard Webhooks (standard-webhooks/standard-webhooks, spec/standard-webhooks.md),
// "Deliverability and reliability": "Webhook sending may sometimes fail. This can be due to
// networking issues, bugs in the receiver, or a variety of other issues. It's therefore up
// to the webhook producer to retry sending the webhook until a successful attempt or until
// it's determined that delivery may not be possible."
// "Delivery success and failure": "A webhook delivery is considered successful if it was
// responded to with a `2xx` status code (status codes 200-299), and it is considered a
// failure in any other scenario. Example failure scenarios include non-`2xx` response
// status codes (e.g: 404 and 500) [...]", with the suggested handling:
//   - "`3xx`: Failure. Following redirects causes unnecessary load on both the sender and
//     the receiver, it's therefore recommended to update the webhook URL instead."
//   - "`410 Gone`: This is an indication by the server that it's no longer interested in
//     receiving webhooks from this source. Sender should disable the webhook endpoint, and
//     stop sending it messages."
//   - "`429 Too Many Requests`: This indicates a rate-limit has been met, and it's
//     recommended to throttle additional requests."
//   - "`502 Bad Gateway` and `504 Gateway Timeout`: Both errors usually indicate that the
//     server is under load, and it's recommended to throttle the requests."
//   - "The rest of the status codes should be treated as a failure."
//   "Additionally, some responses may also include a `Retry-After` header (e.g. `503
//   Service Unavailable`), which should be taken into consideration when scheduling the
//   next attempt."
// So a failure is a failed attempt, retried on the schedule (a receiver mid-deploy or
// mid-key-rotation answers 401, 403 or 404 for a while), and only 410 ends the delivery.

// "502 Bad Gateway and 504 Gateway Timeout [...] throttle the requests" (429 is throttled
// by default, see ResponseClassification).
const OVERLOADED = new Set([502, 504])

/**
 * How the webhook adapter reads a receiver's answer, per Standard Webhooks: 2xx succeed;
 * `410 Gone` fails and disables the integration; every other answer (3xx, which is never
 * followed, 4xx, 5xx) is a failed attempt retried on the schedule; 429, 502 and 504 throttle
 * the integration (its queue pauses, the retry is not used up); `Retry-After` sets the
 * wait whenever the receiver sends it.
 */
export function classifyWebhookResponse(response: TransportResponse): ResponseClassification {
  const { status } = response
  if (status >= 200 && status < 300) return { outcome: 'success' }
  // Standard Webhooks: 410 Gone => the receiver wants no more webhooks; disable the endpoint.
  if (status === 410) {
    return {
      outcome: 'fail',
      reason: 'HTTP 410 Gone: the endpoint is gone and no longer accepts webhooks',
      disableIntegration: true,
    }
  }
  const reason =
    status >= 300 && status < 400
      ? `redirect ${status} not followed; update the integration's \`url\` to the new address`
      : `HTTP ${status}`
  const retryAfterMs = parseRetryAfter(response.headers['retry-after'])
  return {
    outcome: 'retry',
    reason,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    ...(OVERLOADED.has(status) ? { throttled: true } : {}),
  }
}
