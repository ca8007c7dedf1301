import { classifyHttpResponse } from '../../delivery/classify-http-response.js'
import type { TransportResponse } from '../../transport/transport.js'
import type { ResponseClassification } from '../adapter.js'
import { destinationReason, MAX_REASON_LENGTH, reasonText as text } from '../shared/destination-reason.js'
import { parseJsonObject } from '../shared/parse-json-object.js'

// The upload answer: `{ status: "success" | "partial" | "fail", processed, unprocessed: [{
// status, code, error, record }] }`; other errors: `{ status: "fail", error, code }`
// (developer.clevertap.com/docs/upload-events-api and /docs/api-errors; the bodies as
// recorded in rudderlabs/rudder-transformer, test/integrations/destinations/clevertap).
interface CleverTapBody {
  readonly status?: unknown
  readonly processed?: unknown
  readonly unprocessed?: unknown
  readonly error?: unknown
  readonly message?: unknown
  readonly code?: unknown
}
interface UnprocessedRecord {
  readonly code?: unknown
  readonly error?: unknown
}

const parse = (body: string): CleverTapBody | undefined => parseJsonObject(body)

function unprocessedOf(body: CleverTapBody): UnprocessedRecord[] {
  if (!Array.isArray(body.unprocessed)) return []
  return body.unprocessed.filter(
    (entry): entry is UnprocessedRecord => entry !== null && typeof entry === 'object',
  )
}

// `record` (the event as sent, personal data included) is never copied into a reason.
function describeRecord(entry: UnprocessedRecord): string {
  const code = typeof entry.code === 'number' || typeof entry.code === 'string' ? `code ${entry.code}: ` : ''
  return `${code}${text(entry.error) ?? 'unprocessed'}`
}

/**
 * Summarises a CleverTap answer: the `error` of each unprocessed record with its code (509
 * event name mandatory, 512 invalid event structure, 522 properties limit exceeded, 525
 * timestamp not epoch, ...), else the top-level `error`/`message` and `code`, else `status`.
 */
export function describeCleverTapBody(body: string): string | undefined {
  const parsed = parse(body)
  if (parsed === undefined) return text(body.slice(0, MAX_REASON_LENGTH))
  const records = unprocessedOf(parsed)
  if (records.length > 0) return records.map(describeRecord).join('; ')
  const message = text(parsed.error) ?? text(parsed.message)
  if (message !== undefined) return describeRecord({ code: parsed.code, error: message })
  const status = text(parsed.status)
  return status === undefined ? undefined : `status \`${status}\``
}

/**
 * Classifies an Upload Events (`POST /1/upload`) response:
 * - a 2xx succeeds only when its body says `status: "success"` with no unprocessed record
 *   (and not `processed: 0`). CleverTap answers 200 for `status: "fail"` and `"partial"`
 *   too, listing the rejected records in `unprocessed`: our request holds one record, so
 *   either means the event was not recorded. That fails for good: the same record gets the
 *   same answer (as RudderStack's CleverTap handler also concludes);
 * - 429 "Too many concurrent requests" (more than 15 requests in flight for the account) is
 *   retried with backoff, after `Retry-After` if one is sent (CleverTap documents none);
 *   5xx (but 501/505) are retried; other 4xx (400, 401 invalid credentials or wrong region,
 *   403, 404) fail at once.
 * The reason carries CleverTap's `error` and `code`, trimmed to 300 characters, with the
 * passcode masked should it ever be echoed.
 */
export function classifyCleverTapResponse(
  response: TransportResponse,
  passcode?: string,
): ResponseClassification {
  const base = classifyHttpResponse(response)
  const reasonWith = (detail: string | undefined) =>
    destinationReason([`HTTP ${response.status}`, detail], passcode)

  if (base.outcome === 'success') {
    const body = parse(response.body)
    const accepted =
      body !== undefined &&
      body.status === 'success' &&
      unprocessedOf(body).length === 0 &&
      body.processed !== 0
    if (accepted) return base
    const detail = describeCleverTapBody(response.body) ?? 'no body'
    return { outcome: 'fail', reason: reasonWith(`CleverTap did not record the event: ${detail}`) }
  }
  const reason = reasonWith(describeCleverTapBody(response.body))
  return base.outcome === 'fail' ? { outcome: 'fail', reason } : { ...base, reason }
}
