import { HttpResponse, http } from 'msw'
import { describe, expect, it } from 'vitest'
import {
  MIXPANEL_MAX_EVENT_BYTES,
  MIXPANEL_MAX_PROPERTIES,
  MIXPANEL_MAX_REQUEST_BYTES,
  type MixpanelConfig,
  mixpanelAdapter,
  mixpanelInsertId,
} from '../../../src/adapters/mixpanel/index.js'
import { classifyMixpanelResponse } from '../../../src/adapters/mixpanel/mixpanel-response.js'
import type { DeliveryFailed, EventRouter } from '../../../src/index.js'
import { assertAdapterConformance } from '../../../src/testing/index.js'
import { createAdapterRouter, emitOnce } from '../shared/adapter-router.js'
import { LOYALTY_PAYLOAD } from '../shared/loyalty-payload.js'
import { useMswServer } from '../shared/msw-server.js'

// Shaped like real credentials; not real ones.
const USERNAME = 'loyalty-import.4f2a9c.mp-service-account'
const SECRET = 'Vb7kQ2mZt9LwX4nR8cYp1HsJ6dGf3AeU'
const PROJECT_ID = '3285009'
const TOKEN = '7413605f415a765835417c9ffe8ff702'
const SERVICE_ACCOUNT = { serviceAccount: { username: USERNAME, secret: SECRET }, projectId: PROJECT_ID }
const OCCURRED_AT = '2026-11-01T10:00:00.000Z'
const OCCURRED_MS = Date.parse(OCCURRED_AT)

const PAYLOAD = LOYALTY_PAYLOAD

// ingestion.openapi.yaml, components.responses (the documented examples).
const INVALID_CREDENTIALS = { code: 401, error: 'Invalid credentials', status: 'Unauthorized' }
const RATE_LIMITED = {
  code: 429,
  error: 'Project exceeded rate limits. Please retry the request with exponential backoff.',
  status: 'Too Many Requests',
}
const TOO_LARGE = {
  code: 413,
  error: 'request exceeds max limit of 2097152 bytes',
  status: 'Request Entity Too Large',
}

interface Received {
  readonly method: string
  readonly url: string
  readonly headers: Record<string, string>
  readonly body: string
}

const received: Received[] = []
/** Answers of the stand-in, used once each in order, once the request is authenticated. */
let answers: (() => Response)[] = []

const decodeBasic = (header: string | null) =>
  header?.startsWith('Basic ') ? Buffer.from(header.slice(6), 'base64').toString('utf8') : undefined

/**
 * A stand-in of `/import`: it records the request, checks the credentials as Mixpanel does
 * (a service account with `project_id`, or the project token as username with an empty
 * password) and answers 401 otherwise; then the next scripted answer, or the documented
 * `200 { code: 200, num_records_imported, status: "OK" }`.
 */
const importApi = (origin: string) =>
  http.all(`${origin}/import`, async ({ request }) => {
    const body = await request.text()
    const headers: Record<string, string> = {}
    request.headers.forEach((value, name) => {
      headers[name] = value
    })
    received.push({ method: request.method, url: request.url, headers, body })
    const url = new URL(request.url)
    const credentials = decodeBasic(request.headers.get('authorization'))
    const projectId = url.searchParams.get('project_id')
    const authenticated =
      (credentials === `${USERNAME}:${SECRET}` && projectId === PROJECT_ID) ||
      (credentials === `${TOKEN}:` && (projectId === null || projectId === PROJECT_ID))
    if (!authenticated) return HttpResponse.json(INVALID_CREDENTIALS, { status: 401 })
    // import-events.mdx: "up to 2000 events and 10MB uncompressed per request"; each event
    // "smaller than 1MB of uncompressed JSON" with "fewer than 255 properties".
    if (Buffer.byteLength(body) > 10 * 1024 * 1024) return HttpResponse.json(TOO_LARGE, { status: 413 })
    const invalid = (JSON.parse(body) as { properties: object }[]).findIndex(
      (event) =>
        Buffer.byteLength(JSON.stringify(event)) >= 1024 * 1024 ||
        Object.keys(event.properties).length >= 255,
    )
    if (invalid !== -1) {
      return HttpResponse.json(
        {
          code: 400,
          error: 'some data points in the request failed validation',
          failed_records: [{ index: invalid, field: 'properties', message: 'event too large' }],
          num_records_imported: 0,
          status: 'Bad Request',
        },
        { status: 400 },
      )
    }
    const scripted = answers.shift()
    if (scripted) return scripted()
    const events = JSON.parse(body) as unknown[]
    return HttpResponse.json({ code: 200, num_records_imported: events.length, status: 'OK' })
  })

