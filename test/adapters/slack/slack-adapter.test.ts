import { HttpResponse, http } from 'msw'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { AdapterRequestContext } from '../../../src/adapters/adapter.js'
import {
  escapeSlackText,
  SLACK_RATE_LIMITS,
  type SlackConfig,
  slackAdapter,
} from '../../../src/adapters/slack/index.js'
import { classifySlackResponse } from '../../../src/adapters/slack/slack-response.js'
import type { DeliveryFailed, DeliveryResult } from '../../../src/delivery/delivery.js'
import { EventRouter, type Pacing, ValidationError } from '../../../src/index.js'
import { assertAdapterConformance, MockTransport } from '../../../src/testing/index.js'
import { createAdapterRouter, deliverOnce } from '../shared/adapter-router.js'
import { LOYALTY_PAYLOAD } from '../shared/loyalty-payload.js'
import { useMswServer } from '../shared/msw-server.js'

// The path of a webhook URL is its secret.
const SECRET_PATH = '/services/T0ACME001/B0LOYAL01/XyZ9aBcDeFgHiJkLmNoPqRsT'
const WEBHOOK_URL = `https://hooks.slack.com${SECRET_PATH}`
const OCCURRED_AT = '2025-03-14T09:26:53.589Z'

const PAYLOAD = LOYALTY_PAYLOAD

// Slack answers incoming webhooks in plain text (changelog 2016-05-17).
const plain = (status: number, text: string, headers: Record<string, string> = {}) =>
  new HttpResponse(text, { status, headers: { 'content-type': 'text/html', ...headers } })
const OK = () => plain(200, 'ok')

type Answer = () => Response
const received: { headers: Record<string, string>; body: unknown }[] = []
let answers: Answer[] = []

useMswServer(
  [
    http.post(WEBHOOK_URL, async ({ request }) => {
      const headers = Object.fromEntries(request.headers.entries())
      const text = await request.text()
      let body: unknown
      try {
        body = JSON.parse(text)
      } catch {
        return plain(400, 'invalid_payload')
      }
      received.push({ headers, body })
      // As Slack checks it: a JSON body with a non-empty `text`.
      if (headers['content-type'] !== 'application/json') return plain(400, 'invalid_payload')
      if (typeof (body as { text?: unknown }).text !== 'string') return plain(400, 'no_text')
      return (answers.shift() ?? OK)()
    }),
  ],
  () => {
    received.length = 0
    answers = []
  },
)

// Slack's one message per second is tested on its own, with fake timers (see "pacing"
// below); the other tests run on real timers, so they lift it rather than wait for it.
const UNPACED = { perSecond: null } as const

function setup(config: Record<string, unknown>) {
  return createAdapterRouter(slackAdapter(), config, { integrationId: 'team-slack', pacing: UNPACED }).router
}

async function deliver(
  config: Record<string, unknown> = { webhookUrl: WEBHOOK_URL },
  payload: Record<string, unknown> = PAYLOAD,
): Promise<DeliveryResult> {
  return deliverOnce(slackAdapter(), config, payload, {
    integrationId: 'team-slack',
    pacing: UNPACED,
    id: 'evt_1001',
    occurredAt: OCCURRED_AT,
  })
}

async function deliverFailed(...args: Parameters<typeof deliver>) {
  const result = await deliver(...args)
  expect(result.status).toBe('failed')
  const failed = result as DeliveryFailed
  // The URL is the credential: never in an error.
  expect(failed.error.message).not.toContain(SECRET_PATH)
  expect(JSON.stringify(failed.error)).not.toContain('XyZ9aBcDeFgHiJkLmNoPqRsT')
  return failed
}

const textOf = (index = 0) => (received[index]!.body as { text: string }).text

