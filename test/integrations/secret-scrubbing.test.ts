import { Buffer } from 'node:buffer'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { inspect } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type Adapter,
  brazeAdapter,
  clevertapAdapter,
  EventRouter,
  klaviyoAdapter,
  kyTransport,
  mixpanelAdapter,
  moengageAdapter,
  segmentAdapter,
  slackAdapter,
  type Transport,
  webengageAdapter,
  webhookAdapter,
} from '../../src/index.js'
import { coinsRewarded } from '../factories.js'

// A destination that quotes every credential it was sent, in every form, back at the sender:
// the worst case of a 401 page, an API gateway's debug output or a misconfigured proxy.
const echoed = { secrets: [] as string[] }

function echo(request: IncomingMessage, response: ServerResponse, body: string): void {
  const forms = echoed.secrets.flatMap((secret) => formsOf(secret))
  response.writeHead(401, {
    'content-type': 'application/json',
    'www-authenticate': `Bearer error="invalid_token", token="${echoed.secrets[0] ?? ''}"`,
    'x-echo-authorization': request.headers.authorization ?? '',
  })
  response.end(
    JSON.stringify({
      // Klaviyo-, Braze- and Mixpanel-shaped error fields, so adapters quote them in their reasons.
      errors: forms.map((form) => ({ title: 'Unauthorized', detail: `invalid token ${form}` })),
      error: `invalid token ${forms.join(' ')}`,
      message: `invalid token ${forms.join(' ')}`,
      status: 0,
      request: { url: request.url, headers: request.headers, body },
    }),
  )
}

/** Every form a credential is searched for in what the router hands out. */
function formsOf(secret: string): string[] {
  const forms = [
    secret,
    `Bearer ${secret}`,
    Buffer.from(secret).toString('base64'),
    Buffer.from(`${secret}:`).toString('base64'),
    Buffer.from(`user:${secret}`).toString('base64').slice(8),
    Buffer.from(secret).toString('base64url'),
    encodeURIComponent(secret),
  ]
  if (secret.startsWith('https://')) forms.push(new URL(secret).pathname)
  return [...new Set(forms)]
}

let server: Server
let origin: string

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8')
    })
    request.on('end', () => echo(request, response, body))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

/** Sends every adapter's request to the echo server, keeping its path, query, headers and body. */
function loopback(): Transport & { close(): Promise<void> } {
  const inner = kyTransport({ allowedAddresses: ['127.0.0.1'] })
  return {
    send: (request, options) => {
      const url = new URL(request.url)
      return inner.send({ ...request, url: `${origin}${url.pathname}${url.search}` }, options)
    },
    close: () => inner.close(),
  }
}

/** A transport whose errors quote the credentials of the request it was given. */
const quotingTransport: Transport = {
  send: async (request) => {
    const quoted = `${request.url} ${JSON.stringify(request.headers)} ${echoed.secrets.join(' ')}`
    throw new TypeError(`connect failed for ${quoted}`, { cause: new Error(`socket said ${quoted}`) })
  },
}

interface Case {
  readonly adapter: Adapter<unknown>
  readonly config: Record<string, unknown>
  readonly secrets: readonly string[]
}

const CASES: Record<string, Case> = {
  klaviyo: {
    adapter: klaviyoAdapter() as Adapter<unknown>,
    config: { apiKey: 'pk_9b3c1f0e7a2d4c6b8e0f1a2b3c4d5e6f7a' },
    secrets: ['pk_9b3c1f0e7a2d4c6b8e0f1a2b3c4d5e6f7a'],
  },
  segment: {
    adapter: segmentAdapter() as Adapter<unknown>,
    config: { writeKey: 'Zq3vN8sLk2Rt6Yp9Wx4Mb7Hc1Jd5Fg0A' },
    secrets: ['Zq3vN8sLk2Rt6Yp9Wx4Mb7Hc1Jd5Fg0A'],
  },
  'mixpanel (service account)': {
    adapter: mixpanelAdapter() as Adapter<unknown>,
    config: {
      serviceAccount: {
        username: 'loyalty-import.4f2a9c.mp-service-account',
        secret: 'Vb7kQ2mZt9LwX4nR8cYp1HsJ6dGf3AeU',
      },
      projectId: '3285009',
    },
    secrets: ['Vb7kQ2mZt9LwX4nR8cYp1HsJ6dGf3AeU'],
  },
  'mixpanel (project token)': {
    adapter: mixpanelAdapter() as Adapter<unknown>,
    config: { projectToken: '7413605f415a765835417c9ffe8ff702' },
    secrets: ['7413605f415a765835417c9ffe8ff702'],
  },
  braze: {
    adapter: brazeAdapter() as Adapter<unknown>,
    config: { apiKey: 'b7e2a1f4-9c3d-4e8a-a1b2-3c4d5e6f7a8b', restEndpoint: 'https://rest.iad-01.braze.com' },
    secrets: ['b7e2a1f4-9c3d-4e8a-a1b2-3c4d5e6f7a8b'],
  },
  clevertap: {
    adapter: clevertapAdapter() as Adapter<unknown>,
    config: { accountId: 'W9R-486-4W5Z', passcode: 'QAE-AWB-AAAL-7f3k', region: 'in1' },
    secrets: ['QAE-AWB-AAAL-7f3k'],
  },
  moengage: {
    adapter: moengageAdapter() as Adapter<unknown>,
    config: { workspaceId: 'OAPQQ2AMD01MJZYZX1YPG', apiKey: 'dAtA-kEy-7f3b9c2e1a', dataCenter: '03' },
    secrets: ['dAtA-kEy-7f3b9c2e1a'],
  },
  webengage: {
    adapter: webengageAdapter() as Adapter<unknown>,
    config: { licenseCode: '~10a5cb1dc', apiKey: 'f1352231-143c-4f09-8910-102e1698ba90' },
    secrets: ['f1352231-143c-4f09-8910-102e1698ba90'],
  },
  slack: {
    adapter: slackAdapter() as Adapter<unknown>,
    config: { webhookUrl: 'https://hooks.slack.com/services/T0ACME001/B0LOYAL01/XyZ9aBcDeFgHiJkLmNoPqRsT' },
    secrets: ['https://hooks.slack.com/services/T0ACME001/B0LOYAL01/XyZ9aBcDeFgHiJkLmNoPqRsT'],
  },
  webhook: {
    adapter: webhookAdapter() as Adapter<unknown>,
    config: {
      url: 'https://crm.example/hooks',
      secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      headers: { authorization: 'Bearer tok_live_4f8a2c9e1b7d3f6a' },
    },
    secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'tok_live_4f8a2c9e1b7d3f6a'],
  },
}