useMswServer(
  [
    importApi('https://api.mixpanel.com'),
    importApi('https://api-eu.mixpanel.com'),
    importApi('https://api-in.mixpanel.com'),
    importApi('http://127.0.0.1:4020'),
  ],
  () => {
    received.length = 0
    answers = []
  },
)

function setup(config: Record<string, unknown> = SERVICE_ACCOUNT) {
  const { router, failures } = createAdapterRouter(mixpanelAdapter(), config)
  return { router, failures }
}

function emit(router: EventRouter, payload: Record<string, unknown> = PAYLOAD) {
  return emitOnce(router, payload, { id: 'evt_ord_5521', occurredAt: OCCURRED_AT })
}

function expectFailed(result: unknown): DeliveryFailed {
  expect(result).toMatchObject({ status: 'failed' })
  return result as DeliveryFailed
}

/** The body Mixpanel should receive for PAYLOAD. */
function expectedBody(
  deliveryId: string,
  distinctId = 'cus_981',
  payload: Record<string, unknown> = PAYLOAD,
) {
  return [
    {
      event: 'Loyalty wallet.coins_rewarded',
      properties: { time: OCCURRED_MS, distinct_id: distinctId, $insert_id: deliveryId, ...payload },
    },
  ]
}

const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`

describe('mixpanelAdapter over HTTP (msw)', () => {
  it('imports one event with a service account, the delivery id as $insert_id', async () => {
    const { router } = setup()
    const { result, deliveryId } = await emit(router)
    expect(result).toMatchObject({ status: 'succeeded', attempts: 1, responseStatus: 200 })
    expect(received).toHaveLength(1)
    const [request] = received
    expect(request!.method).toBe('POST')
    expect(request!.url).toBe(`https://api.mixpanel.com/import?strict=1&project_id=${PROJECT_ID}`)
    expect(request!.headers).toEqual({
      authorization: basic(`${USERNAME}:${SECRET}`),
      'content-type': 'application/json',
      accept: 'application/json',
    })
    expect(JSON.parse(request!.body)).toEqual(expectedBody(deliveryId))
    expect(deliveryId).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('authenticates with the project token as username and an empty password', async () => {
    const { router } = setup({ projectToken: TOKEN })
    expect((await emit(router)).result.status).toBe('succeeded')
    const withId = setup({ projectToken: TOKEN, projectId: PROJECT_ID })
    expect((await emit(withId.router)).result.status).toBe('succeeded')
    expect(received.map((request) => [request.url, request.headers.authorization])).toEqual([
      ['https://api.mixpanel.com/import?strict=1', basic(`${TOKEN}:`)],
      [`https://api.mixpanel.com/import?strict=1&project_id=${PROJECT_ID}`, basic(`${TOKEN}:`)],
    ])
  })

  it('sends to the residency host of `region`, and to `baseUrl` when given', async () => {
    for (const region of ['eu', 'in']) {
      expect((await emit(setup({ ...SERVICE_ACCOUNT, region }).router)).result.status).toBe('succeeded')
    }
    const local = setup({ ...SERVICE_ACCOUNT, region: 'eu', baseUrl: 'http://127.0.0.1:4020/' })
    expect((await emit(local.router)).result.status).toBe('succeeded')
    expect(received.map((request) => request.url)).toEqual([
      `https://api-eu.mixpanel.com/import?strict=1&project_id=${PROJECT_ID}`,
      `https://api-in.mixpanel.com/import?strict=1&project_id=${PROJECT_ID}`,
      `http://127.0.0.1:4020/import?strict=1&project_id=${PROJECT_ID}`,
    ])
  })

  it('fails at once on a 400 listing failed_records, with their messages', async () => {
    answers.push(() =>
      HttpResponse.json(
        {
          code: 400,
          error: 'some data points in the request failed validation',
          failed_records: [
            {
              index: 0,
              insert_id: '13c0b661-f48b-51cd-ba54-97c5999169c0',
              field: 'properties.time',
              message: "'properties.time' is invalid: must be specified as seconds since epoch",
            },
          ],
          num_records_imported: 0,
          status: 'Bad Request',
        },
        { status: 400 },
      ),
    )
    const { router, failures } = setup()
    const failed = expectFailed((await emit(router)).result)
    expect(failed).toMatchObject({ attempts: 1, reason: 'not_retryable' })
    expect(failed.error.code).toBe('ERR_HTTP_STATUS')
    expect(failed.error.message).toContain(
      "answered 400 (HTTP 400: 'properties.time' is invalid: must be specified as seconds since epoch)",
    )
    expect(failures).toHaveLength(1)
  })

  it('fails at once on 401 with wrong credentials, never echoing them', async () => {
    const { router } = setup({
      ...SERVICE_ACCOUNT,
      serviceAccount: { username: USERNAME, secret: `${SECRET}x` },
    })
    const failed = expectFailed((await emit(router)).result)
    expect(failed).toMatchObject({ attempts: 1, reason: 'not_retryable' })
    expect(failed.error.message).toContain('HTTP 401: Invalid credentials; check the service account')
    expect(JSON.stringify(failed)).not.toContain(SECRET)
  })

  it.each([
    [403, { error: 'Forbidden', status: 'error' }, 'HTTP 403: Forbidden; the credentials may not import'],
    [
      413,
      TOO_LARGE,
      'HTTP 413: request exceeds max limit of 2097152 bytes; Mixpanel accepts events smaller than 1 MB of JSON and at most 10 MB per request',
    ],
  ])('fails at once on %i', async (status, body, message) => {
    answers.push(() => HttpResponse.json(body, { status }))
    const { router } = setup()
    const failed = expectFailed((await emit(router)).result)
    expect(failed).toMatchObject({ attempts: 1, reason: 'not_retryable' })
    expect(failed.error.message).toContain(message)
  })

  it('retries a 429 after its Retry-After, with the same body, then succeeds', async () => {
    answers.push(() => HttpResponse.json(RATE_LIMITED, { status: 429, headers: { 'Retry-After': '3' } }))
    const { router, failures } = setup()
    const { result } = await emit(router)
    expect(result).toMatchObject({ status: 'succeeded', attempts: 2 })
    expect(failures[0]!.error.retryAfterMs).toBe(3000)
    expect(failures[0]!.error.message).toContain('HTTP 429: Project exceeded rate limits')
    expect(received[1]!.body).toBe(received[0]!.body)
  })

  it('retries 429, 502 and 503 with backoff', async () => {
    answers.push(
      () => HttpResponse.json(RATE_LIMITED, { status: 429 }),
      () => new HttpResponse('Bad Gateway', { status: 502, headers: { 'Retry-After': '1' } }),
      () => new HttpResponse('Service Unavailable', { status: 503 }),
    )
    const { router, failures } = setup()
    expect((await emit(router)).result).toMatchObject({ status: 'succeeded', attempts: 4 })
    expect(
      failures.map((failure) => [failure.error.status, failure.error.retryAfterMs, failure.delayMs]),
    ).toEqual([
      [429, undefined, 1],
      [502, 1000, 5],
      // The 429 was throttled: it paused the integration without using up a retry.
      [503, undefined, 2],
    ])
  })
})