describe('slackAdapter over HTTP (msw, default transport)', () => {
  it('posts `{ text }` rendered from the default template and succeeds on 200 `ok`', async () => {
    const result = await deliver()
    expect(result).toMatchObject({ status: 'succeeded', attempts: 1, responseStatus: 200 })
    expect(received).toEqual([
      {
        // Exactly these: incoming webhooks take no auth header and no idempotency key.
        headers: { 'content-type': 'application/json' },
        body: { text: '*Loyalty wallet.coins_rewarded* for ana@example.com' },
      },
    ])
  })

  it('uses the template of the event, then `template`', async () => {
    await deliver({
      webhookUrl: WEBHOOK_URL,
      template: 'fallback',
      templates: {
        'wallet.coins_rewarded':
          '{{data.customer.name}} earned *{{ data.coins }}* {{data.business.coinName}} ({{name}}, {{id}}, {{occurredAt}})',
        'coupon.created': 'not this one',
      },
    })
    expect(textOf()).toBe(
      'Ana Lima earned *150* Beans (Loyalty wallet.coins_rewarded, evt_1001, 2025-03-14T09:26:53.589Z)',
    )
    await deliver({ webhookUrl: WEBHOOK_URL, template: 'fallback {{data.coins}}', templates: {} })
    expect(textOf(1)).toBe('fallback 150')
  })

  it('escapes &, < and > in values so payload data cannot mention or link, but not template text', async () => {
    const payload = {
      ...PAYLOAD,
      customer: { ...PAYLOAD.customer, name: 'Ana <!channel> & <@U024BE7LH|bob> <https://evil.example|win>' },
    }
    await deliver({ webhookUrl: WEBHOOK_URL, template: '<!here> {{data.customer.name}} & co' }, payload)
    expect(textOf()).toBe(
      '<!here> Ana &lt;!channel&gt; &amp; &lt;@U024BE7LH|bob&gt; &lt;https://evil.example|win&gt; & co',
    )
  })

  it('renders missing and null values as `missingValue`, objects as JSON', async () => {
    const template = '{{data.customer.phone}}|{{data.reason}}|{{data.customer.tier}}|{{data.meta}}'
    const payload = { ...PAYLOAD, reason: null, meta: { source: 'pos', tags: ['a'] } }
    await deliver({ webhookUrl: WEBHOOK_URL, template }, payload)
    await deliver({ webhookUrl: WEBHOOK_URL, template, missingValue: '(none)' }, payload)
    expect(textOf(0)).toBe('—|—|gold|{"source":"pos","tags":["a"]}')
    expect(textOf(1)).toBe('(none)|(none)|gold|{"source":"pos","tags":["a"]}')
  })

  it('refuses to send a message that renders blank (Slack answers `no_text`)', async () => {
    const result = await deliverFailed({
      webhookUrl: WEBHOOK_URL,
      template: '{{data.note}}',
      missingValue: '',
    })
    expect(result).toMatchObject({ reason: 'not_retryable', attempts: 1 })
    expect(result.error.code).toBe('ERR_ADAPTER')
    expect(result.error.message).toContain('rendered to blank text')
    expect(received).toHaveLength(0)
  })

  it.each([
    [400, 'invalid_payload', 'Slack could not read the message body', false],
    [403, 'action_prohibited', 'the workspace restricts posting through this webhook', false],
    [404, 'channel_not_found', "the webhook's channel no longer exists", true],
    [404, 'no_service', 'the webhook URL was revoked', true],
    [410, 'channel_is_archived', "the webhook's channel is archived", true],
  ])(
    'fails at once on %i %s, saying what it means (disables the integration: %s)',
    async (status, text, hint, gone) => {
      answers = [() => plain(status, text)]
      const result = await deliverFailed()
      expect(result).toMatchObject({ reason: 'not_retryable', attempts: 1 })
      expect(result.error).toMatchObject({
        code: 'ERR_HTTP_STATUS',
        status,
        retryable: false,
        disablesIntegration: gone,
      })
      expect(result.error.message).toContain(
        `https://hooks.slack.com answered ${status} (HTTP ${status}: ${text}: ${hint}`,
      )
    },
  )

  it('retries a 429 after Retry-After, then succeeds with the same message', async () => {
    answers = [() => plain(429, 'rate_limited', { 'retry-after': '1' })]
    const router = setup({ webhookUrl: WEBHOOK_URL })
    const delays: (number | null)[] = []
    router.on('attemptFailed', (failure) => delays.push(failure.delayMs))
    const [result] = await router.emit('wallet.coins_rewarded', PAYLOAD).settled
    await router.close()
    expect(result).toMatchObject({ status: 'succeeded', attempts: 2 })
    // Retry-After: 1 s, capped by the router's maxTimeout of 5 ms.
    expect(delays).toEqual([5])
    expect(received[1]?.body).toEqual(received[0]?.body)
  })

  it('retries 500 `rollup_error` with backoff until the retries run out', async () => {
    answers = Array.from({ length: 6 }, () => () => plain(500, 'rollup_error'))
    const result = await deliverFailed()
    expect(result).toMatchObject({ reason: 'retries_exhausted', attempts: 6 })
    expect(result.error.message).toContain('HTTP 500: rollup_error: an error on Slack’s side')
  })
})

