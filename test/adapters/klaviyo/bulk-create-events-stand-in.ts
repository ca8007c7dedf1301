import { HttpResponse, http } from 'msw'

const JSON_API = 'application/vnd.api+json'
const BULK_PATH = '/api/event-bulk-create-jobs'

/** An event Bulk Create Events accepted: its profile, metric, unique_id and properties. */
export interface AcceptedBulkEvent {
  readonly profile: Record<string, unknown>
  readonly metric: string
  readonly uniqueId: string
  readonly properties: Record<string, unknown>
}

/** One request the stand-in received, as parsed. */
export interface BulkRequest {
  readonly headers: Record<string, string>
  readonly bytes: number
  /** Per profile group: its profile attributes and its events' unique ids. */
  readonly groups: { readonly profile: Record<string, unknown>; readonly uniqueIds: string[] }[]
  readonly events: number
}

type Scripted = () => Response

/** A JSON:API error body as Klaviyo answers it (`errors[]` with `source.pointer`). */
export function klaviyoErrors(
  status: number,
  errors: readonly { readonly detail: string; readonly pointer?: string }[],
  headers: Record<string, string> = {},
) {
  return HttpResponse.json(
    {
      errors: errors.map((error, index) => ({
        id: `err-${index}`,
        status,
        code: status === 429 ? 'throttled' : 'invalid',
        title: status === 429 ? 'Request was throttled.' : 'Invalid input.',
        detail: error.detail,
        source: error.pointer === undefined ? {} : { pointer: error.pointer },
      })),
    },
    { status, headers: { 'content-type': JSON_API, ...headers } },
  )
}

/**
 * A stand-in for Klaviyo's Bulk Create Events (`POST /api/event-bulk-create-jobs`) that checks
 * each request as the API does: the key, revision and media types, the JSON:API job shape,
 * at most 1,000 events and 5 MB, a profile identifier per group, a metric name per event, and no
 * `unique_id` repeated for a profile and metric. The request is all or nothing: any bad event
 * (`properties.invalid === true` stands for one Klaviyo would refuse) gets a 400 pointing at it
 * (`/data/attributes/events-bulk-create/data/<g>/attributes/events/data/<e>`) and nothing is
 * recorded. Accepted events are recorded once per profile, metric and unique_id (202).
 */
