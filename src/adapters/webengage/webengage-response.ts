// WebEngage REST API responses (docs.webengage.com/docs/rest-api-getting-started):
// "Each API response will be wrapped in a main container called response. It will have
// three properties: status, data and message. status will be either success or error";
// the event and user endpoints answer `{"response":{"status":"queued"}}` when they accept
// the data. "Adding the incorrect code will cause the API call to fail (indicated by error
// code 404 in response)"; a wrong or missing key gives 401. WebEngage documents no rate-limit
// response; a 429 is retried like anywhere else.
import { classifyHttpResponse } from '../../delivery/classify-http-response.js'
import type { TransportResponse } from '../../transport/transport.js'
import type { ResponseClassification } from '../adapter.js'
import { destinationReason, reasonText as text } from '../shared/destination-reason.js'

// What to do about the two failures the docs name.
const HINTS: Readonly<Record<number, string>> = {
  401: 'check `apiKey`: it must be the REST API key of an admin with Account Management and Update Data permissions',
  404: 'check `licenseCode`, and `dataCenter` (an India account needs `in`)',
}

/** The `response` container of a WebEngage body, or `undefined` when there is none. */
function container(body: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(body)
    const inner = (parsed as { response?: unknown } | null)?.response
    return inner !== null && typeof inner === 'object' ? (inner as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/** Summarises a WebEngage error body: its `response.message` (or status), else the text. */
export function describeWebEngageError(body: string): string | undefined {
  const inner = container(body)
  if (inner === undefined) return text(body)
  return text(inner.message) ?? text(inner.status) ?? text(body)
}

/**
 * Classifies a WebEngage response. A 2xx succeeds (`queued`) unless its container says
 * `"status": "error"`, which fails at once. Otherwise the default applies: 401 (bad key)
 * and 404 (bad license code) fail at once with a hint, like other 4xx but 408/425/429;
 * 429 and 5xx (but 501/505) are retried. The reason carries WebEngage's message, trimmed to
 * 300 characters.
 */
export function classifyWebEngageResponse(response: TransportResponse): ResponseClassification {
  const base = classifyHttpResponse(response)
  if (base.outcome === 'success') {
    const inner = container(response.body)
    if (text(inner?.status)?.toLowerCase() !== 'error') return base
    const described = describeWebEngageError(response.body) ?? 'status error'
    return {
      outcome: 'fail',
      reason: destinationReason([`HTTP ${response.status} with an error body`, described]),
    }
  }
  const reason = destinationReason([
    base.reason,
    describeWebEngageError(response.body),
    HINTS[response.status],
  ])
  return { ...base, reason }
}
