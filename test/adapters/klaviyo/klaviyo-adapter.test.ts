import { HttpResponse, http } from 'msw'
import { describe, expect, it } from 'vitest'
import type { AdapterRequestContext } from '../../../src/adapters/adapter.js'
import {
  KLAVIYO_MAX_PAYLOAD_BYTES,
  KLAVIYO_MAX_PROPERTIES,
  KLAVIYO_MAX_STRING_BYTES,
  KLAVIYO_RATE_LIMITS,
  type KlaviyoConfig,
  klaviyoAdapter,
} from '../../../src/adapters/klaviyo/index.js'
import { assertAdapterConformance } from '../../../src/testing/index.js'
import type { TransportResponse } from '../../../src/transport/transport.js'
import { createAdapterRouter, emitOnce } from '../shared/adapter-router.js'
import { LOYALTY_PAYLOAD } from '../shared/loyalty-payload.js'
import { useMswServer } from '../shared/msw-server.js'
import { EventCreateQueryV2 } from './create-event-request-schema.js'

const API_KEY = 'pk_9b3c1f0e7a2d4c6b8e0f1a2b3c4d5e6f7a'
const OCCURRED_AT = '2026-11-01T10:00:00.000Z'
const PAYLOAD = LOYALTY_PAYLOAD
const JSON_API = 'application/vnd.api+json'
const adapter = klaviyoAdapter()

/** The body Klaviyo must receive for PAYLOAD with the default config. */
function expectedBody(uniqueId: string, overrides: Record<string, unknown> = {}) {
  return {
    data: {
      type: 'event',
      attributes: {
        properties: PAYLOAD,
        time: OCCURRED_AT,
        unique_id: uniqueId,
        metric: { data: { type: 'metric', attributes: { name: 'Loyalty wallet.coins_rewarded' } } },
        profile: {
          data: {
            type: 'profile',
            attributes: { email: 'ana@example.com', phone_number: '+919876543210', external_id: 'cus_981' },
          },
        },
        ...overrides,
      },
    },
  }
}

/** A Klaviyo JSON:API error body (create_event.json, components.responses.ClientError). */
function klaviyoError(status: number, code: string, title: string, detail: string, pointer = '/data/') {
  return HttpResponse.json(
    {
      errors: [
        { id: `err-${status}`, status, code, title, detail, source: { pointer }, links: {}, meta: {} },
      ],
    },
    { status, headers: { 'content-type': JSON_API } },
  )
}

/** What Klaviyo would refuse in a Create Event body (create_event.json's size limits), or undefined. */
function overKlaviyoLimits(text: string): string | undefined {
  if (Buffer.byteLength(text) > 5 * 1024 * 1024) return 'The event payload exceeds 5 MB.'
  const properties = (JSON.parse(text) as { data?: { attributes?: { properties?: object } } }).data
    ?.attributes?.properties
  if (properties !== undefined && Object.keys(properties).length > 400) return 'More than 400 properties.'
  const strings: unknown[] = [properties]
  while (strings.length > 0) {
    const value = strings.pop()
    if (typeof value === 'string' && Buffer.byteLength(value) > 100 * 1024) return 'A string exceeds 100 KB.'
    if (value !== null && typeof value === 'object') strings.push(...Object.values(value))
  }
  return undefined
}

// A stand-in for Klaviyo's Create Event: checks the request the way the API does, records
// accepted events (deduplicated on profile + metric + unique_id), and answers scripted errors.
type Scripted = () => Response
const received: { headers: Record<string, string>; body: unknown; url: string }[] = []
const recorded = new Map<string, unknown>()
const script: Scripted[] = []

