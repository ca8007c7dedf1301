import { brazeAdapter } from 'eventrouter/adapters/braze'
import { HttpResponse, http } from 'msw'
import { type BatchStandIn, batchingCases, type StandInRequest } from '../shared/batching-cases.js'
import { useMswServer } from '../shared/msw-server.js'

const REST_ENDPOINT = 'https://rest.iad-01.braze.com'
const API_KEY = 'b7e2a1f4-9c3d-4e8a-a1b2-3c4d5e6f7a8b'

/**
 * A stand-in for Braze's `POST /users/track` (post_user_track.md, api/errors.md): Bearer REST
 * key, JSON, at most 75 event objects (else 400), each with an identifier, `name` and `time`.
 * It processes what it can: an invalid event (`properties.invalid === true` stands for one) is
 * reported in `errors[]` (`input_array: "events"`, `index`) of a `201 {"message":"success"}`,
 * and the others are recorded. Braze has no idempotency key.
 */
function brazeUsersTrackStandIn(): BatchStandIn {
  const requests: StandInRequest[] = []
  const accepted = new Set<number>()
  const script: (() => Response)[] = []
  const handler = http.post(`${REST_ENDPOINT}/users/track`, async ({ request }) => {
    if (request.headers.get('authorization') !== `Bearer ${API_KEY}`) {
      return HttpResponse.json({ message: 'Invalid API Key' }, { status: 401 })
    }
    const text = await request.text()
    const { events } = JSON.parse(text) as { events: Record<string, unknown>[] }
    requests.push({
      bytes: Buffer.byteLength(text, 'utf8'),
      refs: events.map((event) => (event.properties as { ref: number }).ref),
      names: events.map((event) => String(event.name)),
      keys: events.map(() => undefined),
    })
    if (events.length > 75) return HttpResponse.json({ message: 'Too many events' }, { status: 400 })
    const next = script.shift()
    if (next) return next()
    const errors: { type: string; input_array: string; index: number }[] = []
    events.forEach((event, index) => {
      const identified = ['external_id', 'email', 'phone', 'braze_id', 'user_alias'].some(
        (key) => key in event,
      )
      const properties = event.properties as Record<string, unknown>
      if (
        !identified ||
        typeof event.name !== 'string' ||
        typeof event.time !== 'string' ||
        properties.invalid
      ) {
        errors.push({ type: "'invalid' is not a valid property", input_array: 'events', index })
        return
      }
      accepted.add(properties.ref as number)
    })
    return HttpResponse.json(
      {
        message: 'success',
        events_processed: events.length - errors.length,
        ...(errors.length ? { errors } : {}),
      },
      { status: 201 },
    )
  })
  return {
    handler,
    requests,
    accepted,
    script,
    reset() {
      requests.length = 0
      accepted.clear()
      script.length = 0
    },
  }
}

const standIn = brazeUsersTrackStandIn()
useMswServer([standIn.handler], () => standIn.reset())

batchingCases({
  adapter: brazeAdapter(),
  config: { apiKey: API_KEY, restEndpoint: REST_ENDPOINT },
  standIn,
  maxItems: 75,
  keys: false,
  bad: { invalid: true },
  badRequests: [5],
  throttled: () =>
    HttpResponse.json({ message: 'Rate Limited' }, { status: 429, headers: { 'retry-after': '1' } }),
  pauseMs: 1000,
})
