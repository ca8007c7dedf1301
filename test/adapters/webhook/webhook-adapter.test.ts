import { createHmac } from 'node:crypto'
import { HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { Webhook, WebhookVerificationError } from 'standardwebhooks'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import type { AdapterRequestContext } from '../../../src/adapters/adapter.js'
import { type WebhookConfig, webhookAdapter } from '../../../src/adapters/webhook/index.js'
import { EventRouter, REDACTED, ValidationError } from '../../../src/index.js'
import { MockTransport } from '../../../src/testing/index.js'
import type { TransportRequest, TransportResponse } from '../../../src/transport/transport.js'
import { createAdapterRouter, deliverOnce, emitOnce } from '../shared/adapter-router.js'
import { useMswServer } from '../shared/msw-server.js'

const URL = 'https://crm.example/hooks'
// 24-byte keys, the size the official libraries generate.
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const OLD_SECRET = `whsec_${Buffer.alloc(24, 0xab).toString('base64')}`
const OTHER_SECRET = `whsec_${Buffer.alloc(32, 0x11).toString('base64')}`
const DELIVERY_ID = '3b241101-e2bb-4255-8caf-4136c566a962'
const OCCURRED_AT = '2025-01-15T10:30:00.000Z'
const ATTEMPT_1_AT = '2025-01-15T10:30:05.000Z' // unix 1736937005

const adapter = webhookAdapter()

/** A request context as the delivery loop would build it. */
function makeContext(
  config: WebhookConfig,
  overrides: { attempt?: number } = {},
): AdapterRequestContext<WebhookConfig> {
  return {
    event: {
      id: 'evt_01',
      name: 'wallet.coins_rewarded',
      outgoingName: 'loyalty.wallet.coins_rewarded',
      payload: { customerId: 'c_42', coins: 50, reason: 'café ☕' },
      occurredAt: new Date(OCCURRED_AT),
    },
    config,
    delivery: {
      tenant: null,
      id: DELIVERY_ID,
      eventId: 'evt_01',
      eventName: 'wallet.coins_rewarded',
      outgoingName: 'loyalty.wallet.coins_rewarded',
      subscriptionId: 'sub_crm',
      integrationId: 'crm',
      integrationType: 'webhook',
    },
    attempt: overrides.attempt ?? 1,
  }
}

/** Builds the request of one attempt from a config that first goes through the schema. */
async function build(config: unknown, attempt = 1): Promise<TransportRequest> {
  return adapter.buildRequest(makeContext(adapter.configSchema.parse(config), { attempt }))
}

/** The zod issues of an invalid config, reduced to path and message. */
function issuesOf(config: unknown): { path: PropertyKey[]; message: string }[] {
  const result = adapter.configSchema.safeParse(config)
  expect(result.success).toBe(false)
  return (result.error?.issues ?? []).map(({ path, message }) => ({ path, message }))
}

/** Fetch `Headers` as a plain record with lower-case names. */
function toRecord(headers: Headers): Record<string, string> {
  const record: Record<string, string> = {}
  headers.forEach((value, name) => {
    record[name] = value
  })
  return record
}

function response(status: number, headers: Record<string, string> = {}): TransportResponse {
  return { status, headers, body: '' }
}

describe('webhookAdapter.buildRequest', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date(ATTEMPT_1_AT))
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('POSTs the Standard Webhooks payload with signed headers', async () => {
    const request = await build({ url: URL, secret: SECRET, headers: { 'X-Tenant': 'acme' } })
    const body =
      '{"id":"evt_01","type":"loyalty.wallet.coins_rewarded","timestamp":"2025-01-15T10:30:00.000Z",' +
      '"data":{"customerId":"c_42","coins":50,"reason":"café ☕"}}'
    const key = Buffer.from(SECRET.slice('whsec_'.length), 'base64')
    const signature = createHmac('sha256', key).update(`${DELIVERY_ID}.1736937005.${body}`).digest('base64')
    expect(request).toEqual({
      method: 'POST',
      url: URL,
      headers: {
        'X-Tenant': 'acme',
        'content-type': 'application/json',
        'webhook-id': DELIVERY_ID,
        'webhook-timestamp': '1736937005',
        'webhook-signature': `v1,${signature}`,
      },
      body,
    })
  })

  it('sends no webhook-signature header with `signing: false`', async () => {
    const request = await build({ url: 'http://localhost:8080/hooks', signing: false })
    expect(request.url).toBe('http://localhost:8080/hooks')
    expect(Object.keys(request.headers).sort()).toEqual(['content-type', 'webhook-id', 'webhook-timestamp'])
  })

  it('keeps webhook-id and body across attempts, refreshing the timestamp and signature', async () => {
    const first = await build({ url: URL, secret: SECRET }, 1)
    vi.setSystemTime(new Date(Date.parse(ATTEMPT_1_AT) + 5_000))
    const second = await build({ url: URL, secret: SECRET }, 2)
    expect(second.headers['webhook-id']).toBe(first.headers['webhook-id'])
    expect(second.body).toBe(first.body)
    expect(second.headers['webhook-timestamp']).toBe('1736937010')
    expect(second.headers['webhook-signature']).not.toBe(first.headers['webhook-signature'])
    expect(new Webhook(SECRET).verify(second.body!, second.headers)).toEqual(JSON.parse(first.body!))
  })

  it('is verified by the official standardwebhooks package', async () => {
    const request = await build({ url: URL, secret: SECRET })
    expect(new Webhook(SECRET).verify(request.body!, request.headers)).toEqual({
      id: 'evt_01',
      type: 'loyalty.wallet.coins_rewarded',
      timestamp: OCCURRED_AT,
      data: { customerId: 'c_42', coins: 50, reason: 'café ☕' },
    })
  })

  it('signs with both secrets during a rotation, each verifying on its own', async () => {
    const request = await build({ url: URL, secret: [SECRET, OLD_SECRET] })
    const signatures = request.headers['webhook-signature']!.split(' ')
    expect(signatures).toHaveLength(2)
    expect(signatures.every((signature) => signature.startsWith('v1,'))).toBe(true)
    expect(() => new Webhook(SECRET).verify(request.body!, request.headers)).not.toThrow()
    expect(() => new Webhook(OLD_SECRET).verify(request.body!, request.headers)).not.toThrow()
    expect(() => new Webhook(OTHER_SECRET).verify(request.body!, request.headers)).toThrow(
      WebhookVerificationError,
    )
  })

  it('fails verification when the body is tampered with', async () => {
    const request = await build({ url: URL, secret: SECRET })
    const tampered = request.body!.replace('"coins":50', '"coins":5000')
    expect(tampered).not.toBe(request.body)
    expect(() => new Webhook(SECRET).verify(request.body!, request.headers)).not.toThrow()
    expect(() => new Webhook(SECRET).verify(tampered, request.headers)).toThrow(WebhookVerificationError)
  })
})