describe('slackAdapter.classifyResponse', () => {
  it('reads Retry-After on 429 and JSON `error` bodies', () => {
    expect(
      classifySlackResponse({ status: 429, headers: { 'retry-after': '30' }, body: 'rate_limited' }),
    ).toEqual({
      outcome: 'retry',
      reason: 'HTTP 429: rate_limited',
      retryAfterMs: 30_000,
    })
    expect(
      classifySlackResponse({ status: 403, headers: {}, body: '{"ok":false,"error":"invalid_token"}' }),
    ).toEqual({
      outcome: 'fail',
      reason: expect.stringMatching(/^HTTP 403: invalid_token: the webhook URL was revoked/),
      disableIntegration: true,
    })
    expect(classifySlackResponse({ status: 404, headers: {}, body: 'constructor' })).toEqual({
      outcome: 'fail',
      reason: 'HTTP 404: constructor',
    })
  })
})

describe('slackAdapter.configSchema', () => {
  const adapter = slackAdapter()
  const issuesOf = (config: unknown) => {
    const result = adapter.configSchema.safeParse(config)
    expect(result.success).toBe(false)
    return (result.error?.issues ?? []).map(({ path, message }) => ({ path, message }))
  }

  it('accepts a full config unchanged and declares the URL secret', () => {
    const config: SlackConfig = {
      webhookUrl: WEBHOOK_URL,
      template: '{{name}}',
      templates: { 'coupon.created': '{{data.customer.email}} got {{data.code}}' },
      missingValue: 'n/a',
    }
    expect(adapter.configSchema.parse(config)).toEqual(config)
    expect(adapter.type).toBe('slack')
    expect(adapter.secretFields).toEqual(['webhookUrl'])
  })

  it.each([
    'https://hooks.slack.com/services/T/B/X',
    'https://proxy.example/slack',
    'http://127.0.0.1:8080/hook',
    'http://localhost/hook',
    'http://[::1]:9/h',
  ])('accepts the webhook URL %s', (webhookUrl) => {
    expect(adapter.configSchema.safeParse({ webhookUrl }).success).toBe(true)
  })

  it.each([
    ['a missing URL', {}, /`webhookUrl` to be a string/],
    ['plain http on a public host', { webhookUrl: 'http://hooks.slack.com/services/T/B/X' }, /use https/],
    [
      'another scheme',
      { webhookUrl: 'ftp://hooks.slack.com/services/T/B/X' },
      /https URL of a Slack incoming webhook/,
    ],
    ['a relative URL', { webhookUrl: '/services/T/B/X' }, /https URL of a Slack incoming webhook/],
    ['credentials', { webhookUrl: 'https://u:p@hooks.slack.com/services/T/B/X' }, /without `user:password@`/],
    ['whitespace', { webhookUrl: 'https://hooks.slack.com/services/T/B/X ' }, /without whitespace/],
  ])('rejects %s under `webhookUrl`, without echoing it', (_case, config, message) => {
    const issues = issuesOf(config)
    expect(issues).toHaveLength(1)
    expect(issues[0]?.path).toEqual(['webhookUrl'])
    expect(issues[0]?.message).toMatch(message)
    expect(issues[0]?.message).not.toContain('/services/T/B/X')
  })

  it.each([
    ['an empty template', '', /non-empty template/],
    ['an unclosed `{{`', 'Hi {{data.customer.name', /`\{\{` at position 3 is never closed/],
    ['a stray `}}`', 'Hi }} {{name}}', /`\}\}` at position 3 closes no `\{\{`/],
    [
      'an unknown root',
      '{{customer.email}}',
      /Unknown placeholder `\{\{customer.email\}\}` at position 0; use `\{\{name\}\}`/,
    ],
    ['a bare `data`', '{{data}}', /Unknown placeholder `\{\{data\}\}`/],
    ['an empty path segment', '{{data.customer..email}}', /Unknown placeholder/],
    ['an empty placeholder', 'x {{ }}', /Unknown placeholder `\{\{\}\}` at position 2/],
    ['nested braces', '{{data.{{name}}}}', /Unknown placeholder/],
  ])('rejects %s under `template`', (_case, template, message) => {
    const issues = issuesOf({ webhookUrl: WEBHOOK_URL, template })
    expect(issues).toHaveLength(1)
    expect(issues[0]?.path).toEqual(['template'])
    expect(issues[0]?.message).toMatch(message)
  })

  it('rejects bad `templates` entries, naming the event', () => {
    expect(issuesOf({ webhookUrl: WEBHOOK_URL, templates: { 'wallet.coins_rewarded': '{{nope}}' } })).toEqual(
      [
        {
          path: ['templates', 'wallet.coins_rewarded'],
          message: expect.stringMatching(/^Invalid `templates`: Unknown placeholder/),
        },
      ],
    )
    expect(issuesOf({ webhookUrl: WEBHOOK_URL, templates: { 'not an event!': '{{name}}' } })).toEqual([
      { path: ['templates', 'not an event!'], message: expect.stringMatching(/event name/) },
    ])
  })

  it('rejects a `missingValue` over 100 characters and unknown keys such as `username`', () => {
    expect(issuesOf({ webhookUrl: WEBHOOK_URL, missingValue: 'x'.repeat(101) })[0]?.path).toEqual([
      'missingValue',
    ])
    // Incoming webhooks ignore username and icon overrides, so the config has none.
    const result = adapter.configSchema.safeParse({ webhookUrl: WEBHOOK_URL, username: 'Loyalty bot' })
    expect(result.error?.issues).toMatchObject([{ code: 'unrecognized_keys', keys: ['username'] }])
  })

  it('never puts the URL in the ValidationError of a bad integration', () => {
    const router = new EventRouter({ adapters: [slackAdapter()] })
    let error: unknown
    try {
      router.integrations.add({ type: 'slack', config: { webhookUrl: WEBHOOK_URL, template: '{{oops' } })
    } catch (thrown) {
      error = thrown
    }
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as ValidationError).field).toBe('config.template')
    expect(JSON.stringify(error) + String(error)).not.toContain(SECRET_PATH)
  })
})