/** Every string reachable from `value`: object fields, array items, error messages, stacks and causes. */
function stringsIn(value: unknown, found: string[] = [], seen = new WeakSet<object>()): string[] {
  if (typeof value === 'string') found.push(value)
  else if (value !== null && typeof value === 'object') {
    if (seen.has(value)) return found
    seen.add(value)
    if (value instanceof Error) {
      found.push(value.message, value.stack ?? '')
      stringsIn(value.cause, found, seen)
    }
    for (const [key, inner] of Object.entries(value)) {
      found.push(key)
      stringsIn(inner, found, seen)
    }
  }
  return found
}

/** Runs a failing delivery and a test send, and gathers everything the router handed out. */
async function everythingHandedOut(item: Case, transport: Transport): Promise<unknown[]> {
  echoed.secrets = [...item.secrets]
  const router = new EventRouter({
    adapters: [item.adapter],
    transport,
    retry: { retries: 1, minTimeout: 0, maxTimeout: 0, randomize: false },
  })
  const handedOut: unknown[] = []
  for (const name of [
    'deliverySucceeded',
    'attemptFailed',
    'deliveryFailed',
    'eventSkipped',
    'deliveryDeadLettered',
    'integrationSuspended',
    'integrationDisabled',
    'integrationThrottled',
    'error',
  ] as const) {
    router.on(name, (payload: unknown) => {
      handedOut.push(payload)
    })
  }
  // Published pacing (Slack: one message a second) would only slow the test down.
  const integration = router.integrations.add({
    id: 'dest',
    type: item.adapter.type,
    config: item.config,
    pacing: { perSecond: null, perMinute: null },
  })
  const subscription = router.subscriptions.create({ event: 'wallet.coins_rewarded', integrationId: 'dest' })
  const receipt = router.emit('wallet.coins_rewarded', coinsRewarded())
  const results = await receipt.settled
  await router.onIdle()
  expect(results.map((result) => result.status)).toEqual(['failed'])
  const test = await router.subscriptions.test(subscription.id, coinsRewarded())
  handedOut.push(
    integration,
    results,
    test,
    await router.deadLetters.list(),
    router.toJSON(),
    router.integrations.list(),
    inspect(router, { depth: null, showHidden: true }),
  )
  await router.close()
  return handedOut
}

function leaks(handedOut: readonly unknown[], secrets: readonly string[]): string[] {
  const places = handedOut.flatMap((value) => [...stringsIn(value), JSON.stringify(value)])
  expect(places.length).toBeGreaterThan(20)
  const found: string[] = []
  for (const form of secrets.flatMap(formsOf)) {
    for (const text of places) if (text.includes(form)) found.push(`${form} in ${text.slice(0, 300)}`)
  }
  return found
}

describe('credentials scrubbed from everything the router hands out', () => {
  it.each(Object.entries(CASES))(
    '%s: a destination echoing the credential in every form',
    async (_name, item) => {
      const transport = loopback()
      try {
        const handedOut = await everythingHandedOut(item, transport)
        expect(leaks(handedOut, item.secrets)).toEqual([])
        // The echo did reach the router: the scrubbed excerpt shows where the secrets were.
        expect(JSON.stringify(handedOut)).toContain('[REDACTED]')
      } finally {
        await transport.close()
      }
    },
  )

  it.each(Object.entries(CASES))(
    '%s: a custom transport whose errors quote the credential',
    async (_name, item) => {
      const handedOut = await everythingHandedOut(item, quotingTransport)
      expect(leaks(handedOut, item.secrets)).toEqual([])
      expect(JSON.stringify(handedOut)).toContain('connect failed for')
    },
  )

  it('keeps the cause of a scrubbed transport error, with its class name and scrubbed message', async () => {
    const item = CASES.klaviyo as Case
    const handedOut = await everythingHandedOut(item, quotingTransport)
    const failed = handedOut.find(
      (value): value is { error: Error } =>
        typeof value === 'object' && value !== null && 'reason' in value && 'error' in value,
    )
    const cause = failed?.error.cause as Error
    expect(cause.name).toBe('TypeError')
    expect(cause.message).toContain('connect failed for')
    expect(cause.message).toContain('[REDACTED]')
    expect((cause.cause as Error).message).toContain('socket said')
  })
})