useMswServer(
  [
    http.all(/^https?:\/\/(a\.klaviyo\.com|127\.0\.0\.1:4010)\//, async ({ request }) => {
      const url = new URL(request.url)
      const headers = Object.fromEntries(request.headers.entries())
      const text = await request.text()
      received.push({ headers, body: JSON.parse(text), url: request.url })
      if (request.method !== 'POST' || url.pathname !== '/api/events' || url.search !== '') {
        return klaviyoError(404, 'not_found', 'Not found.', `No route ${request.method} ${url.pathname}`)
      }
      if (headers.authorization !== `Klaviyo-API-Key ${API_KEY}`) {
        return klaviyoError(
          401,
          'not_authenticated',
          'Authentication failed.',
          'Missing or invalid private key.',
        )
      }
      if (headers.revision !== '2026-07-15' && headers.revision !== '2026-04-15') {
        return klaviyoError(400, 'invalid', 'Invalid input.', 'Missing or invalid revision header.')
      }
      if (headers['content-type'] !== JSON_API || headers.accept !== JSON_API) {
        return klaviyoError(
          415,
          'unsupported_media_type',
          'Unsupported media type.',
          'Use application/vnd.api+json.',
        )
      }
      // create_event.json, `properties`: at most 400 properties, 5 MB, 100 KB per string.
      const tooBig = overKlaviyoLimits(text)
      if (tooBig !== undefined)
        return klaviyoError(400, 'invalid', 'Invalid input.', tooBig, '/data/attributes/properties')
      const parsed = EventCreateQueryV2.safeParse(JSON.parse(text))
      if (!parsed.success) {
        const issue = parsed.error.issues[0]
        return klaviyoError(
          400,
          'invalid',
          'Invalid input.',
          issue?.message ?? 'invalid',
          `/${issue?.path.join('/')}`,
        )
      }
      const next = script.shift()
      if (next) return next()
      const { attributes } = parsed.data.data
      const who = JSON.stringify(attributes.profile.data.attributes)
      const key = `${who}|${attributes.metric.data.attributes.name}|${attributes.unique_id}`
      if (!recorded.has(key)) recorded.set(key, attributes)
      return new HttpResponse(null, {
        status: 202,
        headers: { 'ratelimit-limit': '3500', 'ratelimit-remaining': '3499' },
      })
    }),
  ],
  () => {
    received.length = 0
    recorded.clear()
    script.length = 0
  },
)

/** A router with the default transport, one Klaviyo integration and one prefixed subscription. */
function setup(config: Record<string, unknown> = { apiKey: API_KEY }) {
  const { router, failures } = createAdapterRouter(klaviyoAdapter(), config)
  // Each event gets its own id: the router makes no deliveries for an id it accepted before.
  let next = 1001
  const emit = (payload: Record<string, unknown> = PAYLOAD) =>
    emitOnce(router, payload, { id: `evt_${next++}`, occurredAt: OCCURRED_AT })
  return { router, emit, failures }
}

