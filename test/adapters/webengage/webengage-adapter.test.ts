import { HttpResponse, http, type JsonBodyType } from 'msw'
import { describe, expect, it } from 'vitest'
import {
  formatWebEngageTime,
  type WebEngageConfig,
  webengageAdapter,
} from '../../../src/adapters/webengage/index.js'
import type { DeliveryFailed, DeliveryResult } from '../../../src/delivery/delivery.js'
import { assertAdapterConformance } from '../../../src/testing/index.js'
import { deliverOnce } from '../shared/adapter-router.js'
import { LOYALTY_PAYLOAD } from '../shared/loyalty-payload.js'
import { useMswServer } from '../shared/msw-server.js'

const LICENSE_CODE = '~10a5cb1dc'
const API_KEY = 'f1352231-143c-4f09-8910-102e1698ba90'
const CONFIG = { licenseCode: LICENSE_CODE, apiKey: API_KEY } as const
const ENDPOINT = `https://api.webengage.com/v1/accounts/${LICENSE_CODE}/events`
const OCCURRED_AT = '2025-03-14T09:26:53.589Z'

const PAYLOAD = LOYALTY_PAYLOAD

// Every answer is wrapped in `response` (rest-api-getting-started, "Response container").
const wrapped = (status: number, response: JsonBodyType, headers: Record<string, string> = {}) =>
  HttpResponse.json({ response }, { status, headers })
const QUEUED = () => wrapped(201, { status: 'queued' })

type Answer = () => Response
const received: { url: string; headers: Record<string, string>; body: unknown }[] = []
let answers: Answer[] = []

const handler = (host: string) =>
  http.post(`${host}/v1/accounts/:licenseCode/events`, async ({ request, params }) => {
    const headers = Object.fromEntries(request.headers.entries())
    received.push({ url: request.url, headers, body: JSON.parse(await request.text()) })
    // As WebEngage checks it: a wrong key is 401, a wrong license code 404.
    if (headers.authorization !== `Bearer ${API_KEY}`) {
      return wrapped(401, { status: 'error', message: 'Unauthorized' })
    }
    if (params.licenseCode !== LICENSE_CODE) {
      return wrapped(404, { status: 'error', message: 'Not Found' })
    }
    return (answers.shift() ?? QUEUED)()
  })

useMswServer(
  [
    handler('https://api.webengage.com'),
    handler('https://api.in.webengage.com'),
    handler('http://127.0.0.1:4020/webengage'),
  ],
  () => {
    received.length = 0
    answers = []
  },
)

async function deliver(
  payload: Record<string, unknown> = PAYLOAD,
  config: Record<string, unknown> = CONFIG,
  prefix = 'Loyalty ',
): Promise<DeliveryResult> {
  return deliverOnce(webengageAdapter(), config, payload, {
    integrationId: 'webengage',
    eventNamePrefix: prefix,
    id: 'evt_1001',
    occurredAt: OCCURRED_AT,
  })
}

async function deliverFailed(...args: Parameters<typeof deliver>) {
  const result = await deliver(...args)
  expect(result.status).toBe('failed')
  return result as DeliveryFailed
}

const EXPECTED_BODY = {
  userId: 'cus_981',
  eventName: 'Loyalty wallet.coins_rewarded',
  eventTime: '2025-03-14T09:26:53+0000',
  eventData: PAYLOAD,
}

