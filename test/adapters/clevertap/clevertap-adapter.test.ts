import { isDeepStrictEqual } from 'node:util'
import { HttpResponse, http } from 'msw'
import { describe, expect, it } from 'vitest'
import type { AdapterRequestContext } from '../../../src/adapters/adapter.js'
import {
  flattenEventData,
  toCleverTapEventName,
} from '../../../src/adapters/clevertap/clevertap-event-data.js'
import {
  CLEVERTAP_LIMITS,
  type CleverTapConfig,
  clevertapAdapter,
} from '../../../src/adapters/clevertap/index.js'
import type { DeliveryFailed } from '../../../src/delivery/delivery.js'
import { assertAdapterConformance } from '../../../src/testing/index.js'
import type { TransportResponse } from '../../../src/transport/transport.js'
import { createAdapterRouter, emitOnce } from '../shared/adapter-router.js'
import { LOYALTY_PAYLOAD, LOYALTY_PAYLOAD_FLAT } from '../shared/loyalty-payload.js'
import { useMswServer } from '../shared/msw-server.js'

const UPLOAD_URL = 'https://in1.api.clevertap.com/1/upload'
const ACCOUNT_ID = 'W9R-486-4W5Z'
const PASSCODE = 'QAE-AWB-AAAL-7f3k'
const CONFIG = { accountId: ACCOUNT_ID, passcode: PASSCODE, region: 'in1' }
const OCCURRED_AT = '2026-11-01T10:00:00.000Z'
const PAYLOAD = LOYALTY_PAYLOAD
// What /1/upload must receive for PAYLOAD: one event record, evtData flattened to scalars.
const EXPECTED_RECORD = {
  identity: 'cus_981',
  ts: 1793527200,
  type: 'event',
  evtName: 'Loyalty wallet_coins_rewarded',
  evtData: LOYALTY_PAYLOAD_FLAT,
}
const EXPECTED_HEADERS = {
  'x-clevertap-account-id': ACCOUNT_ID,
  'x-clevertap-passcode': PASSCODE,
  'content-type': 'application/json; charset=utf-8',
}

// CleverTap answers, as recorded in rudder-transformer's CleverTap fixtures (upload bodies)
// and developer.clevertap.com/docs/api-errors (codes); the 429 body's shape is assumed.
const answers = {
  success: () => HttpResponse.json({ status: 'success', processed: 1, unprocessed: [] }),
  rejected: (status: 'fail' | 'partial') =>
    HttpResponse.json({
      status,
      processed: 0,
      unprocessed: [
        {
          status: 'fail',
          code: 512,
          error:
            'Invalid event structure. ErrorCode: 512 - Invalid event structure. Skipped record number : 1',
          record: EXPECTED_RECORD,
        },
      ],
    }),
  failNothingListed: () => HttpResponse.json({ status: 'fail', processed: 0, unprocessed: [] }),
  unauthorized: () =>
    HttpResponse.json({ status: 'fail', error: 'Invalid Credentials', code: 401 }, { status: 401 }),
  tooManyConcurrent: () =>
    HttpResponse.json({ status: 'fail', error: 'Too many concurrent requests', code: 429 }, { status: 429 }),
  unavailable: () =>
    HttpResponse.json({ status: 'fail', error: 'Service Unavailable', code: 503 }, { status: 503 }),
  internal: () => new HttpResponse('Internal Server Error', { status: 500 }),
}

let script: (() => Response)[] = []
const received: { headers: Record<string, string>; body: unknown }[] = []

