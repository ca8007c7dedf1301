import { isDeepStrictEqual } from 'node:util'
import { HttpResponse, http } from 'msw'
import { describe, expect, it } from 'vitest'
import type { AdapterRequestContext } from '../../../src/adapters/adapter.js'
import { BRAZE_LIMITS, type BrazeConfig, brazeAdapter } from '../../../src/adapters/braze/index.js'
import type { DeliveryFailed } from '../../../src/delivery/delivery.js'
import { assertAdapterConformance } from '../../../src/testing/index.js'
import type { TransportResponse } from '../../../src/transport/transport.js'
import { createAdapterRouter, emitOnce } from '../shared/adapter-router.js'
import { LOYALTY_PAYLOAD } from '../shared/loyalty-payload.js'
import { useMswServer } from '../shared/msw-server.js'

const REST_ENDPOINT = 'https://rest.iad-01.braze.com'
const TRACK_URL = `${REST_ENDPOINT}/users/track`
// A REST API key has the shape of a UUID.
const API_KEY = 'b7e2a1f4-9c3d-4e8a-a1b2-3c4d5e6f7a8b'
const OCCURRED_AT = '2026-11-01T10:00:00.000Z'
const PAYLOAD = LOYALTY_PAYLOAD
// What /users/track must receive for PAYLOAD (event_object.md).
const EXPECTED_BODY = {
  events: [
    {
      external_id: 'cus_981',
      name: 'Loyalty wallet.coins_rewarded',
      time: OCCURRED_AT,
      properties: PAYLOAD,
    },
  ],
}
const RATE_HEADERS = { 'X-RateLimit-Limit': '3000', 'X-RateLimit-Remaining': '2999' }

// Braze answers, shaped as post_user_track.md ("Responses") and errors.md document them.
const answers = {
  success: () => HttpResponse.json({ events_processed: 1, message: 'success' }, { status: 201 }),
  queued: () => HttpResponse.json({ message: 'queued' }, { status: 202 }),
  partial: () =>
    HttpResponse.json(
      {
        message: 'success',
        errors: [{ type: "'name' must be a non-empty string", input_array: 'events', index: 0 }],
      },
      { status: 201 },
    ),
  fatal: () =>
    HttpResponse.json(
      {
        message: "Valid data must be provided in the 'attributes', 'events', or 'purchases' fields.",
        errors: [{ type: "'time' is not a valid datetime", input_array: 'events', index: 0 }],
      },
      { status: 400 },
    ),
  // Should Braze ever echo the key in an error, it must not reach the host.
  unauthorized: (key: string) => HttpResponse.json({ message: `Invalid API key: ${key}` }, { status: 401 }),
  rateLimited: (resetEpochSeconds: number) =>
    HttpResponse.json(
      { message: 'Rate Limited' },
      {
        status: 429,
        headers: {
          ...RATE_HEADERS,
          'X-RateLimit-Remaining': '0',
          'X-RateLimit-Reset': String(resetEpochSeconds),
        },
      },
    ),
  unavailable: () => HttpResponse.json({ message: 'Service Unavailable' }, { status: 503 }),
  internal: () => HttpResponse.json({ message: 'Internal Server Error' }, { status: 500 }),
}

let script: (() => Response)[] = []
const received: { headers: Record<string, string>; body: unknown }[] = []

useMswServer(
  [
    http.post(TRACK_URL, async ({ request }) => {
      // Checked the way /users/track would: exact URL, method, headers and body.
      const headers = Object.fromEntries(request.headers.entries())
      const body: unknown = await request.json()
      received.push({ headers, body })
      if (new URL(request.url).search !== '')
        return HttpResponse.json({ message: 'Not Found' }, { status: 404 })
      if (headers.authorization !== `Bearer ${API_KEY}`) {
        return answers.unauthorized(headers.authorization?.replace(/^Bearer /, '') ?? '')
      }
      // A mismatch is a final 400, so the test sees it at once in the delivery's error.
      if (
        !isDeepStrictEqual(headers, {
          authorization: `Bearer ${API_KEY}`,
          'content-type': 'application/json',
        })
      ) {
        return HttpResponse.json(
          { message: `unexpected headers ${JSON.stringify(headers)}` },
          { status: 400 },
        )
      }
      if (!isDeepStrictEqual(body, EXPECTED_BODY)) {
        return HttpResponse.json({ message: `unexpected body ${JSON.stringify(body)}` }, { status: 400 })
      }
      return (script.shift() ?? answers.success)()
    }),
  ],
  () => {
    script = []
    received.length = 0
  },
)