describe('mixpanelAdapter identity and properties', () => {
  it('maps distinct_id from the configured path, a number as a string', async () => {
    const { router } = setup({ ...SERVICE_ACCOUNT, identity: { distinctId: 'customer.number' } })
    const payload = { ...PAYLOAD, customer: { ...PAYLOAD.customer, number: 981 } }
    const { deliveryId } = await emit(router, payload)
    expect(JSON.parse(received[0]!.body)).toEqual(expectedBody(deliveryId, '981', payload))
  })

  it('sends nested objects as they are and drops payload keys it sets itself', async () => {
    const { router } = setup()
    const payload = { ...PAYLOAD, time: 'yesterday', distinct_id: 'someone', $insert_id: 'x' }
    const { deliveryId } = await emit(router, payload)
    const [event] = JSON.parse(received[0]!.body) as { properties: Record<string, unknown> }[]
    expect(event!.properties).toEqual({
      time: OCCURRED_MS,
      distinct_id: 'cus_981',
      $insert_id: deliveryId,
      ...PAYLOAD,
    })
    expect(event!.properties.customer).toEqual(PAYLOAD.customer)
  })

  it.each([
    [
      'no customer id',
      { ...PAYLOAD, customer: { name: 'Ana Lima' } },
      'has no non-empty string or number at `customer.id`',
    ],
    ['a blank customer id', { ...PAYLOAD, customer: { id: ' ' } }, 'has no non-empty string or number'],
    ['a boolean customer id', { ...PAYLOAD, customer: { id: true } }, 'has no non-empty string or number'],
    [
      'a placeholder customer id',
      { ...PAYLOAD, customer: { id: 'null' } },
      'Mixpanel rejects `null` as a `distinct_id`',
    ],
    ['customer id 0', { ...PAYLOAD, customer: { id: 0 } }, 'Mixpanel rejects `0` as a `distinct_id`'],
  ])('fails with ERR_ADAPTER, not retried, on %s', async (_case, payload, message) => {
    const { router } = setup()
    const failed = expectFailed((await emit(router, payload)).result)
    expect(failed).toMatchObject({ attempts: 1, reason: 'not_retryable' })
    expect(failed.error.code).toBe('ERR_ADAPTER')
    expect(failed.error.message).toContain(message)
    expect(failed.error.message).toContain('(identity.distinctId)')
    expect(received).toHaveLength(0)
  })
})

