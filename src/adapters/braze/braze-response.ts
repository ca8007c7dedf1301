import { classifyHttpResponse } from '../../delivery/classify-http-response.js'
import type { TransportResponse } from '../../transport/transport.js'
import type { ResponseClassification } from '../adapter.js'
import type { BatchResponseClassification } from '../adapter-batching.js'
import { destinationReason, MAX_REASON_LENGTH, reasonText as text } from '../shared/destination-reason.js'
import { parseJsonObject } from '../shared/parse-json-object.js'
import { rateLimitWaitMs } from '../shared/rate-limit-wait.js'

// braze-docs, post_user_track.md ("Responses") and api/errors.md: every answer is
// `{ message, errors? }`; `message` is "success", "queued" (maintenance) or the fatal error.
// An `errors[]` entry is `{ type, input_array, index }` (`input_array` is "events",
// "attributes" or "purchases"; `index` the position in that array).
interface BrazeBody {
  readonly message?: unknown
  readonly errors?: unknown
  readonly events_processed?: unknown
}
interface BrazeError {
  readonly type?: unknown
  readonly input_array?: unknown
  readonly index?: unknown
}

const parse = (body: string): BrazeBody | undefined => parseJsonObject(body)

function errorsOf(body: BrazeBody): BrazeError[] {
  if (!Array.isArray(body.errors)) return []
  return body.errors.filter((error): error is BrazeError => error !== null && typeof error === 'object')
}

/** `type (events[0])` for one Braze error entry. */
function describeError(error: BrazeError): string {
  const type = text(error.type) ?? 'unspecified error'
  const where =
    typeof error.input_array === 'string' && typeof error.index === 'number'
      ? ` (${error.input_array}[${error.index}])`
      : ''
  return `${type}${where}`
}

/**
 * The request holds one event object, `events[0]`: an error is about it when it points at it,
 * or when it does not say where it applies (then it cannot be told apart, so it counts).
 */
function concernsOurEvent(error: BrazeError): boolean {
  if (error.input_array === undefined) return true
  return error.input_array === 'events' && (typeof error.index !== 'number' || error.index === 0)
}

/** Summarises a Braze error body as `message: type (events[0]); ...`, or `undefined`. */
export function describeBrazeError(body: string): string | undefined {
  const parsed = parse(body)
  if (parsed === undefined) return text(body.slice(0, MAX_REASON_LENGTH))
  const parts = [text(parsed.message), ...errorsOf(parsed).map(describeError)]
  const present = parts.filter((part) => part !== undefined)
  return present.length > 0 ? present.join('; ') : undefined
}

/**
 * The wait a Braze 429 asks for: `Retry-After` when present, else until `X-RateLimit-Reset`,
 * which api_limits.md ("Monitoring your rate limits") defines as "the time at which the
 * current rate limit window resets in UTC epoch seconds". `undefined` when neither helps.
 */
export function brazeRetryAfterMs(
  headers: Readonly<Record<string, string>>,
  now: number = Date.now(),
): number | undefined {
  return rateLimitWaitMs(headers, 'epoch-seconds', now)
}

/**
 * Classifies a `/users/track` response (braze-docs: post_user_track.md "Responses",
 * api/errors.md, api_limits.md):
 * - 2xx `{"message":"success"}` succeeds; so does 202 `{"message":"queued"}`, which Braze
 *   answers while real-time processing is paused for maintenance (the call is queued);
 * - 2xx `{"message":"success","errors":[...]}` is a partial success: the rest of the request
 *   is processed, but an error about our single event (`events[0]`, or unlocated) means it
 *   was dropped: that fails for good, as retrying the same event gets the same error. So
 *   does a 2xx with any other `message`, or with `events_processed: 0`;
 * - 429 "Rate Limited" is retried after `Retry-After`, else at `X-RateLimit-Reset`; 5xx
 *   (but 501/505) are retried with backoff ("retry your request with exponential backoff");
 * - other 4xx (400 bad request, 401 invalid key or wrong instance, 403, 404) fail at once.
 * The reason carries Braze's `message` and `errors[].type`, trimmed to 300 characters, with
 * the API key masked should Braze ever echo it.
 */
export function classifyBrazeResponse(
  response: TransportResponse,
  apiKey?: string,
  now: number = Date.now(),
): ResponseClassification {
  const base = classifyHttpResponse(response)
  const reasonWith = (detail: string | undefined) =>
    destinationReason([`HTTP ${response.status}`, detail], apiKey)

  if (base.outcome === 'success') {
    const body = parse(response.body)
    // No JSON body: the status is all Braze said, and it says accepted.
    if (body === undefined) return base
    const message = text(body.message)?.toLowerCase()
    if (message === 'queued') return base
    const ours = errorsOf(body).filter(concernsOurEvent)
    if (ours.length > 0) {
      return {
        outcome: 'fail',
        reason: reasonWith(`Braze rejected the event: ${ours.map(describeError).join('; ')}`),
      }
    }
    if (message !== undefined && message !== 'success') {
      return { outcome: 'fail', reason: reasonWith(`Braze answered \`${text(body.message)}\``) }
    }
    if (body.events_processed === 0) {
      return { outcome: 'fail', reason: reasonWith('Braze processed no event (`events_processed: 0`)') }
    }
    return base
  }

  const reason = reasonWith(describeBrazeError(response.body))
  if (base.outcome === 'fail') return { outcome: 'fail', reason }
  if (response.status === 429) {
    const retryAfterMs = brazeRetryAfterMs(response.headers, now)
    return retryAfterMs === undefined
      ? { outcome: 'retry', reason }
      : { outcome: 'retry', reason, retryAfterMs }
  }
  return { ...base, reason }
}

/**
 * Classifies a `/users/track` response for each event of a batch (`events[0..n-1]`). Braze
 * processes what it can: a 2xx `{"message":"success","errors":[...]}` dropped only the events
 * its errors point at (`input_array: "events"`, `index`), which fail (retrying the same event
 * gets the same error) while the others succeed. An error that says not where it applies, a
 * 2xx with another `message` or `events_processed: 0`, and every non-2xx answer hold for the
 * whole batch, as {@link classifyBrazeResponse} classifies them.
 */
export function classifyBrazeBatchResponse(
  response: TransportResponse,
  size: number,
  apiKey?: string,
  now: number = Date.now(),
): BatchResponseClassification {
  const whole = classifyBrazeResponse(response, apiKey, now)
  if (response.status < 200 || response.status >= 300) return whole
  const body = parse(response.body)
  if (body === undefined) return whole
  const message = text(body.message)?.toLowerCase()
  if (message === 'queued' || message !== 'success' || body.events_processed === 0) return whole
  const errors = errorsOf(body).filter(
    (error) => error.input_array === undefined || error.input_array === 'events',
  )
  if (errors.length === 0) return whole
  const byIndex = new Map<number, BrazeError[]>()
  for (const error of errors) {
    const { index } = error
    // An event error we cannot place: the whole batch is judged as one event would be.
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= size) return whole
    byIndex.set(index, [...(byIndex.get(index) ?? []), error])
  }
  return {
    outcome: 'partial',
    items: Array.from({ length: size }, (_, index) => {
      const own = byIndex.get(index)
      if (!own) return { outcome: 'success' as const }
      return {
        outcome: 'fail' as const,
        reason: destinationReason(
          [`HTTP ${response.status}`, `Braze rejected the event: ${own.map(describeError).join('; ')}`],
          apiKey,
        ),
      }
    }),
  }
}