function setup(config: Record<string, unknown> = { apiKey: API_KEY, restEndpoint: REST_ENDPOINT }) {
  const { router, failures } = createAdapterRouter(brazeAdapter(), config)
  const emit = async (payload: Record<string, unknown> = PAYLOAD) =>
    (await emitOnce(router, payload, { id: 'evt_1', occurredAt: OCCURRED_AT })).result
  return { router, failures, emit }
}

describe('brazeAdapter over HTTP (msw, default transport)', () => {
  it('delivers one event object to /users/track and succeeds on 201 "success"', async () => {
    const { emit } = setup()
    const result = await emit()
    expect(result).toMatchObject({ status: 'succeeded', attempts: 1, responseStatus: 201 })
    expect(received).toEqual([
      {
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body: EXPECTED_BODY,
      },
    ])
  })

  it('accepts 202 "queued" (processing paused for maintenance) as success', async () => {
    script = [answers.queued]
    const result = await setup().emit()
    expect(result).toMatchObject({ status: 'succeeded', attempts: 1, responseStatus: 202 })
  })

  it('fails for good when a "success" answer lists our event in errors[]', async () => {
    script = [answers.partial]
    const result = (await setup().emit()) as DeliveryFailed
    expect(result).toMatchObject({ status: 'failed', reason: 'not_retryable', attempts: 1 })
    expect(result.error.code).toBe('ERR_HTTP_STATUS')
    expect(result.error.message).toContain(
      "answered 201 (HTTP 201: Braze rejected the event: 'name' must be a non-empty string (events[0]))",
    )
  })

  it('fails for good on a fatal 400, with Braze message and error types in the reason', async () => {
    script = [answers.fatal]
    const result = (await setup().emit()) as DeliveryFailed
    expect(result).toMatchObject({ status: 'failed', reason: 'not_retryable', attempts: 1 })
    expect(result.error.message).toContain("Valid data must be provided in the 'attributes'")
    expect(result.error.message).toContain("'time' is not a valid datetime (events[0])")
  })

  it('fails for good on 401 and never repeats the API key', async () => {
    const wrongKey = 'f0e1d2c3-0000-4e8a-a1b2-3c4d5e6f7a8b'
    const { emit, router } = setup({ apiKey: wrongKey, restEndpoint: REST_ENDPOINT })
    const result = (await emit()) as DeliveryFailed
    expect(result).toMatchObject({ status: 'failed', reason: 'not_retryable', attempts: 1 })
    expect(result.error.message).toContain('answered 401 (HTTP 401: Invalid API key: ***)')
    expect(JSON.stringify([result.error.message, router.integrations.list()])).not.toContain(wrongKey)
  })

  it('masks the configured key in a reason that echoes it', async () => {
    const adapter = brazeAdapter()
    const config = adapter.configSchema.parse({ apiKey: API_KEY, restEndpoint: REST_ENDPOINT })
    const response = {
      status: 401,
      headers: {},
      body: JSON.stringify({ message: `Invalid API key: ${API_KEY}` }),
    }
    expect(adapter.classifyResponse(response, context(config))).toEqual({
      outcome: 'fail',
      reason: 'HTTP 401: Invalid API key: ***',
    })
  })

  it('retries a 429 "Rate Limited" at X-RateLimit-Reset, then succeeds', async () => {
    const reset = Math.floor(Date.now() / 1000) + 2
    script = [() => answers.rateLimited(reset)]
    const { emit, failures } = setup()
    const result = await emit()
    expect(result).toMatchObject({ status: 'succeeded', attempts: 2 })
    expect(failures).toHaveLength(1)
    expect(failures[0]?.error.status).toBe(429)
    expect(failures[0]?.error.message).toContain('HTTP 429: Rate Limited')
    expect(failures[0]?.error.retryAfterMs).toBeGreaterThan(500)
    expect(failures[0]?.error.retryAfterMs).toBeLessThanOrEqual(2000)
    // The wait is capped by the router's maxTimeout.
    expect(failures[0]?.delayMs).toBe(5)
  })

  it('retries 503 and 500 with backoff, then succeeds', async () => {
    script = [answers.unavailable, answers.internal]
    const { emit, failures } = setup()
    const result = await emit()
    expect(result).toMatchObject({ status: 'succeeded', attempts: 3 })
    expect(failures.map((failure) => failure.error.status)).toEqual([503, 500])
    expect(received).toHaveLength(3)
  })

  it('gives up after the retries when Braze keeps failing', async () => {
    script = Array.from({ length: 6 }, () => answers.internal)
    const result = (await setup().emit()) as DeliveryFailed
    expect(result).toMatchObject({ status: 'failed', reason: 'retries_exhausted', attempts: 6 })
    expect(result.error.message).toContain('HTTP 500: Internal Server Error')
  })
})