describe('webengageAdapter over HTTP (msw, default transport)', () => {
  it('sends the documented /events request and succeeds on `queued`', async () => {
    const result = await deliver()
    expect(result).toMatchObject({ status: 'succeeded', attempts: 1, responseStatus: 201 })
    expect(received).toHaveLength(1)
    expect(received[0]?.url).toBe(ENDPOINT)
    // Exactly these: WebEngage documents no idempotency or other required header.
    expect(received[0]?.headers).toEqual({
      authorization: `Bearer ${API_KEY}`,
      'content-type': 'application/json',
    })
    expect(received[0]?.body).toEqual(EXPECTED_BODY)
  })

  it('uses the India host with `dataCenter: in`, and `baseUrl` over both', async () => {
    await deliver(PAYLOAD, { ...CONFIG, dataCenter: 'in' })
    await deliver(PAYLOAD, { ...CONFIG, dataCenter: 'in', baseUrl: 'http://127.0.0.1:4020/webengage/' })
    expect(received.map((request) => request.url)).toEqual([
      `https://api.in.webengage.com/v1/accounts/${LICENSE_CODE}/events`,
      `http://127.0.0.1:4020/webengage/v1/accounts/${LICENSE_CODE}/events`,
    ])
  })

  it('fails at once on 401 (bad key), with a hint and without the key', async () => {
    const result = await deliverFailed(PAYLOAD, { ...CONFIG, apiKey: 'revoked-key-0000' })
    expect(result).toMatchObject({ reason: 'not_retryable', attempts: 1 })
    expect(result.error).toMatchObject({ code: 'ERR_HTTP_STATUS', status: 401, retryable: false })
    expect(result.error.message).toContain('HTTP 401: Unauthorized: check `apiKey`')
    expect(result.error.message).not.toContain('revoked-key-0000')
  })

  it('fails at once on 404 (bad license code), pointing at `licenseCode` and `dataCenter`', async () => {
    const result = await deliverFailed(PAYLOAD, { ...CONFIG, licenseCode: 'in~76aa301' })
    expect(result).toMatchObject({ reason: 'not_retryable', attempts: 1 })
    expect(result.error.message).toContain('HTTP 404: Not Found: check `licenseCode`, and `dataCenter`')
  })

  it('fails at once on a 2xx whose container says `error`', async () => {
    answers = [() => wrapped(200, { status: 'error', message: 'eventName is required' })]
    const result = await deliverFailed()
    expect(result).toMatchObject({ reason: 'not_retryable', attempts: 1 })
    expect(result.error.message).toContain('HTTP 200 with an error body: eventName is required')
  })

  it('retries 429 after Retry-After and 5xx with backoff, then succeeds', async () => {
    answers = [
      () => wrapped(429, { status: 'error', message: 'Too Many Requests' }, { 'retry-after': '0' }),
      () => wrapped(503, { status: 'error', message: 'Service Unavailable' }),
    ]
    const result = await deliver()
    expect(result).toMatchObject({ status: 'succeeded', attempts: 3 })
    expect(received.map((request) => request.body)).toEqual([EXPECTED_BODY, EXPECTED_BODY, EXPECTED_BODY])
  })

  it('gives up after the retries when 5xx persists, with WebEngage’s message', async () => {
    answers = Array.from(
      { length: 6 },
      () => () => wrapped(500, { status: 'error', message: 'Internal error' }),
    )
    const result = await deliverFailed()
    expect(result).toMatchObject({ reason: 'retries_exhausted', attempts: 6 })
    expect(result.error.message).toContain('HTTP 500: Internal error')
  })
})