describe('klaviyoAdapter over HTTP (msw stand-in for Create Event)', () => {
  it('sends the event exactly as Create Event expects and succeeds on 202', async () => {
    const { router, emit } = setup()
    const { result, deliveryId } = await emit()
    expect(result).toMatchObject({ status: 'succeeded', attempts: 1, responseStatus: 202 })
    expect(received).toHaveLength(1)
    expect(received[0]?.url).toBe('https://a.klaviyo.com/api/events')
    // Exactly these four headers reach Klaviyo (fetch adds nothing that msw would see).
    expect(received[0]?.headers).toEqual({
      authorization: `Klaviyo-API-Key ${API_KEY}`,
      revision: '2026-07-15',
      accept: JSON_API,
      'content-type': JSON_API,
    })
    expect(received[0]?.body).toEqual(expectedBody(deliveryId))
    expect(recorded.size).toBe(1)
    await router.close()
  })

  it('waits for Retry-After on 429, then resends the same unique_id', async () => {
    script.push(() =>
      HttpResponse.json(
        {
          errors: [
            {
              id: 'e429',
              code: 'throttled',
              title: 'Request was throttled.',
              detail: 'Request was throttled. Expected available in 1 second.',
              source: { pointer: '/data/' },
            },
          ],
        },
        { status: 429, headers: { 'retry-after': '1', 'content-type': JSON_API } },
      ),
    )
    const { router, emit, failures } = setup()
    const { result, deliveryId } = await emit()
    expect(result).toMatchObject({ status: 'succeeded', attempts: 2, responseStatus: 202 })
    expect(failures).toHaveLength(1)
    expect(failures[0]?.error).toMatchObject({ status: 429, retryable: true, retryAfterMs: 1000 })
    expect(failures[0]?.error.message).toContain('Request was throttled. Expected available in 1 second.')
    expect(failures[0]?.delayMs).toBe(5) // Retry-After (1000 ms), capped by this router's maxTimeout
    expect(received.map((request) => request.body)).toEqual([
      expectedBody(deliveryId),
      expectedBody(deliveryId),
    ])
    await router.close()
  })

  it('retries 503 and 500, and Klaviyo records the event once even when a 202 was lost', async () => {
    script.push(
      () => klaviyoError(503, 'service_unavailable', 'Service unavailable.', 'Try again later.'),
      () => klaviyoError(500, 'error', 'A server error occurred.', 'Internal error.'),
    )
    const { router, emit, failures } = setup()
    const { result } = await emit()
    expect(result).toMatchObject({ status: 'succeeded', attempts: 3 })
    expect(failures.map((failure) => failure.error.status)).toEqual([503, 500])
    // A retry of a delivery that Klaviyo had already accepted is deduplicated by unique_id.
    await emit()
    expect(received).toHaveLength(4)
    expect(
      new Set(
        received.map(
          (request) => (request.body as ReturnType<typeof expectedBody>).data.attributes.unique_id,
        ),
      ).size,
    ).toBe(2)
    await router.close()
  })

  it('gives up after the last retry of a persistent 500', async () => {
    for (let i = 0; i < 6; i++)
      script.push(() => klaviyoError(500, 'error', 'A server error occurred.', 'Internal error.'))
    const { router, emit } = setup()
    const { result } = await emit()
    expect(result).toMatchObject({ status: 'failed', reason: 'retries_exhausted', attempts: 6 })
    await router.close()
  })

  it.each([
    [
      400,
      'invalid',
      'Invalid phone number format (Example of a valid format: +13239169023)',
      '/data/attributes/profile/data/attributes/phone_number',
    ],
    [403, 'permission_denied', 'You do not have permission to perform this action.', '/data/'],
    [409, 'conflict', 'A conflicting event exists.', '/data/'],
    [415, 'unsupported_media_type', 'Unsupported media type "text/plain" in request.', '/data/'],
  ])(
    'fails at once on %i, with the detail and pointer in the error',
    async (status, code, detail, pointer) => {
      script.push(() => klaviyoError(status, code, 'Title.', detail, pointer))
      const { router, emit } = setup()
      const { result } = await emit()
      expect(result).toMatchObject({ status: 'failed', reason: 'not_retryable', attempts: 1 })
      if (result.status !== 'failed') throw new Error('expected a failure')
      expect(result.error.code).toBe('ERR_HTTP_STATUS')
      expect(result.error.message).toContain(`answered ${status} (HTTP ${status}: ${detail} (at ${pointer}))`)
      await router.close()
    },
  )

  it('fails at once on 401 (wrong key) without echoing the key', async () => {
    const { router, emit } = setup({ apiKey: 'pk_0000000000000000000000000000000000' })
    const { result } = await emit()
    expect(result).toMatchObject({ status: 'failed', reason: 'not_retryable', attempts: 1 })
    if (result.status !== 'failed') throw new Error('expected a failure')
    expect(result.error.message).toContain(
      'answered 401 (HTTP 401: Missing or invalid private key. (at /data/))',
    )
    expect(result.error.message).not.toContain('pk_0000')
    await router.close()
  })

  it('sends to a configured baseUrl with a configured revision', async () => {
    const { router, emit } = setup({
      apiKey: API_KEY,
      baseUrl: 'http://127.0.0.1:4010/',
      revision: '2026-04-15',
    })
    const { result } = await emit()
    expect(result).toMatchObject({ status: 'succeeded', responseStatus: 202 })
    expect(received[0]?.url).toBe('http://127.0.0.1:4010/api/events')
    expect(received[0]?.headers.revision).toBe('2026-04-15')
    await router.close()
  })

  it('fails with ERR_ADAPTER, sending nothing, when the payload has no identifier', async () => {
    const { router, emit } = setup()
    const { result } = await emit({ coins: 150, customer: { name: 'Ana Lima', mobile: '98765 43210' } })
    expect(result).toMatchObject({ status: 'failed', reason: 'not_retryable', attempts: 1 })
    if (result.status !== 'failed') throw new Error('expected a failure')
    expect(result.error.code).toBe('ERR_ADAPTER')
    expect(result.error.message).toContain(
      'none of: an email at `customer.email`, an E.164 phone number at `customer.mobile`, an external id at `customer.id`',
    )
    expect(result.error.message).not.toContain('98765')
    expect(received).toHaveLength(0)
    await router.close()
  })
})