useMswServer(
  [
    http.post(UPLOAD_URL, async ({ request }) => {
      // Checked the way /1/upload would: exact URL, method, headers and body.
      const headers = Object.fromEntries(request.headers.entries())
      const body: unknown = await request.json()
      received.push({ headers, body })
      if (new URL(request.url).search !== '') return HttpResponse.json({ status: 'fail' }, { status: 404 })
      if (headers['x-clevertap-account-id'] !== ACCOUNT_ID || headers['x-clevertap-passcode'] !== PASSCODE) {
        return answers.unauthorized()
      }
      // A mismatch is a final 400, so the test sees it at once in the delivery's error.
      if (!isDeepStrictEqual(headers, EXPECTED_HEADERS)) {
        return HttpResponse.json(
          { status: 'fail', error: `headers ${JSON.stringify(headers)}` },
          { status: 400 },
        )
      }
      if (!isDeepStrictEqual(body, { d: [EXPECTED_RECORD] })) {
        return HttpResponse.json({ status: 'fail', error: `body ${JSON.stringify(body)}` }, { status: 400 })
      }
      return (script.shift() ?? answers.success)()
    }),
  ],
  () => {
    script = []
    received.length = 0
  },
)

function setup(config: Record<string, unknown> = CONFIG) {
  const { router, failures } = createAdapterRouter(clevertapAdapter(), config)
  const emit = async (payload: Record<string, unknown> = PAYLOAD) =>
    (await emitOnce(router, payload, { id: 'evt_1', occurredAt: OCCURRED_AT })).result
  return { router, failures, emit }
}

describe('clevertapAdapter over HTTP (msw, default transport)', () => {
  it('uploads one event record and succeeds on status "success"', async () => {
    const result = await setup().emit()
    expect(result).toMatchObject({ status: 'succeeded', attempts: 1, responseStatus: 200 })
    expect(received).toEqual([{ headers: EXPECTED_HEADERS, body: { d: [EXPECTED_RECORD] } }])
  })

  it.each(['fail', 'partial'] as const)(
    'fails for good on a 200 with status "%s" and an unprocessed record, without echoing the record',
    async (status) => {
      script = [() => answers.rejected(status)]
      const result = (await setup().emit()) as DeliveryFailed
      expect(result).toMatchObject({ status: 'failed', reason: 'not_retryable', attempts: 1 })
      expect(result.error.code).toBe('ERR_HTTP_STATUS')
      expect(result.error.message).toContain(
        'answered 200 (HTTP 200: CleverTap did not record the event: code 512: Invalid event structure.',
      )
      expect(result.error.message).not.toContain('ana@example.com')
    },
  )

  it('fails for good on a 200 with status "fail" and nothing listed', async () => {
    script = [answers.failNothingListed]
    const result = (await setup().emit()) as DeliveryFailed
    expect(result).toMatchObject({ status: 'failed', reason: 'not_retryable', attempts: 1 })
    expect(result.error.message).toContain('CleverTap did not record the event: status `fail`')
  })

  it('fails for good on 401 "Invalid Credentials" and never repeats the passcode', async () => {
    const wrong = { ...CONFIG, passcode: 'ZZZ-WRONG-PASS' }
    const { emit, router } = setup(wrong)
    const result = (await emit()) as DeliveryFailed
    expect(result).toMatchObject({ status: 'failed', reason: 'not_retryable', attempts: 1 })
    expect(result.error.message).toContain('answered 401 (HTTP 401: code 401: Invalid Credentials)')
    expect(JSON.stringify([result.error.message, router.integrations.list()])).not.toContain('ZZZ-WRONG-PASS')
  })

  it('retries 429 "Too many concurrent requests", then succeeds', async () => {
    script = [answers.tooManyConcurrent]
    const { emit, failures } = setup()
    const result = await emit()
    expect(result).toMatchObject({ status: 'succeeded', attempts: 2 })
    expect(failures).toHaveLength(1)
    expect(failures[0]?.error.status).toBe(429)
    expect(failures[0]?.error.message).toContain('HTTP 429: code 429: Too many concurrent requests')
    expect(failures[0]?.willRetry).toBe(true)
  })

  it('retries 503 and 500, then succeeds; gives up when they persist', async () => {
    script = [answers.unavailable, answers.internal]
    const first = setup()
    expect(await first.emit()).toMatchObject({ status: 'succeeded', attempts: 3 })
    expect(first.failures.map((failure) => failure.error.status)).toEqual([503, 500])

    script = Array.from({ length: 6 }, () => answers.internal)
    const result = (await setup().emit()) as DeliveryFailed
    expect(result).toMatchObject({ status: 'failed', reason: 'retries_exhausted', attempts: 6 })
    expect(result.error.message).toContain('HTTP 500: Internal Server Error')
  })
})