describe('webhookAdapter.configSchema', () => {
  it('accepts a full config and returns it unchanged', () => {
    const config = { url: URL, secret: [SECRET, OLD_SECRET], headers: { authorization: 'Bearer t0k3n' } }
    expect(adapter.configSchema.parse(config)).toEqual(config)
    expect(adapter.secretFields).toEqual(['secret', 'headers'])
  })

  it.each([
    ['a missing url', {}, /`url` to be a string/],
    ['a non-URL', { url: 'not a url' }, /absolute http\(s\) URL/],
    ['a relative URL', { url: '/hooks' }, /absolute http\(s\) URL/],
    ['another protocol', { url: 'ftp://crm.example/hooks' }, /absolute http\(s\) URL/],
    ['credentials in the URL', { url: 'https://user:pw@crm.example/hooks' }, /without credentials/],
    ['whitespace in the URL', { url: 'https://crm.example/ho oks' }, /whitespace/],
  ])('rejects %s under `url`', (_case, config, message) => {
    const issues = issuesOf({ secret: SECRET, ...config })
    expect(issues).toHaveLength(1)
    expect(issues[0]?.path).toEqual(['url'])
    expect(issues[0]?.message).toMatch(message)
    expect(issues[0]?.message).not.toContain('pw@')
  })

  it.each([
    ['no prefix', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', ['secret'], /whsec_/],
    ['bad base64', 'whsec_MfKQ9r8GKYqr!wjUPD8ILPZIo2LaLaSw', ['secret'], /standard base64/],
    ['a 16-byte key', `whsec_${Buffer.alloc(16, 1).toString('base64')}`, ['secret'], /got 16 bytes/],
    ['a bad rotation entry', [SECRET, 'whsec_nope'], ['secret', 1], /standard base64|bytes/],
    ['an empty rotation', [], ['secret'], /at least one/],
    ['a number', 42, ['secret'], /`whsec_\.\.\.` string or an array/],
  ])('rejects %s under `secret`', (_case, secret, path, message) => {
    const issues = issuesOf({ url: URL, secret })
    expect(issues).toHaveLength(1)
    expect(issues[0]?.path).toEqual(path)
    expect(issues[0]?.message).toMatch(message)
    expect(issues[0]?.message).not.toContain('MfKQ9r8GKYqr')
  })

  it.each([
    ['Content-Type', 'text/plain', /`content-type` is set by the webhook adapter/],
    ['Webhook-Signature', 'v1,forged', /`webhook-signature` is set by the webhook adapter/],
    ['webhook-id', 'x', /`webhook-id` is set/],
    ['webhook-timestamp', '1', /`webhook-timestamp` is set/],
    ['bad name', 'x', /valid HTTP header name/],
    ['x-injected', 'a\r\nwebhook-id: forged', /without CR, LF/],
  ])('rejects header %j under `headers`', (name, value, message) => {
    const issues = issuesOf({ url: URL, secret: SECRET, headers: { [name]: value } })
    expect(issues).toHaveLength(1)
    expect(issues[0]?.path).toEqual(['headers', name])
    expect(issues[0]?.message).toMatch(message)
  })

  it('rejects unknown keys', () => {
    const result = adapter.configSchema.safeParse({ url: URL, signing: false, sekret: SECRET })
    expect(result.error?.issues).toMatchObject([{ code: 'unrecognized_keys', keys: ['sekret'] }])
  })
})

describe('webhookAdapter options', () => {
  it('defaults to type `webhook` and allows http', () => {
    expect(adapter.type).toBe('webhook')
    expect(adapter.configSchema.safeParse({ url: 'http://crm.example/hooks', secret: SECRET }).success).toBe(
      true,
    )
  })

  it('takes a type override and can require https', () => {
    const strict = webhookAdapter({ type: 'webhook-eu', requireHttps: true })
    expect(strict.type).toBe('webhook-eu')
    expect(strict.configSchema.safeParse({ url: URL, secret: SECRET }).success).toBe(true)
    expect(
      strict.configSchema.safeParse({ url: 'http://crm.example/hooks', secret: SECRET }).error?.issues,
    ).toMatchObject([{ path: ['url'], message: expect.stringMatching(/use https/) }])
  })

  it('rejects invalid options up front', () => {
    expect(() => webhookAdapter({ type: 'Web Hook' })).toThrow(TypeError)
    expect(() => webhookAdapter({ requireHttps: 'yes' as unknown as boolean })).toThrow(
      'Expected `requireHttps` to be a boolean, got `yes` (string).',
    )
  })
})

describe('webhookAdapter.classifyResponse', () => {
  const context = makeContext({ url: URL, secret: SECRET })

  it('fails for good on 410 Gone, saying the endpoint is gone, and asks to disable the integration', () => {
    expect(adapter.classifyResponse(response(410), context)).toEqual({
      outcome: 'fail',
      reason: expect.stringMatching(/^HTTP 410 Gone: the endpoint is gone/),
      disableIntegration: true,
    })
  })

  it('succeeds on 2xx only', () => {
    for (const status of [200, 201, 202, 204, 299]) {
      expect(adapter.classifyResponse(response(status), context)).toEqual({ outcome: 'success' })
    }
  })

  // Standard Webhooks, "Delivery success and failure": any other answer is a failure, and
  // failures are retried ("Deliverability and reliability"); 410 is the only final one.
  it.each([400, 401, 403, 404, 405, 409, 413, 415, 422, 500, 501, 503, 505])(
    'retries %i (a failed attempt, not a final answer)',
    (status) => {
      expect(adapter.classifyResponse(response(status), context)).toEqual({
        outcome: 'retry',
        reason: `HTTP ${status}`,
      })
    },
  )

  it('retries a redirect without following it, saying to update the URL', () => {
    expect(adapter.classifyResponse(response(301, { location: 'https://new.example/' }), context)).toEqual({
      outcome: 'retry',
      reason: "redirect 301 not followed; update the integration's `url` to the new address",
    })
  })

  it('throttles on 502 and 504 (receiver under load), with no wait unless Retry-After says one', () => {
    for (const status of [502, 504]) {
      expect(adapter.classifyResponse(response(status), context)).toEqual({
        outcome: 'retry',
        reason: `HTTP ${status}`,
        throttled: true,
      })
    }
    expect(adapter.classifyResponse(response(504, { 'retry-after': '12' }), context)).toEqual({
      outcome: 'retry',
      reason: 'HTTP 504',
      throttled: true,
      retryAfterMs: 12_000,
    })
  })

  it('keeps Retry-After on 429 (throttled by default) and honours it on other failures', () => {
    expect(adapter.classifyResponse(response(429, { 'retry-after': '7' }), context)).toEqual({
      outcome: 'retry',
      reason: 'HTTP 429',
      retryAfterMs: 7000,
    })
    expect(adapter.classifyResponse(response(503, { 'retry-after': '7' }), context)).toEqual({
      outcome: 'retry',
      reason: 'HTTP 503',
      retryAfterMs: 7000,
    })
  })
})

describe('webhookAdapter over HTTP (msw)', () => {
  const server = setupServer(
    http.post(URL, async ({ request }) => {
      const body = await request.text()
      try {
        new Webhook(SECRET).verify(body, toRecord(request.headers))
      } catch {
        return new HttpResponse(null, { status: 401 })
      }
      return new HttpResponse(null, { status: 204 })
    }),
  )
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
  afterAll(() => server.close())

  it('delivers a request the receiver verifies, answered 204 and classified as success', async () => {
    const request = await build({ url: URL, secret: [OTHER_SECRET, SECRET] })
    const reply = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body ?? null,
    })
    expect(reply.status).toBe(204)
    const classified = adapter.classifyResponse(
      { status: reply.status, headers: toRecord(reply.headers), body: await reply.text() },
      makeContext({ url: URL, secret: SECRET }),
    )
    expect(classified).toEqual({ outcome: 'success' })
  })
})