/** A request context as the delivery loop builds it. */
function makeContext(
  config: KlaviyoConfig,
  payload: Record<string, unknown> = PAYLOAD,
  outgoingName = 'Loyalty wallet.coins_rewarded',
): AdapterRequestContext<KlaviyoConfig> {
  return {
    event: {
      id: 'evt_1001',
      name: 'wallet.coins_rewarded',
      outgoingName,
      payload,
      occurredAt: new Date(OCCURRED_AT),
    },
    config,
    delivery: {
      tenant: null,
      id: 'dlv_7f3a',
      eventId: 'evt_1001',
      eventName: 'wallet.coins_rewarded',
      outgoingName,
      subscriptionId: 'sub_1',
      integrationId: 'klaviyo',
      integrationType: 'klaviyo',
    },
    attempt: 1,
  }
}

async function bodyOf(
  config: Record<string, unknown>,
  payload?: Record<string, unknown>,
  outgoingName?: string,
) {
  const request = await adapter.buildRequest(
    makeContext(adapter.configSchema.parse(config), payload, outgoingName),
  )
  return JSON.parse(request.body ?? '') as ReturnType<typeof expectedBody>
}

describe('klaviyoAdapter.buildRequest: profile identifiers', () => {
  it('sends email, E.164 phone number and external id from the default paths', async () => {
    expect(await bodyOf({ apiKey: API_KEY })).toEqual(expectedBody('dlv_7f3a'))
  })

  it('omits a phone number that is not E.164 and keeps the other identifiers', async () => {
    const payload = { ...PAYLOAD, customer: { ...PAYLOAD.customer, mobile: '098765 43210' } }
    const body = await bodyOf({ apiKey: API_KEY }, payload)
    expect(body.data.attributes.profile.data.attributes).toEqual({
      email: 'ana@example.com',
      external_id: 'cus_981',
    })
  })

  it('reads configured paths only: the mapping replaces the default', async () => {
    const payload = { ...PAYLOAD, member: { contact: 'ana.lima@example.com' } }
    const body = await bodyOf({ apiKey: API_KEY, profile: { email: 'member.contact' } }, payload)
    expect(body.data.attributes.profile.data.attributes).toEqual({ email: 'ana.lima@example.com' })
  })

  it('sends a phone number alone, and a numeric external id as a string', async () => {
    expect(
      (await bodyOf({ apiKey: API_KEY }, { customer: { mobile: '+919876543210' } })).data.attributes.profile
        .data.attributes,
    ).toEqual({ phone_number: '+919876543210' })
    expect(
      (await bodyOf({ apiKey: API_KEY }, { customer: { id: 981 } })).data.attributes.profile.data.attributes,
    ).toEqual({
      external_id: '981',
    })
  })

  it('ignores identifiers of the wrong type or empty, and throws naming the configured paths', async () => {
    const config = adapter.configSchema.parse({
      apiKey: API_KEY,
      profile: { email: 'user.mail', externalId: 'user.uid' },
    })
    const context = makeContext(config, { user: { mail: '  ', uid: { nested: true } } })
    expect(() => adapter.buildRequest(context)).toThrow(
      'Klaviyo needs a profile identifier, but the payload has none of: an email at `user.mail`, an external id at `user.uid`.',
    )
  })
})

describe('klaviyoAdapter.buildRequest: value, metric name, request line', () => {
  it('sends value and value_currency from the configured paths', async () => {
    const payload = { ...PAYLOAD, order: { total: 499.5 } }
    const body = await bodyOf(
      { apiKey: API_KEY, valuePath: 'order.total', valueCurrencyPath: 'business.currency' },
      payload,
    )
    expect(body).toEqual(
      expectedBody('dlv_7f3a', { properties: payload, value: 499.5, value_currency: 'INR' }),
    )
  })

  it('upper-cases a currency code, and leaves out what is not a number or a 3-letter code', async () => {
    const config = { apiKey: API_KEY, valuePath: 'amount', valueCurrencyPath: 'currency' }
    const attributes = async (payload: Record<string, unknown>) =>
      (await bodyOf(config, { ...PAYLOAD, ...payload })).data.attributes
    expect(await attributes({ amount: 10, currency: 'inr' })).toMatchObject({
      value: 10,
      value_currency: 'INR',
    })
    expect(await attributes({ amount: 10, currency: '₹' })).not.toHaveProperty('value_currency')
    expect(await attributes({ amount: '10', currency: 'INR' })).not.toHaveProperty('value')
    expect(await attributes({ amount: '10', currency: 'INR' })).not.toHaveProperty('value_currency')
    expect(await attributes({ amount: Number.NaN })).not.toHaveProperty('value')
  })

  it('rejects a metric name of 128 characters or more, counting code points', async () => {
    const config = adapter.configSchema.parse({ apiKey: API_KEY })
    expect(await adapter.buildRequest(makeContext(config, PAYLOAD, '☕'.repeat(127)))).toBeDefined()
    expect(() => adapter.buildRequest(makeContext(config, PAYLOAD, `Loyalty ${'x'.repeat(120)}`))).toThrow(
      /metric names must be under 128 characters; .* has 128\. Use a shorter event name prefix\./,
    )
  })

  it('builds the same request for every attempt', async () => {
    const config = adapter.configSchema.parse({ apiKey: API_KEY })
    const first = await adapter.buildRequest(makeContext(config))
    const second = await adapter.buildRequest({ ...makeContext(config), attempt: 2 })
    expect(second).toEqual(first)
    expect(first).toEqual({
      method: 'POST',
      url: 'https://a.klaviyo.com/api/events',
      headers: {
        Authorization: `Klaviyo-API-Key ${API_KEY}`,
        revision: '2026-07-15',
        accept: JSON_API,
        'content-type': JSON_API,
      },
      body: JSON.stringify(expectedBody('dlv_7f3a')),
    })
  })
})