/** A request context as the delivery loop builds it. */
function context(
  config: BrazeConfig,
  payload: Record<string, unknown> = PAYLOAD,
): AdapterRequestContext<BrazeConfig> {
  return {
    event: {
      id: 'evt_1',
      name: 'wallet.coins_rewarded',
      outgoingName: 'Loyalty wallet.coins_rewarded',
      payload,
      occurredAt: new Date(OCCURRED_AT),
    },
    config,
    delivery: {
      tenant: null,
      id: 'dlv_1',
      eventId: 'evt_1',
      eventName: 'wallet.coins_rewarded',
      outgoingName: 'Loyalty wallet.coins_rewarded',
      subscriptionId: 'sub_1',
      integrationId: 'braze',
      integrationType: 'braze',
    },
    attempt: 1,
  }
}

async function eventObjectFor(extra: Record<string, unknown>, payload: Record<string, unknown> = PAYLOAD) {
  const adapter = brazeAdapter()
  const config = adapter.configSchema.parse({ apiKey: API_KEY, restEndpoint: REST_ENDPOINT, ...extra })
  const request = await adapter.buildRequest(context(config, payload))
  return (JSON.parse(request.body ?? '') as typeof EXPECTED_BODY).events[0]
}

describe('brazeAdapter identity mapping', () => {
  const { customer, ...rest } = PAYLOAD

  it('sends external_id by default, then falls back to email', async () => {
    expect(await eventObjectFor({})).toMatchObject({ external_id: 'cus_981' })
    const byEmail = await eventObjectFor({}, { ...rest, customer: { ...customer, id: '' } })
    expect(byEmail).toMatchObject({ email: 'ana@example.com' })
    expect(byEmail).not.toHaveProperty('external_id')
  })

  it('sends exactly one identifier, in the order externalId, email, phone', async () => {
    const all = { externalId: 'customer.id', email: 'customer.email', phone: 'customer.mobile' }
    const object = await eventObjectFor({ identity: all })
    expect(Object.keys(object ?? {})).toEqual(['external_id', 'name', 'time', 'properties'])
    const phoneOnly = await eventObjectFor({ identity: { phone: 'customer.mobile' } })
    expect(phoneOnly).toMatchObject({ phone: '+919876543210' })
  })

  it('sends a numeric customer id as a string, and skips a phone number not in E.164', async () => {
    const numeric = await eventObjectFor({}, { ...rest, customer: { ...customer, id: 981 } })
    expect(numeric).toMatchObject({ external_id: '981' })
    const adapter = brazeAdapter()
    const config = adapter.configSchema.parse({
      apiKey: API_KEY,
      restEndpoint: REST_ENDPOINT,
      identity: { phone: 'customer.mobile' },
    })
    const local = context(config, { ...rest, customer: { ...customer, mobile: '98765 43210' } })
    expect(() => adapter.buildRequest(local)).toThrow(
      'Braze needs a user identifier, but the payload has none of: an E.164 phone number at `customer.mobile`.',
    )
  })

  it('adds _update_existing_only only when asked', async () => {
    expect(await eventObjectFor({})).not.toHaveProperty('_update_existing_only')
    expect(await eventObjectFor({ updateExistingOnly: true })).toMatchObject({ _update_existing_only: true })
  })

  it('fails the delivery for good (ERR_ADAPTER) when no identifier resolves, sending nothing', async () => {
    const result = (await setup().emit({ coins: 150, customer: { name: 'Ana Lima' } })) as DeliveryFailed
    expect(result).toMatchObject({ status: 'failed', reason: 'not_retryable', attempts: 1 })
    expect(result.error.code).toBe('ERR_ADAPTER')
    expect(result.error.message).toContain(
      'none of: an external id at `customer.id`, an email at `customer.email`',
    )
    expect(received).toHaveLength(0)
  })

  it.each([
    [{ time: 'now' }, /reserves the event property name `time`/],
    [{ event_name: 'x' }, /reserves the event property name `event_name`/],
    [{ $price: 1 }, /without a leading `\$`/],
    [{ ['k'.repeat(256)]: 1 }, /1-255 characters/],
  ])('rejects a payload Braze would refuse: %#', (extra, message) => {
    const adapter = brazeAdapter()
    const config = adapter.configSchema.parse({ apiKey: API_KEY, restEndpoint: REST_ENDPOINT })
    expect(() => adapter.buildRequest(context(config, { ...PAYLOAD, ...extra }))).toThrow(message)
  })
})