describe('webengageAdapter limits', () => {
  it('formats eventTime as yyyy-MM-ddTHH:mm:ss+0000 (UTC, whole seconds)', () => {
    expect(formatWebEngageTime(new Date('2026-07-23T04:45:00.999Z'))).toBe('2026-07-23T04:45:00+0000')
  })

  it('refuses an event name of 50 characters or more before sending (ERR_ADAPTER)', async () => {
    // 'Loyalty program ' (16) + 'wallet.coins_rewarded' (21) = 37: fine; 29 more is not.
    expect(await deliver(PAYLOAD, CONFIG, 'Loyalty program ')).toMatchObject({ status: 'succeeded' })
    const result = await deliverFailed(PAYLOAD, CONFIG, 'Acme Coffee loyalty program 2025 ')
    expect(result).toMatchObject({ reason: 'not_retryable', attempts: 1 })
    expect(result.error.code).toBe('ERR_ADAPTER')
    expect(result.error.message).toContain('is 54 characters; WebEngage needs fewer than 50')
    expect(received).toHaveLength(1)
  })

  it('refuses an event name starting with `we_`', async () => {
    const result = await deliverFailed(PAYLOAD, CONFIG, 'we_')
    expect(result.error.code).toBe('ERR_ADAPTER')
    expect(result.error.message).toContain('starts with `we_`')
    expect(received).toHaveLength(0)
  })

  it.each([
    [
      'a `we_` attribute',
      { customer: { id: 'c1', we_email: 'a@b.c' } },
      /attribute `customer.we_email` starts with `we_`/,
    ],
    [
      'a 50-character attribute name',
      { customer: { id: 'c1' }, ['x'.repeat(50)]: 1 },
      /name of 50 characters/,
    ],
  ])('refuses %s before sending', async (_case, payload, message) => {
    const result = await deliverFailed(payload)
    expect(result).toMatchObject({ reason: 'not_retryable', attempts: 1 })
    expect(result.error.code).toBe('ERR_ADAPTER')
    expect(result.error.message).toMatch(message)
    expect(received).toHaveLength(0)
  })

  it('cuts strings to 999 characters, counting code points, at any depth', async () => {
    const long = `${'é'.repeat(998)}🌊🌊`
    const payload = { customer: { id: 'c1', note: long }, tags: ['ok', 'x'.repeat(1200)] }
    await deliver(payload)
    const { eventData } = received[0]!.body as { eventData: { customer: { note: string }; tags: string[] } }
    expect(Array.from(eventData.customer.note)).toHaveLength(999)
    expect(eventData.customer.note.endsWith('é🌊')).toBe(true)
    expect(eventData.tags).toEqual(['ok', 'x'.repeat(999)])
  })
})

describe('webengageAdapter identity mapping', () => {
  it('sends `anonymousId` next to `userId` when both are mapped, and numbers as strings', async () => {
    const payload = { ...PAYLOAD, member: { number: 981 }, visitor: 'anon_77' }
    await deliver(payload, { ...CONFIG, identity: { userId: 'member.number', anonymousId: 'visitor' } })
    expect(received[0]?.body).toMatchObject({ userId: '981', anonymousId: 'anon_77' })
  })

  it('sends only `anonymousId` when the user id is missing', async () => {
    const config = { ...CONFIG, identity: { userId: 'customer.id', anonymousId: 'visitor' } }
    await deliver({ coins: 5, visitor: 'anon_77' }, config)
    expect(received[0]?.body).toEqual({
      anonymousId: 'anon_77',
      eventName: 'Loyalty wallet.coins_rewarded',
      eventTime: '2025-03-14T09:26:53+0000',
      eventData: { coins: 5, visitor: 'anon_77' },
    })
  })

  it('fails with ERR_ADAPTER, not retried, naming the paths, when the payload has no identity', async () => {
    const config = { ...CONFIG, identity: { userId: 'customer.id', anonymousId: 'visitor' } }
    const result = await deliverFailed({ coins: 150, customer: { id: '  ' } }, config)
    expect(result).toMatchObject({ reason: 'not_retryable', attempts: 1 })
    expect(result.error).toMatchObject({ code: 'ERR_ADAPTER', retryable: false })
    expect(result.error.message).toContain(
      '`customer.id` (identity.userId) or `visitor` (identity.anonymousId)',
    )
    expect(result.error.message).not.toContain(API_KEY)
    expect(received).toHaveLength(0)
  })
})