/** A request context as the delivery loop builds it. */
function context(
  config: CleverTapConfig,
  payload: Record<string, unknown> = PAYLOAD,
  outgoingName = 'Loyalty wallet.coins_rewarded',
): AdapterRequestContext<CleverTapConfig> {
  return {
    event: {
      id: 'evt_1',
      name: 'wallet.coins_rewarded',
      outgoingName,
      payload,
      occurredAt: new Date(OCCURRED_AT),
    },
    config,
    delivery: {
      tenant: null,
      id: 'dlv_1',
      eventId: 'evt_1',
      eventName: 'wallet.coins_rewarded',
      outgoingName,
      subscriptionId: 'sub_1',
      integrationId: 'clevertap',
      integrationType: 'clevertap',
    },
    attempt: 1,
  }
}

const adapter = clevertapAdapter()
const parse = (config: Record<string, unknown>) => adapter.configSchema.parse({ ...CONFIG, ...config })

async function build(extra: Record<string, unknown>, payload: Record<string, unknown> = PAYLOAD) {
  const request = await adapter.buildRequest(context(parse(extra), payload))
  return {
    url: request.url,
    record: (JSON.parse(request.body ?? '') as { d: Record<string, unknown>[] }).d[0],
  }
}

describe('clevertapAdapter identity mapping and hosts', () => {
  const { customer, ...rest } = PAYLOAD

  it('sends identity from customer.id by default; a numeric id as a string', async () => {
    expect((await build({})).record).toMatchObject({ identity: 'cus_981' })
    expect((await build({}, { ...rest, customer: { ...customer, id: 981 } })).record).toMatchObject({
      identity: '981',
    })
  })

  it('uses the configured paths, identity before objectId', async () => {
    const byEmail = await build({ identity: { identity: 'customer.email' } })
    expect(byEmail.record).toMatchObject({ identity: 'ana@example.com' })
    const fallback = await build(
      { identity: { identity: 'customer.id', objectId: 'device.objectId' } },
      {
        ...rest,
        customer: { ...customer, id: ' ' },
        device: { objectId: '-2ce3cca260664f70b82b1c6bb505f462' },
      },
    )
    expect(fallback.record).toMatchObject({ objectId: '-2ce3cca260664f70b82b1c6bb505f462' })
    expect(fallback.record).not.toHaveProperty('identity')
  })

  it('fails the delivery for good (ERR_ADAPTER) when no identifier resolves, sending nothing', async () => {
    const result = (await setup().emit({ coins: 150, customer: { name: 'Ana Lima' } })) as DeliveryFailed
    expect(result).toMatchObject({ status: 'failed', reason: 'not_retryable', attempts: 1 })
    expect(result.error.code).toBe('ERR_ADAPTER')
    expect(result.error.message).toContain(
      'CleverTap needs a user identifier, but the payload has none of: an identity at `customer.id`.',
    )
    expect(received).toHaveLength(0)
  })

  it.each([
    [{ region: 'eu1' }, 'https://api.clevertap.com/1/upload'],
    [{ region: 'in1' }, 'https://in1.api.clevertap.com/1/upload'],
    [{ region: 'sg1' }, 'https://sg1.api.clevertap.com/1/upload'],
    [{ region: 'us1' }, 'https://us1.api.clevertap.com/1/upload'],
    [{ region: 'aps3' }, 'https://aps3.api.clevertap.com/1/upload'],
    [{ region: 'mec1' }, 'https://mec1.api.clevertap.com/1/upload'],
    [{ region: undefined }, 'https://api.clevertap.com/1/upload'],
    [{ baseUrl: 'http://127.0.0.1:4010/' }, 'http://127.0.0.1:4010/1/upload'],
  ])('posts to the region host: %j', async (extra, url) => {
    expect((await build(extra)).url).toBe(url)
  })
})