describe('brazeAdapter.configSchema', () => {
  const adapter = brazeAdapter()
  const issuesOf = (config: unknown) =>
    (adapter.configSchema.safeParse(config).error?.issues ?? []).map(({ path, message }) => ({
      path,
      message,
    }))

  it('accepts a full config unchanged, and loopback http for tests', () => {
    const config = {
      apiKey: API_KEY,
      restEndpoint: 'https://rest.fra-01.braze.eu/',
      identity: { email: 'customer.email' },
      updateExistingOnly: true,
    }
    expect(adapter.configSchema.parse(config)).toEqual(config)
    expect(
      adapter.configSchema.safeParse({ apiKey: API_KEY, restEndpoint: 'http://127.0.0.1:4010' }).success,
    ).toBe(true)
    expect(adapter.secretFields).toEqual(['apiKey'])
    expect(adapter.type).toBe('braze')
    expect(brazeAdapter({ type: 'braze-eu' }).type).toBe('braze-eu')
  })

  it.each([
    ['a missing key', { restEndpoint: REST_ENDPOINT }, ['apiKey'], /REST API key \(a string\)/],
    ['an empty key', { apiKey: '', restEndpoint: REST_ENDPOINT }, ['apiKey'], /empty string/],
    ['a Bearer prefix', { apiKey: `Bearer ${API_KEY}`, restEndpoint: REST_ENDPOINT }, ['apiKey'], /Bearer/],
    ['a missing endpoint', { apiKey: API_KEY }, ['restEndpoint'], /string such as/],
    [
      'a relative endpoint',
      { apiKey: API_KEY, restEndpoint: 'rest.iad-01.braze.com' },
      ['restEndpoint'],
      /REST endpoint/,
    ],
    [
      'plain http',
      { apiKey: API_KEY, restEndpoint: 'http://rest.iad-01.braze.com' },
      ['restEndpoint'],
      /https/,
    ],
    [
      'the dashboard URL',
      { apiKey: API_KEY, restEndpoint: 'https://dashboard-01.braze.com' },
      ['restEndpoint'],
      /not the dashboard/,
    ],
    ['a path', { apiKey: API_KEY, restEndpoint: TRACK_URL }, ['restEndpoint'], /without a path/],
    [
      'credentials',
      { apiKey: API_KEY, restEndpoint: 'https://u:p@rest.iad-01.braze.com' },
      ['restEndpoint'],
      /credentials/,
    ],
    [
      'an empty identity',
      { apiKey: API_KEY, restEndpoint: REST_ENDPOINT, identity: {} },
      ['identity'],
      /at least one/,
    ],
    [
      'a bad path',
      { apiKey: API_KEY, restEndpoint: REST_ENDPOINT, identity: { email: 'a..b' } },
      ['identity', 'email'],
      /dotted payload path/,
    ],
    [
      'a non-boolean flag',
      { apiKey: API_KEY, restEndpoint: REST_ENDPOINT, updateExistingOnly: 'yes' },
      ['updateExistingOnly'],
      /true or false/,
    ],
  ])('rejects %s, naming the field', (_case, config, path, message) => {
    const issues = issuesOf(config)
    expect(issues).toHaveLength(1)
    expect(issues[0]?.path).toEqual(path)
    expect(issues[0]?.message).toMatch(message)
    expect(issues[0]?.message).not.toContain(API_KEY)
  })

  it('rejects unknown keys', () => {
    expect(
      adapter.configSchema.safeParse({ apiKey: API_KEY, restEndpoint: REST_ENDPOINT, appId: 'x' }).error
        ?.issues,
    ).toMatchObject([{ code: 'unrecognized_keys', keys: ['appId'] }])
  })
})