describe('webengageAdapter.configSchema', () => {
  const adapter = webengageAdapter()
  const issuesOf = (config: unknown) => {
    const result = adapter.configSchema.safeParse(config)
    expect(result.success).toBe(false)
    return (result.error?.issues ?? []).map(({ path, message }) => ({ path, message }))
  }

  it('accepts a full config as given (the URL in WHATWG form) and declares the key secret', () => {
    const config: WebEngageConfig = {
      ...CONFIG,
      dataCenter: 'in',
      baseUrl: 'https://api.in.webengage.com',
      identity: { userId: 'customer.id', anonymousId: 'visitor' },
    }
    expect(adapter.configSchema.parse(config)).toEqual({
      ...config,
      baseUrl: 'https://api.in.webengage.com/',
    })
    expect(adapter.type).toBe('webengage')
    expect(adapter.secretFields).toEqual(['apiKey'])
  })

  it.each([
    ['a missing licenseCode', { apiKey: API_KEY }, ['licenseCode'], /license code/],
    [
      'a licenseCode with `/`',
      { ...CONFIG, licenseCode: '../users' },
      ['licenseCode'],
      /letters, digits, `~`/,
    ],
    ['a missing apiKey', { licenseCode: LICENSE_CODE }, ['apiKey'], /REST API key/],
    ['an apiKey with a newline', { ...CONFIG, apiKey: 'abc\ndef' }, ['apiKey'], /without whitespace/],
    ['an unknown data center', { ...CONFIG, dataCenter: 'ksa' }, ['dataCenter'], /`global` or `in`/],
    [
      'a relative baseUrl',
      { ...CONFIG, baseUrl: 'api.webengage.com' },
      ['baseUrl'],
      /absolute http\(s\) URL/,
    ],
    [
      'a baseUrl with a query',
      { ...CONFIG, baseUrl: 'https://x.example/?a=1' },
      ['baseUrl'],
      /without a query/,
    ],
    ['an empty identity', { ...CONFIG, identity: {} }, ['identity'], /at least one of `userId`/],
    [
      'a bad identity path',
      { ...CONFIG, identity: { userId: '.id' } },
      ['identity', 'userId'],
      /dotted payload path/,
    ],
  ])('rejects %s', (_case, config, path, message) => {
    const issues = issuesOf(config)
    expect(issues).toHaveLength(1)
    expect(issues[0]?.path).toEqual(path)
    expect(issues[0]?.message).toMatch(message)
    expect(issues[0]?.message).not.toContain(API_KEY)
  })

  it('rejects unknown keys', () => {
    const result = adapter.configSchema.safeParse({ ...CONFIG, license: LICENSE_CODE })
    expect(result.error?.issues).toMatchObject([{ code: 'unrecognized_keys', keys: ['license'] }])
  })
})

describe('webengageAdapter conformance', () => {
  it('passes the adapter conformance suite', async () => {
    await assertAdapterConformance({
      adapter: webengageAdapter(),
      config: { ...CONFIG },
      invalidConfigs: [
        { config: { licenseCode: LICENSE_CODE }, field: 'apiKey' },
        { config: { apiKey: API_KEY }, field: 'licenseCode' },
        { config: { ...CONFIG, dataCenter: 'eu' }, field: 'dataCenter' },
        { config: { ...CONFIG, identity: { userId: 'a..b' } }, field: 'identity' },
      ],
      // WebEngage documents no idempotency or deduplication key for events: a retry after a
      // lost response may record the event twice.
      idempotent: false,
      responses: {
        success: {
          status: 201,
          headers: { 'content-type': 'application/json' },
          body: '{"response":{"status":"queued"}}',
        },
        clientError: {
          status: 401,
          headers: { 'content-type': 'application/json' },
          body: '{"response":{"status":"error","message":"Unauthorized"}}',
        },
        rateLimited: {
          status: 429,
          headers: { 'content-type': 'application/json', 'retry-after': '1' },
          body: '{"response":{"status":"error","message":"Too Many Requests"}}',
        },
        serverError: {
          status: 500,
          headers: { 'content-type': 'application/json' },
          body: '{"response":{"status":"error","message":"Internal error"}}',
        },
      },
    })
  })
})