describe('klaviyoAdapter.classifyResponse', () => {
  const context = makeContext({ apiKey: API_KEY })
  const response = (status: number, body = '', headers: Record<string, string> = {}): TransportResponse => ({
    status,
    headers,
    body,
  })
  const errors = (...items: unknown[]) => JSON.stringify({ errors: items })

  it('accepts 202 with no body', () => {
    expect(adapter.classifyResponse(response(202), context)).toEqual({ outcome: 'success' })
  })

  it('retries 429 after Retry-After seconds, and 503 and 500', () => {
    expect(adapter.classifyResponse(response(429, '', { 'retry-after': '7' }), context)).toEqual({
      outcome: 'retry',
      reason: 'HTTP 429',
      retryAfterMs: 7000,
    })
    expect(adapter.classifyResponse(response(503, 'Service Unavailable'), context)).toEqual({
      outcome: 'retry',
      reason: 'HTTP 503',
    })
    expect(adapter.classifyResponse(response(500), context).outcome).toBe('retry')
  })

  it('joins several errors, falls back to title, and names a parameter', () => {
    const body = errors(
      {
        id: '1',
        code: 'invalid',
        title: 'Invalid input.',
        detail: 'bad email',
        source: { pointer: '/data/attributes/profile/data/attributes/email' },
      },
      { id: '2', code: 'invalid', title: 'Missing revision.', source: { parameter: 'revision' } },
      { id: '3', code: 'invalid' },
    )
    expect(adapter.classifyResponse(response(400, body), context)).toEqual({
      outcome: 'fail',
      reason:
        'HTTP 400: bad email (at /data/attributes/profile/data/attributes/email); Missing revision. (parameter revision); invalid',
    })
  })

  it('trims the reason to 300 characters and masks anything shaped like a private key', () => {
    const long = errors({ id: '1', code: 'invalid', title: 'T', detail: 'x'.repeat(500) })
    const reason = (adapter.classifyResponse(response(400, long), context) as { reason: string }).reason
    expect(reason).toHaveLength(300)
    expect(reason.endsWith('…')).toBe(true)
    const echoed = errors({
      id: '1',
      code: 'not_authenticated',
      title: 'T',
      detail: `Key ${API_KEY} is revoked.`,
    })
    expect(adapter.classifyResponse(response(401, echoed), context)).toEqual({
      outcome: 'fail',
      reason: 'HTTP 401: Key pk_*** is revoked.',
    })
  })

  it('keeps the plain status for bodies that are not Klaviyo errors', () => {
    expect(adapter.classifyResponse(response(404, '<html>Not Found</html>'), context)).toEqual({
      outcome: 'fail',
      reason: 'HTTP 404',
    })
    expect(adapter.classifyResponse(response(400, '{"errors":"nope"}'), context)).toEqual({
      outcome: 'fail',
      reason: 'HTTP 400',
    })
    expect(adapter.classifyResponse(response(400, 'null'), context)).toEqual({
      outcome: 'fail',
      reason: 'HTTP 400',
    })
  })
})