describe('mixpanelInsertId', () => {
  it('keeps a UUID, which fits Mixpanel’s rules', () => {
    expect(mixpanelInsertId('3b241101-e2bb-4255-8caf-4136c566a962')).toBe(
      '3b241101-e2bb-4255-8caf-4136c566a962',
    )
  })

  it.each([
    ['too long', 'dlv_3b241101-e2bb-4255-8caf-4136c566a962'],
    ['other characters', 'dlv:42'],
    ['a disallowed value', '00000000-0000-0000-0000-000000000000'],
    ['a disallowed word', 'None'],
  ])('derives a stable 36-hex-digit id from an id with %s', (_case, id) => {
    const derived = mixpanelInsertId(id)
    expect(derived).toMatch(/^[0-9a-f]{36}$/)
    expect(mixpanelInsertId(id)).toBe(derived)
    expect(mixpanelInsertId(`${id}2`)).not.toBe(derived)
  })
})

describe('mixpanelAdapter.configSchema', () => {
  const adapter = mixpanelAdapter()
  const issuesOf = (config: unknown) => {
    const result = adapter.configSchema.safeParse(config)
    expect(result.success).toBe(false)
    return (result.error?.issues ?? []).map(({ path, message }) => ({ path, message }))
  }

  it('accepts both kinds of credentials and keeps the config as given', () => {
    const full: MixpanelConfig = {
      ...SERVICE_ACCOUNT,
      region: 'in',
      baseUrl: 'https://proxy.example/mixpanel',
      identity: { distinctId: 'customer.email' },
    }
    expect(adapter.configSchema.parse(full)).toEqual(full)
    expect(adapter.configSchema.parse({ projectToken: TOKEN })).toEqual({ projectToken: TOKEN })
    expect(adapter.secretFields).toEqual(['serviceAccount', 'projectToken'])
    expect(adapter.type).toBe('mixpanel')
    expect(mixpanelAdapter({ type: 'mixpanel-in' }).type).toBe('mixpanel-in')
  })

  it.each([
    [
      'no credentials',
      {},
      ['serviceAccount'],
      /`serviceAccount` \(\{ username, secret \}\) with `projectId`, or `projectToken`/,
    ],
    [
      'both credentials',
      { ...SERVICE_ACCOUNT, projectToken: TOKEN },
      ['projectToken'],
      /either `serviceAccount` or `projectToken`, not both/,
    ],
    [
      'a service account without projectId',
      { serviceAccount: SERVICE_ACCOUNT.serviceAccount },
      ['projectId'],
      /`projectId` with `serviceAccount`/,
    ],
    [
      'a service account without secret',
      { serviceAccount: { username: USERNAME }, projectId: PROJECT_ID },
      ['serviceAccount', 'secret'],
      /service account secret \(a string\)/,
    ],
    [
      'an empty secret',
      { serviceAccount: { username: USERNAME, secret: '' }, projectId: PROJECT_ID },
      ['serviceAccount', 'secret'],
      /empty string/,
    ],
    [
      'a username with a colon',
      { serviceAccount: { username: `${USERNAME}:x`, secret: SECRET }, projectId: PROJECT_ID },
      ['serviceAccount', 'username'],
      /colons/,
    ],
    [
      'an unknown serviceAccount key',
      { serviceAccount: { ...SERVICE_ACCOUNT.serviceAccount, password: SECRET }, projectId: PROJECT_ID },
      ['serviceAccount'],
      /.+/,
    ],
    [
      'an empty projectToken',
      { projectToken: '' },
      ['projectToken'],
      /the project token, got an empty string/,
    ],
    ['a token with whitespace', { projectToken: `${TOKEN} ` }, ['projectToken'], /without whitespace/],
    ['a numeric projectId', { projectToken: TOKEN, projectId: 3285009 }, ['projectId'], /string of digits/],
    ['a non-numeric projectId', { projectToken: TOKEN, projectId: 'acme' }, ['projectId'], /digits only/],
    ['an unknown region', { projectToken: TOKEN, region: 'us-east' }, ['region'], /`us`, `eu` or `in`/],
    [
      'a baseUrl that is not http(s)',
      { projectToken: TOKEN, baseUrl: 'ftp://api.mixpanel.com' },
      ['baseUrl'],
      /absolute http\(s\) URL/,
    ],
    [
      'credentials in baseUrl',
      { projectToken: TOKEN, baseUrl: `https://${TOKEN}:@api.mixpanel.com` },
      ['baseUrl'],
      /without credentials/,
    ],
    [
      'an empty identity',
      { projectToken: TOKEN, identity: {} },
      ['identity', 'distinctId'],
      /dotted payload path/,
    ],
    [
      'a bad identity path',
      { projectToken: TOKEN, identity: { distinctId: 'customer id' } },
      ['identity', 'distinctId'],
      /dotted payload path/,
    ],
  ])('rejects %s, naming the field', (_case, config, path, message) => {
    const issues = issuesOf(config)
    expect(issues).toHaveLength(1)
    expect(issues[0]!.path).toEqual(path)
    expect(issues[0]!.message).toMatch(message)
    for (const secret of [SECRET, TOKEN]) expect(issues[0]!.message).not.toContain(secret)
  })
})