describe('webhookAdapter signing is explicit', () => {
  function newRouter() {
    return new EventRouter({ adapters: [webhookAdapter()], transport: new MockTransport() })
  }

  function validationErrorOf(action: () => unknown): ValidationError {
    try {
      action()
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError)
      return error as ValidationError
    }
    throw new Error('expected a ValidationError')
  }

  it('refuses an integration without a secret, naming `secret` and saying what to do', () => {
    const router = newRouter()
    const error = validationErrorOf(() => router.integrations.add({ type: 'webhook', config: { url: URL } }))
    expect(error.field).toBe('config.secret')
    expect(error.issues).toHaveLength(1)
    expect(error.message).toMatch(/`secret`.*missing or undefined.*`signing: false`/)
    expect(router.integrations.list()).toEqual([])
  })

  it('refuses `secret: undefined`, as from an unset environment variable (the README example)', () => {
    const router = newRouter()
    const env: Record<string, string | undefined> = {}
    const error = validationErrorOf(() =>
      router.integrations.add({
        id: 'crm',
        type: 'webhook',
        config: { url: URL, secret: env.CRM_WEBHOOK_SECRET },
      }),
    )
    expect(error.field).toBe('config.secret')
    expect(error.message).toContain('an environment variable that is not set?')
  })

  it('accepts `signing: false`, shown by get(), and sends no webhook-signature header', async () => {
    const transport = new MockTransport(204)
    const router = new EventRouter({ adapters: [webhookAdapter()], transport })
    router.integrations.add({ id: 'crm', type: 'webhook', config: { url: URL, signing: false } })
    expect(router.integrations.get('crm')?.config).toEqual({ url: URL, signing: false })
    router.subscriptions.create({ event: 'wallet.coins_rewarded', integrationId: 'crm' })
    const [result] = await router.emit('wallet.coins_rewarded', { coins: 150 }).settled
    expect(result).toMatchObject({ status: 'succeeded' })
    expect(Object.keys(transport.requests[0]!.headers).sort()).toEqual([
      'content-type',
      'webhook-id',
      'webhook-timestamp',
    ])
    await router.close()
  })

  it('refuses `signing: false` together with a secret, as contradictory', () => {
    const router = newRouter()
    const error = validationErrorOf(() =>
      router.integrations.add({ type: 'webhook', config: { url: URL, secret: SECRET, signing: false } }),
    )
    expect(error.field).toBe('config.signing')
    expect(error.message).toMatch(/either a `secret` .* or `signing: false` .*not both/)
    expect(error.message).not.toContain('MfKQ9r8GKYqr')
  })

  it('accepts `signing: true` with a secret, and refuses a non-boolean `signing`', () => {
    expect(adapter.configSchema.parse({ url: URL, secret: SECRET, signing: true })).toEqual({
      url: URL,
      secret: SECRET,
      signing: true,
    })
    expect(issuesOf({ url: URL, secret: SECRET, signing: 'no' })).toEqual([
      { path: ['signing'], message: 'Expected `signing` to be `true` or `false`.' },
    ])
  })

  it('turns signing off only explicitly when updating: dropping the secret alone is refused', () => {
    const router = newRouter()
    router.integrations.add({ id: 'crm', type: 'webhook', config: { url: URL, secret: SECRET } })
    const dropped = validationErrorOf(() =>
      router.integrations.update('crm', { config: { secret: undefined } }),
    )
    expect(dropped.field).toBe('config.secret')
    const both = validationErrorOf(() => router.integrations.update('crm', { config: { signing: false } }))
    expect(both.field).toBe('config.signing')
    expect(router.integrations.get('crm')?.config).toEqual({ url: URL, secret: REDACTED })
    router.integrations.update('crm', { config: { secret: undefined, signing: false } })
    expect(router.integrations.get('crm')?.config).toEqual({ url: URL, signing: false })
  })
})