describe('klaviyoAdapter conformance and constants', () => {
  it('passes the adapter conformance suite', async () => {
    await assertAdapterConformance({
      adapter,
      config: { apiKey: API_KEY },
      invalidConfigs: [
        { config: {}, field: 'apiKey' },
        { config: { apiKey: 'AbC123' }, field: 'apiKey' },
        { config: { apiKey: API_KEY, baseUrl: 'a.klaviyo.com' }, field: 'baseUrl' },
        { config: { apiKey: API_KEY, revision: 'latest' }, field: 'revision' },
        { config: { apiKey: API_KEY, profile: {} }, field: 'profile' },
        { config: { apiKey: API_KEY, profile: { email: 'customer..email' } }, field: 'profile.email' },
      ],
      responses: {
        success: { status: 202, headers: {}, body: '' },
        clientError: {
          status: 400,
          headers: { 'content-type': JSON_API },
          body: JSON.stringify({
            errors: [{ id: '1', code: 'invalid', title: 'Invalid input.', detail: 'bad' }],
          }),
        },
        rateLimited: { status: 429, headers: { 'retry-after': '1' }, body: '' },
        serverError: { status: 500, headers: {}, body: '' },
      },
    })
  })

  it('exports the published Create Event and Bulk Create Events rate limits', () => {
    expect(KLAVIYO_RATE_LIMITS).toEqual({
      createEvent: { burst: { limit: 350, intervalMs: 1000 }, steady: { limit: 3500, intervalMs: 60_000 } },
      bulkCreateEvents: {
        burst: { limit: 10, intervalMs: 1000 },
        steady: { limit: 150, intervalMs: 60_000 },
      },
    })
    expect(Object.isFrozen(KLAVIYO_RATE_LIMITS.createEvent.burst)).toBe(true)
  })
})

describe('klaviyoAdapter size limits (create_event.json: 400 properties, 5 MB, 100 KB per string)', () => {
  const customer = { id: 'cus_981', email: 'ana@example.com' }
  /** A payload with `count` top-level properties, `customer` included. */
  const withProperties = (count: number) => ({
    customer,
    ...Object.fromEntries(Array.from({ length: count - 1 }, (_, i) => [`p${i}`, i])),
  })

  async function expectRefused(payload: Record<string, unknown>, message: string) {
    const { router, emit, failures } = setup()
    const { result } = await emit(payload)
    expect(result).toMatchObject({ status: 'failed', reason: 'not_retryable', attempts: 1 })
    if (result.status !== 'failed') throw new Error('expected a failure')
    expect(result.error.code).toBe('ERR_ADAPTER')
    expect(result.error.retryable).toBe(false)
    expect(result.error.message).toContain(message)
    expect(failures).toHaveLength(1)
    expect(received).toHaveLength(0)
    await router.close()
  }

  async function expectSent(payload: Record<string, unknown>) {
    const { router, emit } = setup()
    const { result } = await emit(payload)
    expect(result).toMatchObject({ status: 'succeeded', responseStatus: 202 })
    expect(received).toHaveLength(1)
    await router.close()
  }

  it('exports the limits', () => {
    expect([KLAVIYO_MAX_PROPERTIES, KLAVIYO_MAX_PAYLOAD_BYTES, KLAVIYO_MAX_STRING_BYTES]).toEqual([
      400,
      5 * 1024 * 1024,
      100 * 1024,
    ])
  })

  it('sends an event with 400 properties, and refuses one with 401 once, sending nothing', async () => {
    await expectSent(withProperties(400))
    received.length = 0
    await expectRefused(
      withProperties(401),
      "401 properties, over Create Event's limit of 400 properties per event",
    )
  })

  it('sends a string of exactly 100 KB, and refuses one over it, counted in UTF-8 bytes, naming the property', async () => {
    await expectSent({ customer, notes: [{ text: 'a'.repeat(100 * 1024) }] })
    received.length = 0
    // 51,201 characters, but 102,402 bytes: Klaviyo counts the size, not the characters.
    await expectRefused(
      { customer, notes: [{ text: 'é'.repeat(51_201) }] },
      "property `notes.0.text` is a string of 102402 bytes, over Create Event's limit of 102400 bytes (100 KB) per string",
    )
  })

  it('refuses a payload over 5 MB even when each string is under 100 KB', async () => {
    const payload = {
      customer,
      ...Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`chunk${i}`, 'x'.repeat(90 * 1024)])),
    }
    await expectRefused(payload, "over Create Event's limit of 5242880 bytes (5 MB)")
  })
})
