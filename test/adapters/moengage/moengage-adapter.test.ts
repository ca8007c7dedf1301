import { HttpResponse, http, type JsonBodyType } from 'msw'
import { setupServer } from 'msw/node'
import { describe, expect, it, vi } from 'vitest'
import {
  MOENGAGE_RATE_LIMITS,
  type MoEngageConfig,
  moengageAdapter,
} from '../../../src/adapters/moengage/index.js'
import { moengageRetryAfterMs } from '../../../src/adapters/moengage/moengage-response.js'
import type { DeliveryFailed, DeliveryResult } from '../../../src/delivery/delivery.js'
import { EventRouter, type Pacing } from '../../../src/index.js'
import { assertAdapterConformance, MockTransport } from '../../../src/testing/index.js'
import { deliverOnce } from '../shared/adapter-router.js'
import { LOYALTY_PAYLOAD, LOYALTY_PAYLOAD_FLAT } from '../shared/loyalty-payload.js'
import { useMswServer } from '../shared/msw-server.js'

const WORKSPACE_ID = 'OAPQQ2AMD01MJZYZX1YPG'
const API_KEY = 'dAtA-kEy-7f3b9c2e1a'
const CONFIG = { workspaceId: WORKSPACE_ID, apiKey: API_KEY, dataCenter: '03' } as const
const ENDPOINT = `https://api-03.moengage.com/v1/event/${WORKSPACE_ID}`
const AUTHORIZATION = `Basic ${Buffer.from(`${WORKSPACE_ID}:${API_KEY}`).toString('base64')}`
const OCCURRED_AT = '2025-03-14T09:26:53.589Z'

const PAYLOAD = LOYALTY_PAYLOAD

/** The attributes MoEngage receives for PAYLOAD: nested objects flattened with `_`. */
const FLAT_ATTRIBUTES = LOYALTY_PAYLOAD_FLAT

// Documented answers (moengage-documentation, api/data/data.yaml and data-overview.mdx).
const json = (status: number, body: JsonBodyType, headers: Record<string, string> = {}) =>
  HttpResponse.json(body, { status, headers })
const SUCCESS = () =>
  json(200, {
    status: 'success',
    message: 'Your request has been accepted and will be processed soon.',
    request_id: 'kXwpDESb',
  })
const failure = (status: number, type: string, message: string, extra: Record<string, unknown> = {}) =>
  json(status, { status: 'fail', error: { ...extra, message, type, request_id: 'PVUDFisO' } })

type Answer = () => Response
const received: { url: string; headers: Record<string, string>; body: unknown }[] = []
let answers: Answer[] = []

const server = useMswServer(
  [
    http.post('https://api-03.moengage.com/v1/event/:workspaceId', async ({ request }) => {
      const headers = Object.fromEntries(request.headers.entries())
      const text = await request.text()
      received.push({ url: request.url, headers, body: JSON.parse(text) })
      // Checked as MoEngage would: Basic auth with the Workspace ID as username, JSON body.
      if (headers.authorization !== AUTHORIZATION) {
        return failure(
          401,
          'Authentication required',
          'App Secret key mismatch. Please login to the dashboard',
        )
      }
      if (headers['content-type'] !== 'application/json') {
        return failure(400, 'Missing header value', 'The Content-Type Header is required')
      }
      return (answers.shift() ?? SUCCESS)()
    }),
  ],
  () => {
    received.length = 0
    answers = []
    vi.useRealTimers()
  },
)

function deliver(
  payload: Record<string, unknown> = PAYLOAD,
  config: Record<string, unknown> = CONFIG,
): Promise<DeliveryResult> {
  return deliverOnce(moengageAdapter(), config, payload, {
    integrationId: 'moengage',
    id: 'evt_1001',
    occurredAt: OCCURRED_AT,
  })
}

async function deliverFailed(payload?: Record<string, unknown>, config?: Record<string, unknown>) {
  const result = await deliver(payload, config)
  expect(result.status).toBe('failed')
  return result as DeliveryFailed
}

/** The request body MoEngage should receive, with `overrides` applied to the action. */
function expectedBody(action: Record<string, unknown> = {}, top: Record<string, unknown> = {}) {
  return {
    type: 'event',
    customer_id: 'cus_981',
    ...top,
    actions: [
      {
        action: 'Loyalty wallet.coins_rewarded',
        attributes: FLAT_ATTRIBUTES,
        current_time: '2025-03-14T09:26:53Z',
        ...action,
      },
    ],
  }
}