describe('CleverTap event data', () => {
  it('flattens nested objects with `_`, numbers array items, drops nulls and empties', () => {
    expect(
      flattenEventData({
        order: {
          id: 'ord_1',
          total: 499.5,
          paid: true,
          items: [{ sku: 'LATTE' }, { sku: 'MOCHA' }],
          note: null,
        },
        tags: ['gold', 'vip'],
        empty: {},
        none: [],
        at: new Date(OCCURRED_AT) as unknown as string,
        skipped: undefined,
      }),
    ).toEqual({
      order_id: 'ord_1',
      order_total: 499.5,
      order_paid: true,
      order_items_0_sku: 'LATTE',
      order_items_1_sku: 'MOCHA',
      tags_0: 'gold',
      tags_1: 'vip',
      at: OCCURRED_AT,
    })
  })

  it('replaces prohibited characters in keys, and refuses collisions and long keys', () => {
    expect(flattenEventData({ $price: 1, 'a.b': 2, "x'y": 3 })).toEqual({ _price: 1, a_b: 2, x_y: 3 })
    expect(() => flattenEventData({ customer_id: 'a', customer: { id: 'b' } })).toThrow(
      'The payload fields `customer_id` and `customer.id` both become the CleverTap event property `customer_id`',
    )
    expect(() => flattenEventData({ ['k'.repeat(121)]: 1 })).toThrow(/1-120 characters/)
    expect(() => flattenEventData({ '': 1 })).toThrow(/1-120 characters/)
    expect(flattenEventData({ '': { id: 1 } })).toEqual({ _id: 1 })
  })

  it('makes event names valid, and refuses system event names', () => {
    expect(toCleverTapEventName('Loyalty wallet.coins_rewarded')).toBe('Loyalty wallet_coins_rewarded')
    expect(toCleverTapEventName('shop:coupon/created')).toBe('shop_coupon/created')
    expect(() => toCleverTapEventName('app launched')).toThrow(/reserves the event name `app launched`/)
    expect(() => adapter.buildRequest(context(parse({}), PAYLOAD, 'Notification Sent'))).toThrow(
      /system event/,
    )
  })
})

describe('clevertapAdapter.configSchema', () => {
  const issuesOf = (config: unknown) =>
    (adapter.configSchema.safeParse(config).error?.issues ?? []).map(({ path, message }) => ({
      path,
      message,
    }))

  it('accepts a full config unchanged', () => {
    const config = {
      ...CONFIG,
      baseUrl: 'https://ct-proxy.example/api',
      identity: { identity: 'customer.email' },
    }
    expect(adapter.configSchema.parse(config)).toEqual(config)
    expect(adapter.secretFields).toEqual(['passcode'])
    expect(adapter.type).toBe('clevertap')
    expect(clevertapAdapter({ type: 'clevertap-in' }).type).toBe('clevertap-in')
  })

  it.each([
    ['a missing account id', { passcode: PASSCODE }, ['accountId'], /Account ID \(a string\)/],
    [
      'a bad account id',
      { accountId: 'W9R 486', passcode: PASSCODE },
      ['accountId'],
      /such as `W9R-486-4W5Z`/,
    ],
    ['a missing passcode', { accountId: ACCOUNT_ID }, ['passcode'], /passcode \(a string\)/],
    ['an empty passcode', { accountId: ACCOUNT_ID, passcode: '' }, ['passcode'], /empty string/],
    ['a passcode with spaces', { accountId: ACCOUNT_ID, passcode: 'QAE AWB' }, ['passcode'], /whitespace/],
    [
      'an unknown region',
      { ...CONFIG, region: 'eu2' },
      ['region'],
      /`eu1`, `in1`, `sg1`, `us1`, `aps3`, `mec1`/,
    ],
    [
      'a relative baseUrl',
      { ...CONFIG, baseUrl: 'in1.api.clevertap.com' },
      ['baseUrl'],
      /absolute http\(s\) URL/,
    ],
    ['a baseUrl with a query', { ...CONFIG, baseUrl: 'https://x.example/?a=1' }, ['baseUrl'], /query/],
    ['an empty identity', { ...CONFIG, identity: {} }, ['identity'], /at least one/],
    [
      'a bad path',
      { ...CONFIG, identity: { identity: 'customer..id' } },
      ['identity', 'identity'],
      /dotted payload path/,
    ],
  ])('rejects %s, naming the field', (_case, config, path, message) => {
    const issues = issuesOf(config)
    expect(issues).toHaveLength(1)
    expect(issues[0]?.path).toEqual(path)
    expect(issues[0]?.message).toMatch(message)
    expect(issues[0]?.message).not.toContain('QAE')
  })

  it('rejects unknown keys', () => {
    expect(adapter.configSchema.safeParse({ ...CONFIG, apiKey: 'x' }).error?.issues).toMatchObject([
      { code: 'unrecognized_keys', keys: ['apiKey'] },
    ])
  })
})