describe('escapeSlackText', () => {
  it('escapes only &, < and >', () => {
    expect(escapeSlackText('Tom & Jerry <3 > "quotes" *bold* ₹')).toBe(
      'Tom &amp; Jerry &lt;3 &gt; "quotes" *bold* ₹',
    )
  })
})

describe('slackAdapter.buildRequest', () => {
  it('builds the same request on every attempt', async () => {
    const adapter = slackAdapter()
    const context: AdapterRequestContext<SlackConfig> = {
      event: {
        id: 'evt_1',
        name: 'wallet.coins_rewarded',
        outgoingName: 'wallet.coins_rewarded',
        payload: PAYLOAD,
        occurredAt: new Date(OCCURRED_AT),
      },
      config: adapter.configSchema.parse({ webhookUrl: WEBHOOK_URL }),
      delivery: {
        tenant: null,
        id: 'dlv_1',
        eventId: 'evt_1',
        eventName: 'wallet.coins_rewarded',
        outgoingName: 'wallet.coins_rewarded',
        subscriptionId: 'sub_1',
        integrationId: 'team-slack',
        integrationType: 'slack',
      },
      attempt: 1,
    }
    const first = await adapter.buildRequest(context)
    expect(await adapter.buildRequest({ ...context, attempt: 2 })).toEqual(first)
    expect(first).toEqual({
      method: 'POST',
      url: WEBHOOK_URL,
      headers: { 'content-type': 'application/json' },
      body: '{"text":"*wallet.coins_rewarded* for ana@example.com"}',
    })
  })
})

describe('slackAdapter conformance', () => {
  it('passes the adapter conformance suite', async () => {
    await assertAdapterConformance({
      // The suite's router runs on real timers: without the one-per-second pacing (tested
      // below), its retries do not wait for real seconds.
      adapter: { ...slackAdapter(), pacing: {} },
      config: { webhookUrl: WEBHOOK_URL },
      invalidConfigs: [
        { config: {}, field: 'webhookUrl' },
        { config: { webhookUrl: 'http://hooks.slack.com/services/T/B/X' }, field: 'webhookUrl' },
        { config: { webhookUrl: WEBHOOK_URL, template: '{{unknown}}' }, field: 'template' },
        { config: { webhookUrl: WEBHOOK_URL, templates: { 'coupon.created': 'x }}' } }, field: 'templates' },
      ],
      // Incoming webhooks take no idempotency key: a retry after a lost `ok` posts twice.
      idempotent: false,
      responses: {
        success: { status: 200, headers: { 'content-type': 'text/html' }, body: 'ok' },
        clientError: { status: 400, headers: { 'content-type': 'text/html' }, body: 'invalid_payload' },
        rateLimited: { status: 429, headers: { 'retry-after': '1' }, body: 'rate_limited' },
        serverError: { status: 500, headers: { 'content-type': 'text/html' }, body: 'rollup_error' },
      },
    })
  })
})

