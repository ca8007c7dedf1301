import { classifyHttpResponse } from '../../delivery/classify-http-response.js'
import { parseRetryAfter } from '../../delivery/parse-retry-after.js'
import type { TransportResponse } from '../../transport/transport.js'
import type { ResponseClassification } from '../adapter.js'
import type { BatchResponseClassification } from '../adapter-batching.js'
import { destinationReason, reasonText as text } from '../shared/destination-reason.js'
import { parseJsonObject } from '../shared/parse-json-object.js'

// mixpanel/docs, openapi/src/ingestion.openapi.yaml, components.responses: every /import
// answer is `{ code, status, error?, num_records_imported?, failed_records? }`; a failed
// record is `{ index, insert_id (or "$insert_id" in the prose example), field, message }`.
interface ImportBody {
  readonly code?: unknown
  readonly status?: unknown
  readonly error?: unknown
  readonly num_records_imported?: unknown
  readonly failed_records?: unknown
}

const parseBody = (body: string): ImportBody | undefined => parseJsonObject(body)

/** The messages of `failed_records`, e.g. `properties.time: 'properties.time' is invalid: ...`. */
function describeFailedRecords(records: unknown): string | undefined {
  if (!Array.isArray(records)) return undefined
  const messages = records.flatMap((record: unknown) => {
    if (record === null || typeof record !== 'object') return []
    const { field, message } = record as Record<string, unknown>
    const said = text(message)
    if (said === undefined) return text(field) === undefined ? [] : [`${text(field)} is invalid`]
    const where = text(field)
    return [where === undefined || said.includes(where) ? said : `${where}: ${said}`]
  })
  return messages.length > 0 ? messages.join('; ') : undefined
}

/** Summarises an /import error body: the failed records' messages, else `error`, else the text. */
export function describeMixpanelError(body: string): string | undefined {
  const parsed = parseBody(body)
  if (parsed === undefined) return text(body)
  return describeFailedRecords(parsed.failed_records) ?? text(parsed.error) ?? text(parsed.status)
}

const HINTS: Readonly<Record<number, string>> = {
  401: 'check the service account (or project token) and `projectId`',
  403: 'the credentials may not import into this project: a service account needs the Owner or Admin role',
  // reference/import-events.mdx: events "smaller than 1MB", "10MB uncompressed per request".
  413: 'Mixpanel accepts events smaller than 1 MB of JSON and at most 10 MB per request',
}

/**
 * Classifies an /import response (ingestion.openapi.yaml, `/import` responses and "Rate
 * Limits"):
 * - `200` `{ code: 200, num_records_imported: 1, status: "OK" }` succeeds; a 2xx whose body
 *   reports failed records or no record imported fails;
 * - `400` lists `failed_records`: a validation error that "will consistently fail", so it
 *   fails at once with the records' messages in the reason;
 * - `401`, `403` and `413` fail at once;
 * - `429` and `502`/`503` are retried with backoff (honouring `Retry-After` if sent), as are
 *   other 5xx but 501/505.
 */
export function classifyMixpanelResponse(response: TransportResponse): ResponseClassification {
  const { status } = response
  if (status >= 200 && status < 300) {
    const body = parseBody(response.body)
    const failed = describeFailedRecords(body?.failed_records)
    if (failed !== undefined)
      return { outcome: 'fail', reason: destinationReason([`HTTP ${status}`, failed]) }
    if (body?.num_records_imported === 0) {
      return { outcome: 'fail', reason: `HTTP ${status}: Mixpanel imported no record` }
    }
    return { outcome: 'success' }
  }
  const base = classifyHttpResponse(response)
  if (base.outcome === 'success') return base
  const described = describeMixpanelError(response.body)
  const hint = HINTS[status]
  const detail = [described, hint].filter((part) => part !== undefined).join('; ')
  const reason = destinationReason([base.reason, detail])
  if (base.outcome !== 'retry') return { outcome: 'fail', reason }
  // The default honours Retry-After on 429 and 503 only; Mixpanel names 502 as well.
  const retryAfterMs = parseRetryAfter(response.headers['retry-after'])
  return retryAfterMs === undefined
    ? { outcome: 'retry', reason }
    : { outcome: 'retry', reason, retryAfterMs }
}

/**
 * Classifies an /import response for each event of a batch. Mixpanel is not all or nothing: a
 * `400` with `failed_records` imported the valid events ("a 400 is a partial success"), so the
 * events at the records' `index` fail (a validation error "will consistently fail") and the
 * others succeed. An answer that names no record holds for every event, as
 * {@link classifyMixpanelResponse} classifies it.
 */
export function classifyMixpanelBatchResponse(
  response: TransportResponse,
  size: number,
): BatchResponseClassification {
  const body = parseBody(response.body)
  const records = Array.isArray(body?.failed_records) ? (body.failed_records as unknown[]) : []
  const failed = new Map<number, unknown[]>()
  for (const record of records) {
    const index = (record as { index?: unknown } | null)?.index
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= size) continue
    const list = failed.get(index) ?? []
    list.push(record)
    failed.set(index, list)
  }
  // Per event only when every failed record names an event of the batch (then the rest was
  // imported), and the answer is one that imports (400 or 2xx).
  const importing = response.status === 400 || (response.status >= 200 && response.status < 300)
  if (!importing || failed.size === 0 || countUnlocated(records, size) > 0) {
    return classifyMixpanelResponse(response)
  }
  return {
    outcome: 'partial',
    items: Array.from({ length: size }, (_, index) => {
      const own = failed.get(index)
      if (!own) return { outcome: 'success' as const }
      return {
        outcome: 'fail' as const,
        reason: destinationReason([`HTTP ${response.status}`, describeFailedRecords(own) ?? 'record failed']),
      }
    }),
  }
}

function countUnlocated(records: readonly unknown[], size: number): number {
  return records.filter((record) => {
    const index = (record as { index?: unknown } | null)?.index
    return typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= size
  }).length
}