describe('clevertapAdapter.classifyResponse', () => {
  const classify = (status: number, body: string, headers: Record<string, string> = {}) =>
    adapter.classifyResponse({ status, headers, body }, context(parse({})))

  it('needs status "success" with nothing unprocessed on a 2xx', () => {
    expect(classify(200, '{"status":"success","processed":1,"unprocessed":[]}')).toEqual({
      outcome: 'success',
    })
    expect(classify(200, '{"status":"success","processed":0,"unprocessed":[]}')).toMatchObject({
      outcome: 'fail',
    })
    const listed = {
      status: 'success',
      processed: 1,
      unprocessed: [{ status: 'fail', code: 525, error: 'Timestamp not in UNIX epoch format' }],
    }
    expect(classify(200, JSON.stringify(listed))).toEqual({
      outcome: 'fail',
      reason: 'HTTP 200: CleverTap did not record the event: code 525: Timestamp not in UNIX epoch format',
    })
    expect(classify(200, '')).toEqual({
      outcome: 'fail',
      reason: 'HTTP 200: CleverTap did not record the event: no body',
    })
    expect(classify(200, '<html>proxy</html>')).toMatchObject({ outcome: 'fail' })
  })

  it('honours Retry-After on 429, and masks an echoed passcode', () => {
    expect(classify(429, '', { 'retry-after': '2' })).toEqual({
      outcome: 'retry',
      reason: 'HTTP 429',
      retryAfterMs: 2000,
    })
    expect(classify(400, JSON.stringify({ status: 'fail', error: `bad passcode ${PASSCODE}` }))).toEqual({
      outcome: 'fail',
      reason: 'HTTP 400: bad passcode ***',
    })
  })
})

describe('clevertapAdapter conformance', () => {
  const json = (status: number, body: unknown): TransportResponse => ({
    status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })

  it('passes the adapter conformance suite', async () => {
    await assertAdapterConformance({
      adapter: clevertapAdapter(),
      config: CONFIG,
      invalidConfigs: [
        { config: { passcode: PASSCODE }, field: 'accountId' },
        { config: { accountId: ACCOUNT_ID }, field: 'passcode' },
        { config: { ...CONFIG, region: 'eu2' }, field: 'region' },
      ],
      // CleverTap documents no idempotency or deduplication key for Upload Events: the same
      // record uploaded twice is two events, so no field can carry the delivery id usefully.
      idempotent: false,
      responses: {
        success: json(200, { status: 'success', processed: 1, unprocessed: [] }),
        clientError: json(400, { status: 'fail', error: 'Bad Request', code: 400 }),
        rateLimited: json(429, { status: 'fail', error: 'Too many concurrent requests', code: 429 }),
        serverError: json(500, { status: 'fail', error: 'Internal Server Error', code: 500 }),
      },
    })
  })

  it('publishes the concurrency limit', () => {
    expect(CLEVERTAP_LIMITS.upload.maxConcurrentRequests).toBe(15)
    expect(CLEVERTAP_LIMITS.upload.maxRecordsPerRequest).toBe(1000)
  })
})