describe('moengageAdapter over HTTP (msw, default transport)', () => {
  it('sends the documented Track Event request and succeeds on `status: success`', async () => {
    const result = await deliver()
    expect(result).toMatchObject({ status: 'succeeded', attempts: 1, responseStatus: 200 })
    expect(received).toHaveLength(1)
    expect(received[0]?.url).toBe(ENDPOINT)
    // Exactly these: MoEngage documents no idempotency or other required header.
    expect(received[0]?.headers).toEqual({ authorization: AUTHORIZATION, 'content-type': 'application/json' })
    expect(received[0]?.body).toEqual(expectedBody())
  })

  it('uses the host of the configured data center, or `baseUrl`', async () => {
    const other = setupServer(
      http.post('https://api-101.moengage.com/v1/event/:id', () => SUCCESS()),
      http.post('http://127.0.0.1:4010/moengage/v1/event/:id', () => SUCCESS()),
    )
    server.close()
    other.listen({ onUnhandledRequest: 'error' })
    try {
      expect(await deliver(PAYLOAD, { ...CONFIG, dataCenter: '101' })).toMatchObject({ status: 'succeeded' })
      const local = { workspaceId: WORKSPACE_ID, apiKey: API_KEY, baseUrl: 'http://127.0.0.1:4010/moengage/' }
      expect(await deliver(PAYLOAD, local)).toMatchObject({ status: 'succeeded' })
    } finally {
      other.close()
      server.listen({ onUnhandledRequest: 'error' })
    }
  })

  it('sends `platform` and `user_identifiers` when configured', async () => {
    const config = {
      ...CONFIG,
      platform: 'unknown',
      identity: { customerId: 'customer.id', userIdentifiers: { moe_mobile: 'customer.mobile' } },
    }
    expect(await deliver(PAYLOAD, config)).toMatchObject({ status: 'succeeded' })
    expect(received[0]?.body).toEqual(
      expectedBody({ platform: 'unknown' }, { user_identifiers: { moe_mobile: '+919876543210' } }),
    )
  })

  it('fails at once on a 200 whose body says `status: fail`, with MoEngage’s message', async () => {
    answers = [() => failure(200, 'MissingAttributeError', 'actions can not be empty Array')]
    const result = await deliverFailed()
    expect(result).toMatchObject({ reason: 'not_retryable', attempts: 1 })
    expect(result.error.message).toContain(
      'HTTP 200 with a failure body: MissingAttributeError: actions can not be empty Array (request_id PVUDFisO)',
    )
  })

  it('fails at once on 401 with the error type and message, never the key', async () => {
    answers = [() => failure(401, 'Authentication required', 'App Secret key mismatch')]
    const result = await deliverFailed()
    expect(result).toMatchObject({ reason: 'not_retryable', attempts: 1 })
    expect(result.error).toMatchObject({ code: 'ERR_HTTP_STATUS', status: 401, retryable: false })
    expect(result.error.message).toContain('HTTP 401: Authentication required: App Secret key mismatch')
    expect(result.error.message).not.toContain(API_KEY)
  })

  it.each([
    [400, 'MissingAttributeError', 'customer_id is not found in the payload', { attribute: 'customer_id' }],
    [403, 'Account Suspended', 'Your account is suspended. Please contact MoEngage team.', {}],
    [409, 'Authentication Mismatch', 'App key mismatch in params and authentication', {}],
    [413, 'PayloadTooLarge', 'Payload size exceeds 128 KB', {}],
  ])('fails at once on %i', async (status, type, message, extra) => {
    answers = [() => failure(status, type, message, extra)]
    const result = await deliverFailed()
    expect(result).toMatchObject({ reason: 'not_retryable', attempts: 1 })
    expect(result.error.message).toContain(`HTTP ${status}: ${type}: ${message}`)
  })

  it('retries a 429 after `x-ratelimit-reset`, then succeeds', async () => {
    answers = [
      () =>
        json(
          429,
          {
            status: 'fail',
            error: {
              message: 'Rate limits for customers exceeded. Please Try After Some Time',
              type: 'Rate Limits Exceeded',
              request_id: 'onqucLYL',
            },
          },
          { 'x-ratelimit-limit': '30000', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '0' },
        ),
    ]
    const result = await deliver()
    expect(result).toMatchObject({ status: 'succeeded', attempts: 2 })
    expect(received).toHaveLength(2)
    expect(received[1]?.body).toEqual(received[0]?.body)
  })

  it('retries 5xx with backoff until the retries run out', async () => {
    const serverError = () => failure(500, 'ServerError', 'Internal Server Error')
    answers = Array.from({ length: 6 }, () => serverError)
    const result = await deliverFailed()
    expect(result).toMatchObject({ reason: 'retries_exhausted', attempts: 6 })
    expect(result.error.message).toContain('HTTP 500: ServerError: Internal Server Error')
  })
})

