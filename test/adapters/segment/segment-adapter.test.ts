import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { HttpResponse, http } from 'msw'
import { describe, expect, it } from 'vitest'
import { type SegmentConfig, segmentAdapter } from '../../../src/adapters/segment/index.js'
import {
  classifySegmentResponse,
  segmentRetryAfterMs,
} from '../../../src/adapters/segment/segment-response.js'
import type { DeliveryFailed, EventRouter } from '../../../src/index.js'
import { PACKAGE_VERSION, readPackageVersion } from '../../../src/shared/package-version.js'
import { assertAdapterConformance } from '../../../src/testing/index.js'
import tsupConfig from '../../../tsup.config.js'
import { createAdapterRouter, emitOnce } from '../shared/adapter-router.js'
import { LOYALTY_PAYLOAD } from '../shared/loyalty-payload.js'
import { useMswServer } from '../shared/msw-server.js'

// Shaped like a real write key (32 letters and digits); not a real one.
const WRITE_KEY = 'Zq3vN8sLk2Rt6Yp9Wx4Mb7Hc1Jd5Fg0A'
const AUTHORIZATION = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`
const US_URL = 'https://api.segment.io/v1/track'
const EU_URL = 'https://events.eu1.segmentapis.com/v1/track'
const OCCURRED_AT = '2026-11-01T10:00:00.000Z'
// Segment's 32 KB limit, as its Node library measures it (32 * 1024 bytes).
const MAX_BYTES = 32 * 1024

const PAYLOAD = LOYALTY_PAYLOAD
// The version this package is, as package.json says: what `context.library.version` must be.
const { version: VERSION } = JSON.parse(
  readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'),
) as { version: string }

interface Received {
  readonly method: string
  readonly url: string
  readonly headers: Record<string, string>
  readonly body: string
}

const received: Received[] = []
/** Answers of the stand-in, used once each in order; then `200 {"success":true}`. */
let answers: (() => Response)[] = []

/**
 * A stand-in of the HTTP Tracking API: it records the request and answers like Segment,
 * 400 `Exceed payload limit` over 32 KB (segment-docs PR #7422 quotes that message) and
 * 400 `Bad Request` (a plain-text body, as the libraries' bug reports show) for invalid
 * JSON; otherwise the next scripted answer, or `200 {"success":true}`.
 */
const trackingApi = (url: string) =>
  http.all(url, async ({ request }) => {
    const body = await request.text()
    const headers: Record<string, string> = {}
    request.headers.forEach((value, name) => {
      headers[name] = value
    })
    received.push({ method: request.method, url: request.url, headers, body })
    if (Buffer.byteLength(body) > MAX_BYTES) return new HttpResponse('Exceed payload limit', { status: 400 })
    try {
      JSON.parse(body)
    } catch {
      return new HttpResponse('Bad Request', { status: 400 })
    }
    return answers.shift()?.() ?? HttpResponse.json({ success: true })
  })

useMswServer(
  [trackingApi(US_URL), trackingApi(EU_URL), trackingApi('http://127.0.0.1:4010/v1/track')],
  () => {
    received.length = 0
    answers = []
  },
)

function setup(config: Record<string, unknown> = { writeKey: WRITE_KEY }) {
  const { router, failures } = createAdapterRouter(segmentAdapter(), config)
  return { router, failures }
}

// Each event gets its own id of the same length (the router makes no deliveries for an id it
// accepted before; the 32 KB test needs bodies whose size differs only by the note).
let nextEvent = 5521
function emit(router: EventRouter, payload: Record<string, unknown> = PAYLOAD) {
  return emitOnce(router, payload, { id: `evt_ord_${nextEvent++}`, occurredAt: OCCURRED_AT })
}

function expectFailed(result: unknown): DeliveryFailed {
  expect(result).toMatchObject({ status: 'failed' })
  return result as DeliveryFailed
}

/** The body Segment should receive for PAYLOAD, with the identities given. */
function expectedBody(deliveryId: string, identities: Record<string, string> = { userId: 'cus_981' }) {
  return {
    ...identities,
    event: 'Loyalty wallet.coins_rewarded',
    properties: PAYLOAD,
    timestamp: OCCURRED_AT,
    messageId: deliveryId,
    context: { library: { name: 'eventrouter', version: VERSION } },
  }
}

describe('segmentAdapter context.library', () => {
  // segment-docs, src/connections/spec/common.md: `library` is "Dictionary of information
  // about the library making the requests to the API, containing name and version".
  it("sends the library's name and version, the version being package.json's", async () => {
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/)
    const { router } = setup()
    const { result } = await emit(router)
    expect(result.status).toBe('succeeded')
    expect(JSON.parse(received[0]!.body).context).toEqual({
      library: { name: 'eventrouter', version: VERSION },
    })
  })

  it('gets the version in every way the code runs: built (tsup), tested (vitest), run from sources (tsx)', async () => {
    // The build inlines it: tsup.config.ts defines the constant from package.json.
    expect((tsupConfig as { define?: Record<string, string> }).define).toMatchObject({
      __EVENTROUTER_VERSION__: JSON.stringify(VERSION),
    })
    // vitest.config.ts defines it the same way.
    expect(PACKAGE_VERSION).toBe(VERSION)
    // Without the constant (tsx runs the sources as they are), package.json is read instead.
    expect(readPackageVersion()).toBe(VERSION)
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        "const m = await import('./src/shared/package-version.ts'); console.log(m.PACKAGE_VERSION)",
      ],
      { timeout: 30_000 },
    )
    expect(stdout.trim()).toBe(VERSION)
    // From anywhere but the source tree there is no package.json to read: a marked placeholder.
    expect(readPackageVersion('file:///nowhere/a/b/c/module.js')).toBe('0.0.0-unknown')
  })
})

describe('segmentAdapter over HTTP (msw)', () => {
  it('sends a track call with Basic auth and the delivery id as messageId', async () => {
    const { router } = setup()
    const { result, deliveryId } = await emit(router)
    expect(result).toMatchObject({ status: 'succeeded', attempts: 1, responseStatus: 200 })
    expect(received).toHaveLength(1)
    const [request] = received
    expect(request!.method).toBe('POST')
    expect(request!.url).toBe(US_URL)
    expect(request!.headers).toEqual({ authorization: AUTHORIZATION, 'content-type': 'application/json' })
    expect(JSON.parse(request!.body)).toEqual(expectedBody(deliveryId))
    // Header auth: the key is never in the body, where Segment may store it.
    expect(request!.body).not.toContain(WRITE_KEY)
  })

  it('sends to the Dublin host for region `eu`, and to `baseUrl` when given', async () => {
    const eu = setup({ writeKey: WRITE_KEY, region: 'eu' })
    expect((await emit(eu.router)).result.status).toBe('succeeded')
    const local = setup({ writeKey: WRITE_KEY, region: 'eu', baseUrl: 'http://127.0.0.1:4010/' })
    expect((await emit(local.router)).result.status).toBe('succeeded')
    expect(received.map((request) => request.url)).toEqual([EU_URL, 'http://127.0.0.1:4010/v1/track'])
  })

  it('fails at once on 400, with Segment’s error text in the message', async () => {
    answers.push(() => new HttpResponse('Bad Request', { status: 400 }))
    const { router, failures } = setup()
    const failed = expectFailed((await emit(router)).result)
    expect(failed).toMatchObject({ attempts: 1, reason: 'not_retryable' })
    expect(failed.error.code).toBe('ERR_HTTP_STATUS')
    expect(failed.error.message).toContain('answered 400 (HTTP 400: Bad Request)')
    expect(failures).toHaveLength(1)
    expect(received).toHaveLength(1)
  })

  it('retries a 429 after its Retry-After, then succeeds', async () => {
    answers.push(
      () =>
        new HttpResponse(null, { status: 429, headers: { 'Retry-After': '2', 'X-RateLimit-Reset': '2' } }),
    )
    const { router, failures } = setup()
    const { result } = await emit(router)
    expect(result).toMatchObject({ status: 'succeeded', attempts: 2 })
    expect(failures).toHaveLength(1)
    expect(failures[0]!.error.retryAfterMs).toBe(2000)
    expect(failures[0]!.delayMs).toBe(5) // capped by retry.maxTimeout
    // The retry carries the same messageId, so Segment drops it if the first had landed.
    expect(received[1]!.body).toBe(received[0]!.body)
  })

  it('falls back to X-RateLimit-Reset (seconds) when a 429 has no Retry-After', async () => {
    answers.push(() => new HttpResponse(null, { status: 429, headers: { 'X-RateLimit-Reset': '7' } }))
    const { router, failures } = setup()
    expect((await emit(router)).result).toMatchObject({ status: 'succeeded', attempts: 2 })
    expect(failures[0]!.error.retryAfterMs).toBe(7000)
  })

  it('retries 5xx until the retries run out', async () => {
    answers = Array.from({ length: 6 }, () => () => new HttpResponse('upstream timeout', { status: 502 }))
    const { router, failures } = setup()
    const failed = expectFailed((await emit(router)).result)
    expect(failed).toMatchObject({ attempts: 6, reason: 'retries_exhausted' })
    expect(failed.error.message).toContain('HTTP 502: upstream timeout')
    expect(failures.map((failure) => failure.willRetry)).toEqual([true, true, true, true, true, false])
  })

  it('does not send a call over 32 KB: final ERR_ADAPTER failure naming the limit', async () => {
    const { router } = setup()
    const big = { ...PAYLOAD, note: 'x'.repeat(MAX_BYTES) }
    const failed = expectFailed((await emit(router, big)).result)
    expect(failed).toMatchObject({ attempts: 1, reason: 'not_retryable' })
    expect(failed.error.code).toBe('ERR_ADAPTER')
    expect(failed.error.message).toMatch(/is \d+ bytes, over the HTTP API's limit of 32768 bytes \(32 KB\)/)
    expect(received).toHaveLength(0)
  })

  it('sends a call of exactly 32 KB, and refuses one byte more', async () => {
    const { router } = setup()
    const { deliveryId } = await emit(router, { ...PAYLOAD, note: '' })
    const filler = MAX_BYTES - Buffer.byteLength(received[0]!.body)
    received.length = 0
    const exact = { ...PAYLOAD, note: 'x'.repeat(filler) }
    const { result } = await emit(router, exact)
    expect(result.status).toBe('succeeded')
    expect(Buffer.byteLength(received[0]!.body)).toBe(MAX_BYTES)
    expect(deliveryId).toHaveLength(36)
    // One byte more is refused: UTF-8 bytes count (`₹` is 3 bytes), not characters.
    const over = expectFailed((await emit(router, { ...PAYLOAD, note: 'x'.repeat(filler + 1) })).result)
    expect(over.error.message).toContain(`is ${MAX_BYTES + 1} bytes`)
    expect(received).toHaveLength(1)
  })
})

describe('segmentAdapter identity mapping', () => {
  it('maps userId and anonymousId from the configured paths, numbers as strings', async () => {
    const { router } = setup({
      writeKey: WRITE_KEY,
      identity: { userId: 'customer.number', anonymousId: 'customer.referralCode' },
    })
    const payload = { ...PAYLOAD, customer: { ...PAYLOAD.customer, number: 981 } }
    const { deliveryId } = await emit(router, payload)
    expect(JSON.parse(received[0]!.body)).toEqual({
      ...expectedBody(deliveryId, { userId: '981', anonymousId: 'ANA150' }),
      properties: payload,
    })
  })

  it('sends only anonymousId when the mapping names only it', async () => {
    const { router } = setup({ writeKey: WRITE_KEY, identity: { anonymousId: 'customer.email' } })
    const { deliveryId } = await emit(router)
    expect(JSON.parse(received[0]!.body)).toEqual(
      expectedBody(deliveryId, { anonymousId: 'ana@example.com' }),
    )
  })

  it('sends the identity that resolves when the other one is missing', async () => {
    const { router } = setup({
      writeKey: WRITE_KEY,
      identity: { userId: 'customer.id', anonymousId: 'visitor.id' },
    })
    const { deliveryId } = await emit(router)
    expect(JSON.parse(received[0]!.body)).toEqual(expectedBody(deliveryId))
  })

  it.each([
    ['no customer id', { ...PAYLOAD, customer: { name: 'Ana Lima' } }],
    ['an empty customer id', { ...PAYLOAD, customer: { id: '  ' } }],
    ['a customer id that is an object', { ...PAYLOAD, customer: { id: { value: 1 } } }],
  ])('fails with ERR_ADAPTER, not retried, on %s', async (_case, payload) => {
    const { router } = setup({
      writeKey: WRITE_KEY,
      identity: { userId: 'customer.id', anonymousId: 'visitor.id' },
    })
    const failed = expectFailed((await emit(router, payload)).result)
    expect(failed).toMatchObject({ attempts: 1, reason: 'not_retryable' })
    expect(failed.error.code).toBe('ERR_ADAPTER')
    expect(failed.error.message).toContain(
      'Segment needs a `userId` or an `anonymousId`, but the payload has no non-empty string or number at `customer.id` (identity.userId) or `visitor.id` (identity.anonymousId).',
    )
    expect(failed.error.message).not.toContain(WRITE_KEY)
    expect(received).toHaveLength(0)
  })
})

describe('segmentAdapter.configSchema', () => {
  const adapter = segmentAdapter()
  const issuesOf = (config: unknown) => {
    const result = adapter.configSchema.safeParse(config)
    expect(result.success).toBe(false)
    return (result.error?.issues ?? []).map(({ path, message }) => ({ path, message }))
  }

  it('accepts a full config and keeps it as given', () => {
    const config: SegmentConfig = {
      writeKey: WRITE_KEY,
      region: 'eu',
      baseUrl: 'https://proxy.example/segment',
      identity: { userId: 'customer.id', anonymousId: 'customer.email' },
    }
    expect(adapter.configSchema.parse(config)).toEqual(config)
    expect(adapter.configSchema.parse({ writeKey: WRITE_KEY })).toEqual({ writeKey: WRITE_KEY })
    expect(adapter.secretFields).toEqual(['writeKey'])
    expect(adapter.type).toBe('segment')
    expect(segmentAdapter({ type: 'segment-eu' }).type).toBe('segment-eu')
  })

  it.each([
    ['a missing writeKey', {}, ['writeKey'], /write key \(a string\)/],
    ['an empty writeKey', { writeKey: '' }, ['writeKey'], /empty string/],
    ['a writeKey with a colon', { writeKey: `${WRITE_KEY}:` }, ['writeKey'], /without whitespace, colons/],
    ['an unknown region', { writeKey: WRITE_KEY, region: 'ap' }, ['region'], /`us` or `eu`/],
    ['a relative baseUrl', { writeKey: WRITE_KEY, baseUrl: '/v1' }, ['baseUrl'], /absolute http\(s\) URL/],
    [
      'credentials in baseUrl',
      { writeKey: WRITE_KEY, baseUrl: `https://${WRITE_KEY}:@api.segment.io` },
      ['baseUrl'],
      /without credentials/,
    ],
    [
      'a baseUrl with a query',
      { writeKey: WRITE_KEY, baseUrl: 'https://api.segment.io?x=1' },
      ['baseUrl'],
      /query/,
    ],
    ['an empty identity', { writeKey: WRITE_KEY, identity: {} }, ['identity'], /at least one of `userId`/],
    [
      'a bad identity path',
      { writeKey: WRITE_KEY, identity: { userId: 'customer..id' } },
      ['identity', 'userId'],
      /dotted payload path/,
    ],
    [
      'identity as a string',
      { writeKey: WRITE_KEY, identity: 'customer.id' },
      ['identity'],
      /an object such as/,
    ],
  ])('rejects %s, naming the field', (_case, config, path, message) => {
    const issues = issuesOf(config)
    expect(issues).toHaveLength(1)
    expect(issues[0]!.path).toEqual(path)
    expect(issues[0]!.message).toMatch(message)
    expect(issues[0]!.message).not.toContain(WRITE_KEY)
  })

  it('rejects unknown keys', () => {
    const result = adapter.configSchema.safeParse({ writeKey: WRITE_KEY, apiKey: 'x' })
    expect(result.error?.issues).toMatchObject([{ code: 'unrecognized_keys', keys: ['apiKey'] }])
  })
})

