import { segmentAdapter } from 'eventrouter/adapters/segment'
import { HttpResponse, http } from 'msw'
import { type BatchStandIn, batchingCases, type StandInRequest } from '../shared/batching-cases.js'
import { useMswServer } from '../shared/msw-server.js'

const WRITE_KEY = 'Zq3vN8sLk2Rt6Yp9Wx4Mb7Hc1Jd5Fg0A'
const AUTHORIZATION = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`

/**
 * A stand-in for Segment's `POST /v1/batch` (http-api/index.md): Basic auth with the write key,
 * JSON, at most 500 KB per request and 32 KB per event (else 400 for the whole request), typed
 * `track` messages with `event`, `messageId` and a user or anonymous id. Deduplicates on
 * `messageId`. Answers `200 {"success":true}`.
 */
function segmentBatchStandIn(): BatchStandIn {
  const requests: StandInRequest[] = []
  const accepted = new Set<number>()
  const seen = new Set<string>()
  const script: (() => Response)[] = []
  const bad = (message: string) => HttpResponse.json({ success: false, message }, { status: 400 })
  const handler = http.post('https://api.segment.io/v1/batch', async ({ request }) => {
    if (request.headers.get('authorization') !== AUTHORIZATION) return new HttpResponse(null, { status: 401 })
    if (request.headers.get('content-type') !== 'application/json') return bad('content-type')
    const text = await request.text()
    const bytes = Buffer.byteLength(text, 'utf8')
    const { batch } = JSON.parse(text) as { batch: Record<string, unknown>[] }
    const record: StandInRequest = { bytes, refs: [], names: [], keys: [] }
    for (const message of batch) {
      record.refs.push((message.properties as { ref: number }).ref)
      record.names.push(String(message.event))
      record.keys.push(String(message.messageId))
    }
    requests.push(record)
    if (bytes > 500 * 1024) return bad('batch over 500KB')
    for (const message of batch) {
      if (Buffer.byteLength(JSON.stringify(message), 'utf8') > 32 * 1024) return bad('event over 32KB')
      if (message.type !== 'track' || typeof message.event !== 'string') return bad('not a track call')
      if (typeof message.messageId !== 'string' || (message.userId ?? message.anonymousId) === undefined) {
        return bad('missing messageId or identity')
      }
    }
    const next = script.shift()
    if (next) return next()
    for (const message of batch) {
      const id = String(message.messageId)
      if (seen.has(id)) continue
      seen.add(id)
      accepted.add((message.properties as { ref: number }).ref)
    }
    return HttpResponse.json({ success: true })
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

const standIn = segmentBatchStandIn()
useMswServer([standIn.handler], () => standIn.reset())

batchingCases({
  adapter: segmentAdapter(),
  config: { writeKey: WRITE_KEY },
  standIn,
  maxItems: 1000,
  keys: true,
  // Segment has no per-event answer: an event over its 32 KB fails alone before anything is sent.
  bad: { note: 'z'.repeat(33 * 1024) },
  badRequests: [4],
  throttled: () => new HttpResponse(null, { status: 429, headers: { 'retry-after': '2' } }),
  pauseMs: 2000,
})