describe('moengageAdapter request building', () => {
  it('keeps nested objects as they are with `nestedObjects: keep`', async () => {
    await deliver(PAYLOAD, { ...CONFIG, nestedObjects: 'keep' })
    expect(received[0]?.body).toEqual(expectedBody({ attributes: PAYLOAD }))
  })

  it('flattens deeper objects, keeps primitive arrays, and turns arrays of objects into JSON', async () => {
    const payload = {
      customer: { id: 'cus_981', address: { city: 'Pune' } },
      tags: ['vip', 'early'],
      items: [{ sku: 'BEAN-1', qty: 2 }],
      empty: {},
    }
    await deliver(payload)
    expect(received[0]?.body).toEqual(
      expectedBody({
        attributes: {
          customer_id: 'cus_981',
          customer_address_city: 'Pune',
          tags: ['vip', 'early'],
          items: '[{"sku":"BEAN-1","qty":2}]',
        },
      }),
    )
  })

  it('sends a future `occurredAt` as the attempt’s time (MoEngage refuses future-dated events)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2025-03-14T09:00:00.000Z'))
    await deliver()
    expect(received[0]?.body).toEqual(expectedBody({ current_time: '2025-03-14T09:00:00Z' }))
  })

  it.each([
    ['two fields flattening to one attribute', { customer: { id: 'c1' }, customer_id: 'c1' }, /customer_id/],
    [
      'a `moe_` attribute',
      { customer: { id: 'c1' }, moe_score: 3 },
      /attribute `moe_score` starts with `moe_`/,
    ],
  ])('refuses %s before sending (ERR_ADAPTER)', async (_case, payload, message) => {
    const result = await deliverFailed(payload)
    expect(result).toMatchObject({ reason: 'not_retryable', attempts: 1 })
    expect(result.error.code).toBe('ERR_ADAPTER')
    expect(result.error.message).toMatch(message)
    expect(received).toHaveLength(0)
  })

  it('checks nested names for `moe_` too when objects are kept', async () => {
    // Flattened, `customer.moe_score` is the harmless `customer_moe_score`; kept, it is not.
    expect(await deliver({ customer: { id: 'c1', moe_score: 3 } })).toMatchObject({ status: 'succeeded' })
    const payload = { customer: { id: 'c1', moe_score: 3 } }
    const result = await deliverFailed(payload, { ...CONFIG, nestedObjects: 'keep' })
    expect(result).toMatchObject({ reason: 'not_retryable', attempts: 1 })
    expect(result.error.code).toBe('ERR_ADAPTER')
    expect(result.error.message).toMatch(/attribute `customer.moe_score` starts with `moe_`/)
    expect(received).toHaveLength(1)
  })

  it('refuses an event name with the reserved `moe_` prefix', async () => {
    const router = new EventRouter({ adapters: [moengageAdapter()], retry: { retries: 0 } })
    router.integrations.add({ id: 'moengage', type: 'moengage', config: CONFIG })
    router.subscriptions.create({
      event: 'wallet.coins_rewarded',
      integrationId: 'moengage',
      eventNamePrefix: 'moe_',
    })
    const [result] = await router.emit('wallet.coins_rewarded', PAYLOAD).settled
    expect(result).toMatchObject({ status: 'failed', reason: 'not_retryable' })
    expect((result as DeliveryFailed).error.message).toMatch(/event name `moe_wallet.coins_rewarded`/)
    expect(received).toHaveLength(0)
  })

  it('refuses a request over 128 KB before sending', async () => {
    const result = await deliverFailed({ ...PAYLOAD, note: 'x'.repeat(130 * 1024) })
    expect(result.error.code).toBe('ERR_ADAPTER')
    expect(result.error.message).toMatch(/over the Data API's limit of 131072 bytes \(128 KB\)/)
    expect(received).toHaveLength(0)
  })
})