describe('classifyMixpanelResponse', () => {
  const response = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
    status,
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })

  it('succeeds on the documented 200, and on a 2xx without a JSON body', () => {
    expect(
      classifyMixpanelResponse(response(200, { code: 200, num_records_imported: 1, status: 'OK' })),
    ).toEqual({
      outcome: 'success',
    })
    expect(classifyMixpanelResponse(response(200, ''))).toEqual({ outcome: 'success' })
  })

  it('fails a 2xx whose body reports failed records or nothing imported', () => {
    const failed = response(200, { failed_records: [{ index: 0, field: 'properties.distinct_id' }] })
    expect(classifyMixpanelResponse(failed)).toEqual({
      outcome: 'fail',
      reason: 'HTTP 200: properties.distinct_id is invalid',
    })
    expect(
      classifyMixpanelResponse(response(200, { code: 200, num_records_imported: 0, status: 'OK' })),
    ).toEqual({
      outcome: 'fail',
      reason: 'HTTP 200: Mixpanel imported no record',
    })
  })

  it('joins several failed records, naming the field when the message does not, trimmed to 300', () => {
    const body = {
      code: 400,
      failed_records: [
        { index: 0, $insert_id: 'a', field: 'properties.utm_source', message: 'string should be valid utf8' },
        { index: 1, $insert_id: 'b', field: 'properties.time', message: 'x'.repeat(400) },
      ],
    }
    const classified = classifyMixpanelResponse(response(400, body))
    expect(classified.outcome).toBe('fail')
    const reason = (classified as { reason: string }).reason
    expect(
      reason.startsWith('HTTP 400: properties.utm_source: string should be valid utf8; properties.time: xxx'),
    ).toBe(true)
    expect(reason).toHaveLength(300)
  })

  it('falls back to the default for statuses Mixpanel does not document', () => {
    expect(classifyMixpanelResponse(response(500, ''))).toEqual({ outcome: 'retry', reason: 'HTTP 500' })
    expect(classifyMixpanelResponse(response(404, 'Not Found'))).toEqual({
      outcome: 'fail',
      reason: 'HTTP 404: Not Found',
    })
  })
})