describe('segmentAdapter conformance', () => {
  it('passes the adapter conformance suite', async () => {
    await assertAdapterConformance({
      adapter: segmentAdapter(),
      config: { writeKey: WRITE_KEY },
      invalidConfigs: [
        { config: {}, field: 'writeKey' },
        { config: { writeKey: WRITE_KEY, region: 'ap' }, field: 'region' },
        { config: { writeKey: WRITE_KEY, baseUrl: 'ftp://api.segment.io' }, field: 'baseUrl' },
        { config: { writeKey: WRITE_KEY, identity: { userId: '' } }, field: 'identity.userId' },
      ],
      responses: {
        success: { status: 200, headers: { 'content-type': 'application/json' }, body: '{"success":true}' },
        clientError: { status: 400, headers: {}, body: 'Exceed payload limit' },
        rateLimited: { status: 429, headers: { 'retry-after': '1', 'x-ratelimit-reset': '1' }, body: '' },
        serverError: { status: 500, headers: {}, body: '' },
      },
    })
  })
})

describe('classifySegmentResponse', () => {
  const response = (status: number, headers: Record<string, string> = {}, body = '') => ({
    status,
    headers,
    body,
  })

  it('reads an X-RateLimit-Reset that is a unix time as one', () => {
    const now = Date.parse(OCCURRED_AT)
    expect(segmentRetryAfterMs({ 'x-ratelimit-reset': String(now / 1000 + 3) }, now)).toBe(3000)
    expect(segmentRetryAfterMs({ 'x-ratelimit-reset': 'soon' }, now)).toBeUndefined()
    expect(segmentRetryAfterMs({}, now)).toBeUndefined()
  })

  it('keeps Retry-After on 503 and puts JSON error text in the reason, trimmed', () => {
    expect(classifySegmentResponse(response(503, { 'retry-after': '4' }))).toEqual({
      outcome: 'retry',
      reason: 'HTTP 503',
      retryAfterMs: 4000,
    })
    expect(
      classifySegmentResponse(
        response(401, {}, '{"code":"invalid_write_key","message":"Invalid write key"}'),
      ),
    ).toEqual({
      outcome: 'fail',
      reason: 'HTTP 401: invalid_write_key: Invalid write key',
    })
    const long = classifySegmentResponse(response(400, {}, 'y'.repeat(1000)))
    expect(long.outcome).toBe('fail')
    expect((long as { reason: string }).reason).toHaveLength(300)
    expect(classifySegmentResponse(response(200, {}, '{"success":true}'))).toEqual({ outcome: 'success' })
  })
})