describe('webhookAdapter over HTTP: signed and unsigned deliveries (msw)', () => {
  const received: { url: string; headers: Record<string, string>; body: string }[] = []
  useMswServer(
    [
      http.post(URL, async ({ request }) => {
        received.push({ url: request.url, headers: toRecord(request.headers), body: await request.text() })
        return new HttpResponse(null, { status: 204 })
      }),
    ],
    () => {
      received.length = 0
    },
  )
  const emit = { id: 'evt_01', occurredAt: OCCURRED_AT }

  it('sends a signed request the official verifier accepts', async () => {
    const result = await deliverOnce(webhookAdapter(), { url: URL, secret: SECRET }, { coins: 150 }, emit)
    expect(result.status).toBe('succeeded')
    expect(() => new Webhook(SECRET).verify(received[0]!.body, received[0]!.headers)).not.toThrow()
  })

  it('sends an unsigned request, without webhook-signature, with `signing: false`', async () => {
    const result = await deliverOnce(webhookAdapter(), { url: URL, signing: false }, { coins: 150 }, emit)
    expect(result.status).toBe('succeeded')
    expect(received).toHaveLength(1)
    expect(received[0]!.headers).not.toHaveProperty('webhook-signature')
    expect(received[0]!.headers).toMatchObject({ 'webhook-id': expect.any(String) })
    expect(() => new Webhook(SECRET).verify(received[0]!.body, received[0]!.headers)).toThrow(
      WebhookVerificationError,
    )
  })
})