describe('mixpanelAdapter conformance', () => {
  const responses = {
    success: {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 200, num_records_imported: 1, status: 'OK' }),
    },
    clientError: {
      status: 400,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        code: 400,
        failed_records: [{ index: 0, field: 'properties.time', message: 'invalid' }],
        num_records_imported: 0,
        status: 'Bad Request',
      }),
    },
    rateLimited: { status: 429, headers: { 'retry-after': '1' }, body: JSON.stringify(RATE_LIMITED) },
    serverError: { status: 502, headers: {}, body: 'Bad Gateway' },
  }

  it.each([
    ['a service account', SERVICE_ACCOUNT],
    ['a project token', { projectToken: TOKEN, region: 'eu' }],
  ])('passes the adapter conformance suite with %s', async (_case, config) => {
    await assertAdapterConformance({
      adapter: mixpanelAdapter(),
      config,
      invalidConfigs: [
        { config: {}, field: 'serviceAccount' },
        { config: { serviceAccount: { username: USERNAME, secret: SECRET } }, field: 'projectId' },
        { config: { projectToken: TOKEN, region: 'ap' }, field: 'region' },
        { config: { projectToken: TOKEN, identity: { distinctId: '' } }, field: 'identity.distinctId' },
      ],
      responses,
    })
  })
})

describe('mixpanelAdapter size limits (import-events.mdx: < 1 MB and < 255 properties per event)', () => {
  const customer = { id: 'cus_981' }

  /** The bytes of the event's JSON the adapter sends for `payload` (the body is `[event]`). */
  async function eventBytes(payload: Record<string, unknown>): Promise<number> {
    const adapter = mixpanelAdapter()
    const request = await adapter.buildRequest({
      event: {
        id: 'evt_ord_5521',
        name: 'wallet.coins_rewarded',
        outgoingName: 'Loyalty wallet.coins_rewarded',
        payload,
        occurredAt: new Date(OCCURRED_AT),
      },
      config: adapter.configSchema.parse(SERVICE_ACCOUNT),
      delivery: {
        tenant: null,
        id: '3b241101-e2bb-4255-8caf-4136c566a962',
        eventId: 'evt_ord_5521',
        eventName: 'wallet.coins_rewarded',
        outgoingName: 'Loyalty wallet.coins_rewarded',
        subscriptionId: 'sub_1',
        integrationId: 'mixpanel',
        integrationType: 'mixpanel',
      },
      attempt: 1,
    })
    return Buffer.byteLength(request.body!) - 2
  }

  async function expectRefused(payload: Record<string, unknown>, message: string) {
    const { router, failures } = setup()
    const failed = expectFailed((await emit(router, payload)).result)
    expect(failed).toMatchObject({ attempts: 1, reason: 'not_retryable' })
    expect(failed.error.code).toBe('ERR_ADAPTER')
    expect(failed.error.message).toContain(message)
    expect(failures).toHaveLength(1)
    expect(received).toHaveLength(0)
    await router.close()
  }

  async function expectSent(payload: Record<string, unknown>) {
    const { router } = setup()
    expect((await emit(router, payload)).result).toMatchObject({ status: 'succeeded', responseStatus: 200 })
    expect(received).toHaveLength(1)
    await router.close()
  }

  it('exports the limits', () => {
    expect([MIXPANEL_MAX_PROPERTIES, MIXPANEL_MAX_EVENT_BYTES, MIXPANEL_MAX_REQUEST_BYTES]).toEqual([
      254,
      1024 * 1024 - 1,
      10 * 1024 * 1024,
    ])
  })

  it('sends 254 properties (time, distinct_id and $insert_id included) and refuses 255 once', async () => {
    const properties = (count: number) => ({
      customer,
      ...Object.fromEntries(Array.from({ length: count - 4 }, (_, i) => [`p${i}`, i])),
    })
    await expectSent(properties(254))
    received.length = 0
    await expectRefused(
      properties(255),
      "255 properties (the payload's, plus `time`, `distinct_id` and `$insert_id`), over Mixpanel's limit of fewer than 255 properties per event",
    )
  })

  it('sends an event just under 1 MB of JSON and refuses one of 1 MB, sending nothing', async () => {
    const overhead = await eventBytes({ customer, blob: '' })
    const padded = (bytes: number) => ({ customer, blob: 'x'.repeat(bytes - overhead) })
    expect(await eventBytes(padded(MIXPANEL_MAX_EVENT_BYTES))).toBe(1024 * 1024 - 1)
    await expectSent(padded(MIXPANEL_MAX_EVENT_BYTES))
    received.length = 0
    await expectRefused(
      padded(1024 * 1024),
      "The Mixpanel event is 1048576 bytes of JSON, over Mixpanel's limit: each event must be smaller than 1 MB (1048576 bytes)",
    )
  })
})