export function bulkCreateEventsStandIn(apiKey: string, origin = 'https://a.klaviyo.com') {
  const requests: BulkRequest[] = []
  const accepted = new Map<string, AcceptedBulkEvent>()
  const script: Scripted[] = []
  const handler = http.post(`${origin}${BULK_PATH}`, async ({ request }) => {
    const headers = Object.fromEntries(request.headers.entries())
    const text = await request.text()
    if (headers.authorization !== `Klaviyo-API-Key ${apiKey}`) {
      return klaviyoErrors(401, [{ detail: 'Missing or invalid private key.' }])
    }
    if (!/^\d{4}-\d{2}-\d{2}/.test(headers.revision ?? '')) {
      return klaviyoErrors(400, [{ detail: 'Missing or invalid revision header.' }])
    }
    if (headers['content-type'] !== JSON_API) {
      return klaviyoErrors(415, [{ detail: 'Use application/vnd.api+json.' }])
    }
    const bytes = Buffer.byteLength(text, 'utf8')
    if (bytes > 5 * 1024 * 1024) return klaviyoErrors(413, [{ detail: 'The payload exceeds 5 MB.' }])
    const body = JSON.parse(text) as {
      data?: { type?: string; attributes?: { 'events-bulk-create'?: { data?: unknown[] } } }
    }
    if (body.data?.type !== 'event-bulk-create-job') {
      return klaviyoErrors(400, [{ detail: 'Expected type event-bulk-create-job.', pointer: '/data/type' }])
    }
    const groups = body.data.attributes?.['events-bulk-create']?.data
    if (!Array.isArray(groups) || groups.length === 0) {
      return klaviyoErrors(400, [
        { detail: 'Expected a list of events.', pointer: '/data/attributes/events-bulk-create/data' },
      ])
    }
    const seen = new Request_()
    const errors: { detail: string; pointer: string }[] = []
    const parsedGroups: BulkRequest['groups'] = []
    const events: AcceptedBulkEvent[] = []
    groups.forEach((group, g) => {
      const at = `/data/attributes/events-bulk-create/data/${g}`
      const entry = group as {
        type?: string
        attributes?: {
          profile?: { data?: { type?: string; attributes?: Record<string, unknown> } }
          events?: { data?: unknown[] }
        }
      }
      const profile = entry.attributes?.profile?.data?.attributes ?? {}
      if (entry.type !== 'event-bulk-create' || entry.attributes?.profile?.data?.type !== 'profile') {
        errors.push({ detail: 'Expected an event-bulk-create with a profile.', pointer: `${at}/type` })
        return
      }
      if (!['email', 'phone_number', 'external_id', 'anonymous_id'].some((key) => key in profile)) {
        errors.push({
          detail: 'A profile identifier is required.',
          pointer: `${at}/attributes/profile/data/attributes`,
        })
        return
      }
      const list = entry.attributes.events?.data ?? []
      const uniqueIds: string[] = []
      list.forEach((raw, e) => {
        const event = raw as {
          type?: string
          attributes?: {
            properties?: Record<string, unknown>
            unique_id?: string
            metric?: { data?: { type?: string; attributes?: { name?: string } } }
          }
        }
        const where = `${at}/attributes/events/data/${e}`
        const metric = event.attributes?.metric?.data?.attributes?.name
        const uniqueId = event.attributes?.unique_id ?? ''
        const properties = event.attributes?.properties
        if (event.type !== 'event' || typeof metric !== 'string' || properties === undefined) {
          errors.push({ detail: 'Expected an event with a metric and properties.', pointer: where })
          return
        }
        if (properties.invalid === true) {
          errors.push({
            detail: "'invalid' is not a valid property.",
            pointer: `${where}/attributes/properties`,
          })
          return
        }
        if (!seen.add(JSON.stringify(profile), metric, uniqueId)) {
          errors.push({
            detail: 'unique_id is repeated for this profile and metric.',
            pointer: `${where}/attributes/unique_id`,
          })
          return
        }
        uniqueIds.push(uniqueId)
        events.push({ profile, metric, uniqueId, properties })
      })
      parsedGroups.push({ profile, uniqueIds })
    })
    const count = groups.reduce<number>(
      (sum, group) =>
        sum +
        ((group as { attributes?: { events?: { data?: unknown[] } } }).attributes?.events?.data?.length ?? 0),
      0,
    )
    requests.push({ headers, bytes, groups: parsedGroups, events: count })
    if (count > 1000) return klaviyoErrors(400, [{ detail: 'At most 1,000 events per request.' }])
    const next = script.shift()
    if (next) return next()
    // All or nothing: one bad event and no event of the request is processed.
    if (errors.length > 0) return klaviyoErrors(400, errors)
    for (const event of events) {
      const key = `${JSON.stringify(event.profile)}|${event.metric}|${event.uniqueId}`
      if (!accepted.has(key)) accepted.set(key, event)
    }
    return HttpResponse.json(
      { data: { type: 'event-bulk-create-job', id: `job-${requests.length}` } },
      { status: 202, headers: { 'content-type': JSON_API } },
    )
  })
  return {
    handler,
    requests,
    accepted,
    /** Answers the next requests with these responses (after checking them). */
    script,
    reset() {
      requests.length = 0
      accepted.clear()
      script.length = 0
    },
  }
}

/** The (profile, metric, unique_id) triples of one request, to refuse a repeated one. */
class Request_ {
  readonly #keys = new Set<string>()
  add(profile: string, metric: string, uniqueId: string): boolean {
    const key = `${profile}|${metric}|${uniqueId}`
    if (this.#keys.has(key)) return false
    this.#keys.add(key)
    return true
  }
}