describe('brazeAdapter.classifyResponse', () => {
  const adapter = brazeAdapter()
  const config = adapter.configSchema.parse({ apiKey: API_KEY, restEndpoint: REST_ENDPOINT })
  const classify = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    adapter.classifyResponse(
      { status, headers, body: typeof body === 'string' ? body : JSON.stringify(body) },
      context(config),
    )

  it('ignores errors that point at another object, and fails on events_processed: 0 or an odd message', () => {
    expect(
      classify(201, { message: 'success', errors: [{ type: 'x', input_array: 'purchases', index: 0 }] }),
    ).toEqual({
      outcome: 'success',
    })
    expect(classify(201, { message: 'success', errors: [{ type: 'bad event' }] })).toMatchObject({
      outcome: 'fail',
      reason: 'HTTP 201: Braze rejected the event: bad event',
    })
    expect(classify(201, { message: 'success', events_processed: 0 })).toMatchObject({ outcome: 'fail' })
    expect(classify(200, { message: 'something else' })).toMatchObject({
      outcome: 'fail',
      reason: 'HTTP 200: Braze answered `something else`',
    })
    expect(classify(204, '')).toEqual({ outcome: 'success' })
  })

  it('reads X-RateLimit-Reset (epoch seconds), preferring Retry-After', () => {
    const now = Date.now()
    const reset = String(Math.floor(now / 1000) + 10)
    const waited = classify(429, { message: 'Rate Limited' }, { 'x-ratelimit-reset': reset })
    expect(waited).toMatchObject({ outcome: 'retry', reason: 'HTTP 429: Rate Limited' })
    expect((waited as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(8000)
    expect(classify(429, '', { 'retry-after': '3', 'x-ratelimit-reset': reset })).toMatchObject({
      retryAfterMs: 3000,
    })
    expect(classify(429, '', { 'x-ratelimit-reset': '1' })).toEqual({ outcome: 'retry', reason: 'HTTP 429' })
  })

  it('trims long reasons to 300 characters', () => {
    const result = classify(400, { message: 'x'.repeat(1000) }) as { reason: string }
    expect(result.reason).toHaveLength(300)
  })
})

describe('brazeAdapter conformance', () => {
  const json = (status: number, body: unknown, headers: Record<string, string> = {}): TransportResponse => ({
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })

  it('passes the adapter conformance suite', async () => {
    await assertAdapterConformance({
      adapter: brazeAdapter(),
      config: { apiKey: API_KEY, restEndpoint: REST_ENDPOINT },
      invalidConfigs: [
        { config: { restEndpoint: REST_ENDPOINT }, field: 'apiKey' },
        { config: { apiKey: API_KEY, restEndpoint: 'http://rest.iad-01.braze.com' }, field: 'restEndpoint' },
        { config: { apiKey: API_KEY, restEndpoint: REST_ENDPOINT, identity: {} }, field: 'identity' },
      ],
      // Braze /users/track has no idempotency key: "duplicate" events are recorded as separate
      // events (post_user_track.md, FAQ), so no request can carry the delivery id usefully.
      idempotent: false,
      responses: {
        success: json(201, { events_processed: 1, message: 'success' }),
        clientError: json(400, {
          message: "Valid data must be provided in the 'attributes', 'events', or 'purchases' fields.",
        }),
        rateLimited: json(
          429,
          { message: 'Rate Limited' },
          { 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 1) },
        ),
        serverError: json(500, { message: 'Internal Server Error' }),
      },
    })
  })

  it('publishes the /users/track limits', () => {
    expect(BRAZE_LIMITS.usersTrack).toEqual({ limit: 3000, intervalMs: 3000, maxEventsPerRequest: 75 })
  })
})
