import { classifyHttpResponse } from '../../delivery/classify-http-response.js'
import type { TransportResponse } from '../../transport/transport.js'
import type { ResponseClassification } from '../adapter.js'
import type { BatchItem, BatchResponseClassification } from '../adapter-batching.js'
import { destinationReason } from '../shared/destination-reason.js'
import { itemsAtPointer, klaviyoBulkLayout } from './klaviyo-bulk.js'

// A private API key, should an error detail ever echo one: it must not reach the reason.
const PRIVATE_KEY = /pk_[A-Za-z0-9]+/g

// klaviyo/openapi, create_event.json, components.responses.ClientError / ServerError:
// `{ errors: [{ id, code, title, detail, source?: { pointer?, parameter? } }] }`.
interface KlaviyoErrorObject {
  readonly code?: unknown
  readonly title?: unknown
  readonly detail?: unknown
  readonly source?: { readonly pointer?: unknown; readonly parameter?: unknown } | null
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined

/**
 * Summarises a Klaviyo error body as `detail (at <pointer>)`, errors joined with `; `, or
 * returns `undefined` when the body is not one. Falls back to `title` when `detail` is missing.
 */
export function describeKlaviyoErrors(body: string): string | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return undefined
  }
  const errors = (parsed as { errors?: unknown } | null)?.errors
  if (!Array.isArray(errors)) return undefined
  const parts = errors.flatMap((error: KlaviyoErrorObject | null) => {
    if (error === null || typeof error !== 'object') return []
    const message = text(error.detail) ?? text(error.title) ?? text(error.code)
    if (message === undefined) return []
    const pointer = text(error.source?.pointer)
    const parameter = text(error.source?.parameter)
    if (pointer !== undefined) return [`${message} (at ${pointer})`]
    if (parameter !== undefined) return [`${message} (parameter ${parameter})`]
    return [message]
  })
  return parts.length > 0 ? parts.join('; ') : undefined
}

/**
 * Classifies a Create Event response. Create Event answers `202` with no body on success
 * (create_event.json, `responses.202`). Otherwise {@link classifyHttpResponse} decides:
 * 429 is retried after `Retry-After` (whole seconds; Klaviyo sends no `RateLimit-*` headers
 * with a 429), 500/502/503/504 are retried, 400/401/403/404/405/409/410/415 fail at once.
 * Klaviyo's error `detail` and `source.pointer` are added to the reason (trimmed to 300
 * characters), with anything shaped like a private key masked.
 */
export function classifyKlaviyoResponse(response: TransportResponse): ResponseClassification {
  const base = classifyHttpResponse(response)
  if (base.outcome === 'success') return base
  const described = describeKlaviyoErrors(response.body)
  if (described === undefined) return base
  return { ...base, reason: destinationReason([base.reason, described.replace(PRIVATE_KEY, 'pk_***')]) }
}

/**
 * Classifies a Bulk Create Events response for each item of the batch. `202` accepts every
 * event. The request is all or nothing, so a refusal (400, 409...) whose errors point
 * (`source.pointer`) at events of the batch fails those events, and sends the others again
 * (`resend`): they were refused for the others' sake. A refusal that points at no event fails
 * every event, and 429 or 5xx are retried for all, as for Create Event.
 */
export function classifyKlaviyoBulkResponse(
  response: TransportResponse,
  items: readonly BatchItem[],
): BatchResponseClassification {
  const base = classifyKlaviyoResponse(response)
  if (base.outcome !== 'fail') return base
  const errors = errorObjects(response.body)
  const layout = klaviyoBulkLayout(items)
  const reasons = new Map<number, string[]>()
  for (const error of errors) {
    const pointer = text(error.source?.pointer)
    const at = pointer === undefined ? undefined : itemsAtPointer(layout, pointer)
    if (at === undefined) continue
    const message = text(error.detail) ?? text(error.title) ?? text(error.code) ?? 'refused'
    for (const index of at) {
      const list = reasons.get(index) ?? []
      list.push(`${message} (at ${pointer})`.replace(PRIVATE_KEY, 'pk_***'))
      reasons.set(index, list)
    }
  }
  if (reasons.size === 0) return base
  return {
    outcome: 'partial',
    items: items.map((_, index) => {
      const own = reasons.get(index)
      if (own)
        return { outcome: 'fail', reason: destinationReason([`HTTP ${response.status}`, own.join('; ')]) }
      return {
        outcome: 'resend',
        reason: `HTTP ${response.status}: Klaviyo refused the whole batch for ${reasons.size} other event(s)`,
      }
    }),
  }
}

function errorObjects(body: string): KlaviyoErrorObject[] {
  try {
    const errors = (JSON.parse(body) as { errors?: unknown } | null)?.errors
    if (!Array.isArray(errors)) return []
    return errors.filter((error): error is KlaviyoErrorObject => error !== null && typeof error === 'object')
  } catch {
    return []
  }
}