describe('slackAdapter pacing', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  /** A router on fake timers whose Slack integration answers `ok`; returns when each request started. */
  async function sendThree(pacing?: Pacing | null) {
    vi.useFakeTimers()
    const transport = new MockTransport({ status: 200, headers: { 'content-type': 'text/html' }, body: 'ok' })
    const router = new EventRouter({ adapters: [slackAdapter()], transport })
    router.integrations.add({
      id: 'team-slack',
      type: 'slack',
      config: { webhookUrl: WEBHOOK_URL },
      ...(pacing === undefined ? {} : { pacing }),
    })
    router.subscriptions.create({ event: 'wallet.coins_rewarded', integrationId: 'team-slack' })
    const receipts = [1, 2, 3].map(() => router.emit('wallet.coins_rewarded', PAYLOAD))
    await vi.runAllTimersAsync()
    const results = await Promise.all(receipts.map((receipt) => receipt.settled))
    expect(results.flat().map((result) => result.status)).toEqual(['succeeded', 'succeeded', 'succeeded'])
    await router.close()
    const first = transport.requests[0]?.receivedAt ?? 0
    return transport.requests.map((request) => request.receivedAt - first)
  }

  it("declares Slack's published limit, one message per second (SLACK_RATE_LIMITS)", () => {
    expect(SLACK_RATE_LIMITS).toEqual({ postMessage: { limit: 1, intervalMs: 1000 } })
    expect(slackAdapter().pacing).toEqual({ perSecond: 1 })
  })

  it('sends at most one message per second to a webhook by default', async () => {
    expect(await sendThree()).toEqual([0, 1000, 2000])
  })

  it('lets an integration override the pace, or remove it with `perSecond: null`', async () => {
    expect(await sendThree({ perSecond: 2 })).toEqual([0, 0, 1000])
    expect(await sendThree({ perSecond: null })).toEqual([0, 0, 0])
  })
})

describe('slackAdapter internationalised (IDN) webhook URLs', () => {
  const adapter = slackAdapter()

  it('stores and sends a proxy URL with an IDN host in punycode, and scrubs that form from errors', async () => {
    const config = adapter.configSchema.parse({ webhookUrl: 'https://例え.jp/services/T0/B0/XyZ9aBcDeF' })
    expect(config.webhookUrl).toBe('https://xn--r8jz45g.jp/services/T0/B0/XyZ9aBcDeF')
    const transport = new MockTransport()
    transport.networkErrorTimes(1, 'connect ECONNREFUSED https://xn--r8jz45g.jp/services/T0/B0/XyZ9aBcDeF')
    const router = new EventRouter({ adapters: [adapter], transport, retry: { retries: 0 } })
    router.integrations.add({
      id: 's',
      type: 'slack',
      config: { webhookUrl: 'https://例え.jp/services/T0/B0/XyZ9aBcDeF' },
    })
    router.subscriptions.create({ event: 'wallet.coins_rewarded', integrationId: 's' })
    const [result] = await router.emit('wallet.coins_rewarded', PAYLOAD).settled
    expect(transport.requests[0]?.url).toBe('https://xn--r8jz45g.jp/services/T0/B0/XyZ9aBcDeF')
    expect(result?.status).toBe('failed')
    expect(JSON.stringify((result as DeliveryFailed).error.message)).not.toContain('XyZ9aBcDeF')
    await router.close()
  })

  it('refuses a webhook URL whose host cannot be converted to punycode, saying why', () => {
    const result = adapter.configSchema.safeParse({
      webhookUrl: 'https://hooks.sla\u200dck.com/services/T/B/X',
    })
    expect(result.error?.issues).toMatchObject([
      { path: ['webhookUrl'], message: expect.stringMatching(/host name.*punycode/) },
    ])
    expect(JSON.stringify(result.error?.issues)).not.toContain('/services/T/B/X')
  })
})