describe('moengageAdapter identity mapping', () => {
  it('reads `customer_id` from the configured path; numbers become strings', async () => {
    const payload = { ...PAYLOAD, member: { number: 981 } }
    await deliver(payload, { ...CONFIG, identity: { customerId: 'member.number' } })
    const body = received[0]?.body as { customer_id: string }
    expect(body.customer_id).toBe('981')
  })

  it('sends only `user_identifiers` when no `customerId` is mapped', async () => {
    await deliver(PAYLOAD, { ...CONFIG, identity: { userIdentifiers: { moe_email: 'customer.email' } } })
    const body = received[0]?.body as Record<string, unknown>
    expect(body.customer_id).toBeUndefined()
    expect(body.user_identifiers).toEqual({ moe_email: 'ana@example.com' })
  })

  it('fails with ERR_ADAPTER, not retried, naming the paths, when the payload has no identifier', async () => {
    const config = {
      ...CONFIG,
      identity: { customerId: 'customer.id', userIdentifiers: { moe_mobile: 'customer.mobile' } },
    }
    const result = await deliverFailed({ coins: 150, customer: { email: 'ana@example.com' } }, config)
    expect(result).toMatchObject({ reason: 'not_retryable', attempts: 1 })
    expect(result.error).toMatchObject({ code: 'ERR_ADAPTER', retryable: false })
    expect(result.error.message).toContain(
      '`customer.id` (identity.customerId) or `customer.mobile` (identity.userIdentifiers.moe_mobile)',
    )
    expect(result.error.message).not.toContain(API_KEY)
    expect(received).toHaveLength(0)
  })

  it.each(['guest', 'unknown', '0', '  ', 'N/A'])('treats the placeholder id %j as missing', async (id) => {
    const result = await deliverFailed({ ...PAYLOAD, customer: { id } })
    expect(result.error.code).toBe('ERR_ADAPTER')
    expect(received).toHaveLength(0)
  })
})

describe('moengageAdapter.configSchema', () => {
  const adapter = moengageAdapter()
  const issuesOf = (config: unknown) => {
    const result = adapter.configSchema.safeParse(config)
    expect(result.success).toBe(false)
    return (result.error?.issues ?? []).map(({ path, message }) => ({ path, message }))
  }

  it('accepts a full config unchanged and declares the key secret', () => {
    const config: MoEngageConfig = {
      ...CONFIG,
      identity: { customerId: 'customer.id', userIdentifiers: { moe_mobile: 'customer.mobile' } },
      platform: 'web',
      nestedObjects: 'keep',
    }
    expect(adapter.configSchema.parse(config)).toEqual(config)
    expect(adapter.type).toBe('moengage')
    expect(adapter.secretFields).toEqual(['apiKey'])
  })

  it.each([
    ['a missing workspaceId', { apiKey: API_KEY, dataCenter: '01' }, ['workspaceId'], /Workspace ID/],
    ['a workspaceId with `:`', { ...CONFIG, workspaceId: 'A:B' }, ['workspaceId'], /letters, digits/],
    ['a missing apiKey', { workspaceId: WORKSPACE_ID, dataCenter: '01' }, ['apiKey'], /Data API key/],
    ['an apiKey with a space', { ...CONFIG, apiKey: 'abc def' }, ['apiKey'], /without whitespace/],
    ['an unknown data center', { ...CONFIG, dataCenter: '07' }, ['dataCenter'], /'01', '02', .* or '101'/],
    [
      'no data center nor baseUrl',
      { workspaceId: WORKSPACE_ID, apiKey: API_KEY },
      ['dataCenter'],
      /dashboard URL/,
    ],
    ['a relative baseUrl', { ...CONFIG, baseUrl: '/moengage' }, ['baseUrl'], /absolute http\(s\) URL/],
    ['credentials in baseUrl', { ...CONFIG, baseUrl: 'https://u:p@x.example' }, ['baseUrl'], /credentials/],
    ['an empty identity', { ...CONFIG, identity: {} }, ['identity'], /customerId/],
    [
      'a bad identity path',
      { ...CONFIG, identity: { customerId: 'customer..id' } },
      ['identity', 'customerId'],
      /dotted payload path/,
    ],
    ['a bad platform', { ...CONFIG, platform: 'Android' }, ['platform'], /`ANDROID`, `iOS`/],
    ['a bad nestedObjects', { ...CONFIG, nestedObjects: 'drop' }, ['nestedObjects'], /`flatten` or `keep`/],
  ])('rejects %s', (_case, config, path, message) => {
    const issues = issuesOf(config)
    expect(issues).toHaveLength(1)
    expect(issues[0]?.path).toEqual(path)
    expect(issues[0]?.message).toMatch(message)
    expect(issues[0]?.message).not.toContain(API_KEY)
  })

  it('rejects unknown keys', () => {
    const result = adapter.configSchema.safeParse({ ...CONFIG, appId: WORKSPACE_ID })
    expect(result.error?.issues).toMatchObject([{ code: 'unrecognized_keys', keys: ['appId'] }])
  })
})