describe('webhookAdapter internationalised (IDN) URLs', () => {
  const IDN_URL = 'https://例え.jp/h'
  const PUNYCODE_URL = 'https://xn--r8jz45g.jp/h'
  const received: string[] = []
  useMswServer(
    [
      http.post('https://xn--r8jz45g.jp/*', ({ request }) => {
        received.push(request.url)
        return new HttpResponse(null, { status: 204 })
      }),
    ],
    () => {
      received.length = 0
    },
  )

  it('stores the WHATWG href: the host in punycode, a non-ASCII path percent-encoded', () => {
    expect(adapter.configSchema.parse({ url: IDN_URL, secret: SECRET }).url).toBe(PUNYCODE_URL)
    expect(adapter.configSchema.parse({ url: 'https://例え.jp/フック?k=値', secret: SECRET }).url).toBe(
      'https://xn--r8jz45g.jp/%E3%83%95%E3%83%83%E3%82%AF?k=%E5%80%A4',
    )
    // Idempotent: what is stored parses to itself (updates, snapshots).
    expect(adapter.configSchema.parse({ url: PUNYCODE_URL, secret: SECRET }).url).toBe(PUNYCODE_URL)
  })

  it('accepts the integration, shows the punycode URL in get() and sends to the punycode host', async () => {
    const { router, integrationId } = createAdapterRouter(webhookAdapter(), { url: IDN_URL, secret: SECRET })
    expect(router.integrations.get(integrationId)?.config.url).toBe(PUNYCODE_URL)
    const { result } = await emitOnce(router, { coins: 150 }, { id: 'evt_01', occurredAt: OCCURRED_AT })
    expect(result).toMatchObject({ status: 'succeeded', responseStatus: 204 })
    expect(received).toEqual([PUNYCODE_URL])
    router.integrations.update(integrationId, { name: 'CRM (JP)' })
    expect(router.integrations.get(integrationId)?.config.url).toBe(PUNYCODE_URL)
    await router.close()
  })

  it.each([
    ['a character IDNA refuses (a zero-width joiner)', 'https://a\u200db.jp/h', /host name.*punycode/],
    ['an xn-- label that is not punycode', 'https://xn--a.jp/h', /host name.*punycode/],
    ['a label over 63 characters in punycode', `https://${'ü'.repeat(70)}.de/h`, /1 to 63 characters/],
    ['an empty label', 'https://crm..example/h', /1 to 63 characters/],
  ])('refuses a URL that cannot be sent: %s, saying why', (_case, url, message) => {
    const issues = issuesOf({ url, secret: SECRET })
    expect(issues).toHaveLength(1)
    expect(issues[0]?.path).toEqual(['url'])
    expect(issues[0]?.message).toMatch(message)
    expect(issues[0]?.message).not.toContain('whitespace')
  })
})

describe('webhookAdapter URLs and the SSRF guard', () => {
  it('checks the parsed host: full-width digits spelling 127.0.0.1 are blocked as loopback', async () => {
    const router = new EventRouter({
      adapters: [webhookAdapter()],
      retry: { retries: 3, minTimeout: 1, randomize: false },
    })
    router.integrations.add({
      id: 'crm',
      type: 'webhook',
      config: { url: 'http://１２７.０.０.１:8080/h', signing: false },
    })
    expect(router.integrations.get('crm')?.config.url).toBe('http://127.0.0.1:8080/h')
    router.subscriptions.create({ event: 'wallet.coins_rewarded', integrationId: 'crm' })
    const [result] = await router.emit('wallet.coins_rewarded', { coins: 150 }).settled
    expect(result).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { code: 'ERR_BLOCKED_DESTINATION', retryable: false },
    })
    await router.close()
  })
})
