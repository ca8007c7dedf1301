import { mixpanelAdapter } from 'eventrouter/adapters/mixpanel'
import { HttpResponse, http } from 'msw'
import { type BatchStandIn, batchingCases, type StandInRequest } from '../shared/batching-cases.js'
import { useMswServer } from '../shared/msw-server.js'

const TOKEN = '7413605f415a765835417c9ffe8ff702'
const AUTHORIZATION = `Basic ${Buffer.from(`${TOKEN}:`).toString('base64')}`

/**
 * A stand-in for Mixpanel's `POST /import?strict=1` (ingestion.openapi.yaml, import-events.mdx):
 * project-token Basic auth, a JSON array of at most 2,000 events and 2 MB (else 413), each with
 * `time`, `distinct_id` and `$insert_id`. Not all or nothing: an invalid event
 * (`properties.invalid === true` stands for one) is listed in `failed_records` of a 400 and the
 * others are imported. Deduplicates on `$insert_id`.
 */
function mixpanelImportStandIn(): BatchStandIn {
  const requests: StandInRequest[] = []
  const accepted = new Set<number>()
  const seen = new Set<string>()
  const script: (() => Response)[] = []
  const handler = http.post('https://api.mixpanel.com/import', async ({ request }) => {
    if (new URL(request.url).searchParams.get('strict') !== '1')
      return new HttpResponse(null, { status: 400 })
    if (request.headers.get('authorization') !== AUTHORIZATION) {
      return HttpResponse.json(
        { code: 401, error: 'Invalid credentials', status: 'Unauthorized' },
        { status: 401 },
      )
    }
    const text = await request.text()
    const bytes = Buffer.byteLength(text, 'utf8')
    const events = JSON.parse(text) as { event: string; properties: Record<string, unknown> }[]
    requests.push({
      bytes,
      refs: events.map((event) => event.properties.ref as number),
      names: events.map((event) => event.event),
      keys: events.map((event) => event.properties.$insert_id as string),
    })
    if (bytes > 2 * 1024 * 1024 || events.length > 2000) {
      return HttpResponse.json(
        { code: 413, error: 'request exceeds max limit of 2097152 bytes' },
        { status: 413 },
      )
    }
    const next = script.shift()
    if (next) return next()
    const failed: { index: number; insert_id: string; field: string; message: string }[] = []
    events.forEach((event, index) => {
      const { properties } = event
      const insertId = String(properties.$insert_id)
      if (
        typeof properties.time !== 'number' ||
        typeof properties.distinct_id !== 'string' ||
        properties.invalid
      ) {
        failed.push({
          index,
          insert_id: insertId,
          field: 'properties.invalid',
          message: "'properties.invalid' is invalid",
        })
        return
      }
      if (seen.has(insertId)) return
      seen.add(insertId)
      accepted.add(properties.ref as number)
    })
    const imported = events.length - failed.length
    if (failed.length > 0) {
      return HttpResponse.json(
        {
          code: 400,
          error: 'some data points in the request failed validation',
          status: 'Bad Request',
          num_records_imported: imported,
          failed_records: failed,
        },
        { status: 400 },
      )
    }
    return HttpResponse.json({ code: 200, num_records_imported: imported, status: 'OK' })
  })
  return {
    handler,
    requests,
    accepted,
    script,
    reset() {
      requests.length = 0
      accepted.clear()
      seen.clear()
      script.length = 0
    },
  }
}

const standIn = mixpanelImportStandIn()
useMswServer([standIn.handler], () => standIn.reset())

batchingCases({
  adapter: mixpanelAdapter(),
  config: { projectToken: TOKEN },
  standIn,
  maxItems: 2000,
  keys: true,
  bad: { invalid: true },
  // One request: Mixpanel imported the four valid events of it.
  badRequests: [5],
  throttled: () =>
    HttpResponse.json({ code: 429, error: 'rate limited' }, { status: 429, headers: { 'retry-after': '3' } }),
  pauseMs: 3000,
})