describe('moengageAdapter rate-limit headers', () => {
  it('reads Retry-After first, then x-ratelimit-reset as seconds or as a unix time', () => {
    const now = Date.parse('2025-03-14T09:26:53.000Z')
    expect(moengageRetryAfterMs({ 'retry-after': '7', 'x-ratelimit-reset': '30' }, now)).toBe(7000)
    expect(moengageRetryAfterMs({ 'x-ratelimit-reset': '30' }, now)).toBe(30_000)
    expect(moengageRetryAfterMs({ 'x-ratelimit-reset': String(now / 1000 + 12) }, now)).toBe(12_000)
    expect(moengageRetryAfterMs({ 'x-ratelimit-reset': 'soon' }, now)).toBeUndefined()
    expect(moengageRetryAfterMs({}, now)).toBeUndefined()
  })
})

describe('moengageAdapter conformance', () => {
  it('passes the adapter conformance suite', async () => {
    await assertAdapterConformance({
      adapter: moengageAdapter(),
      config: { ...CONFIG },
      invalidConfigs: [
        { config: { workspaceId: WORKSPACE_ID, dataCenter: '01' }, field: 'apiKey' },
        { config: { apiKey: API_KEY, dataCenter: '01' }, field: 'workspaceId' },
        { config: { ...CONFIG, dataCenter: '7' }, field: 'dataCenter' },
        { config: { ...CONFIG, identity: { customerId: '' } }, field: 'identity' },
      ],
      // MoEngage's Track Event has no idempotency or deduplication key (api/data/data.yaml):
      // a retry after a lost response may record the event twice.
      idempotent: false,
      responses: {
        success: {
          status: 200,
          headers: { 'content-type': 'application/json' },
          body: '{"status":"success","message":"Your request has been accepted and will be processed soon.","request_id":"kXwpDESb"}',
        },
        clientError: {
          status: 400,
          headers: { 'content-type': 'application/json' },
          body: '{"status":"fail","error":{"attribute":"customer_id","message":"customer_id is not found in the payload","type":"MissingAttributeError","request_id":"TtnwRNrU"}}',
        },
        rateLimited: {
          status: 429,
          headers: { 'content-type': 'application/json', 'x-ratelimit-reset': '30' },
          body: '{"status":"fail","error":{"message":"Rate limits for customers exceeded. Please Try After Some Time","type":"Rate Limits Exceeded","request_id":"onqucLYL"}}',
        },
        serverError: {
          status: 500,
          headers: { 'content-type': 'application/json' },
          body: '{"status":"fail","error":{"message":"Internal Server Error","type":"ServerError","request_id":"KovrwJiF"}}',
        },
      },
    })
  })
})

describe('moengageAdapter pacing', () => {
  /** Emits `count` events to a MoEngage integration on fake timers; returns when each request started. */
  async function send(count: number, pacing?: Pacing | null) {
    vi.useFakeTimers()
    const transport = new MockTransport({
      status: 200,
      body: { status: 'success', message: 'Your request has been accepted and will be processed soon.' },
    })
    const router = new EventRouter({ adapters: [moengageAdapter()], transport })
    router.integrations.add({
      id: 'moengage',
      type: 'moengage',
      config: CONFIG,
      ...(pacing === undefined ? {} : { pacing }),
    })
    router.subscriptions.create({ event: 'wallet.coins_rewarded', integrationId: 'moengage' })
    const receipts = Array.from({ length: count }, () => router.emit('wallet.coins_rewarded', PAYLOAD))
    await vi.runAllTimersAsync()
    const results = (await Promise.all(receipts.map((receipt) => receipt.settled))).flat()
    expect(results.every((result) => result.status === 'succeeded')).toBe(true)
    await router.close()
    vi.useRealTimers()
    const first = transport.requests[0]?.receivedAt ?? 0
    return transport.requests.map((request) => request.receivedAt - first)
  }

  it("declares Track Event's published limit, 30,000 events per minute (MOENGAGE_RATE_LIMITS)", () => {
    expect(MOENGAGE_RATE_LIMITS).toEqual({ trackEvent: { limit: 30_000, intervalMs: 60_000 } })
    expect(moengageAdapter().pacing).toEqual({ perMinute: 30_000 })
  })

  it('adds no per-second limit: a burst well under 30,000 goes out at once', async () => {
    expect(new Set(await send(50))).toEqual(new Set([0]))
  })

  it('lets an integration override the limit (a workspace with a smaller quota)', async () => {
    expect(await send(3, { perMinute: 2 })).toEqual([0, 0, 60_000])
  })
})
