import { MockAgent } from 'undici'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  BlockedDestinationError,
  EventRouter,
  kyTransport,
  type NetworkGuardOptions,
  webhookAdapter,
} from '../../src/index.js'
import type { Transport, TransportRequest } from '../../src/transport/transport.js'
import { undiciTransport } from '../../src/transport/undici/index.js'
import { dnsAnswers, lookedUp } from './fake-dns.js'
import { loopbackOnly } from './loopback-only.js'
import { startTestServer, type TestRoute, type TestServer } from './transport-contract.js'

// No test here resolves a real name or connects anywhere but 127.0.0.1: names come from a fake
// resolver (fake-dns.ts), and loopbackOnly() fails any connection to another address, should
// the guard ever let one through.
vi.mock('node:dns', async (importOriginal) => (await import('./fake-dns.js')).fakeDns(await importOriginal()))

type ClosableTransport = Transport & { close(): Promise<void> }

const TRANSPORTS: readonly [string, (options?: NetworkGuardOptions) => ClosableTransport][] = [
  ['kyTransport', (options) => kyTransport(options)],
  ['undiciTransport', (options) => undiciTransport(options)],
]

const signal = () => new AbortController().signal
const get = (url: string): TransportRequest => ({ method: 'GET', url, headers: {} })
const v4 = (address: string) => ({ address, family: 4 })
const v6 = (address: string) => ({ address, family: 6 })

/** A BlockedDestinationError in the error's cause chain (fetch wraps it in `TypeError: fetch failed`). */
function blockedIn(error: unknown): BlockedDestinationError | undefined {
  for (let current = error; current instanceof Error; current = current.cause) {
    if (current instanceof BlockedDestinationError) return current
  }
  return undefined
}

/** The BlockedDestinationError a send rejected with; rethrows any other outcome. */
async function refusal(sending: Promise<unknown>): Promise<BlockedDestinationError> {
  const error = await sending.then(
    () => {
      throw new Error('Expected the request to be refused, but it resolved')
    },
    (reason: unknown) => reason,
  )
  const blocked = blockedIn(error)
  if (!blocked) throw error
  return blocked
}

let server: TestServer
let port: string
let net: ReturnType<typeof loopbackOnly>
const created: ClosableTransport[] = []
/** A transport that is closed after the file. */
function track<T extends ClosableTransport>(transport: T): T {
  created.push(transport)
  return transport
}
beforeAll(async () => {
  server = await startTestServer()
  port = new URL(server.origin).port
  net = loopbackOnly()
})
afterEach(() => {
  dnsAnswers.clear()
  lookedUp.length = 0
  net.hosts.length = 0
})
afterAll(async () => {
  net.restore()
  await Promise.all(created.map((transport) => transport.close()))
  await server.close()
})

/** A route whose URL has `host` (an IP literal in any spelling, or a name) instead of 127.0.0.1. */
function routeOn(host: string): { route: TestRoute; url: string } {
  const route = server.route((_request, response) => response.end('reached'))
  return { route, url: route.url.replace('127.0.0.1', host) }
}

describe.each(TRANSPORTS)('SSRF guard of %s()', (_name, make) => {
  let transport: ClosableTransport
  beforeAll(() => {
    transport = track(make())
  })

  describe('refuses an IP literal in a blocked range before connecting', () => {
    // [host as written in the URL, address reported, range]. Loopback forms carry the port of
    // the test server: without the guard they would reach it.
    it.each([
      ['127.0.0.1', '127.0.0.1', 'loopback'],
      ['2130706433', '127.0.0.1', 'loopback'], // decimal
      ['0177.0.0.1', '127.0.0.1', 'loopback'], // octal
      ['0x7f000001', '127.0.0.1', 'loopback'], // hexadecimal
      ['0x7f.1', '127.0.0.1', 'loopback'],
      ['127.1', '127.0.0.1', 'loopback'], // short form
      ['[::1]', '::1', 'loopback'],
      ['[0:0:0:0:0:0:0:1]', '::1', 'loopback'],
      ['[::ffff:127.0.0.1]', '::ffff:7f00:1', 'loopback'], // IPv4-mapped
      ['[::ffff:7f00:1]', '::ffff:7f00:1', 'loopback'],
      ['[64:ff9b::7f00:1]', '64:ff9b::7f00:1', 'loopback'], // NAT64
      ['[2002:7f00:1::1]', '2002:7f00:1::1', 'loopback'], // 6to4
      ['0.0.0.0', '0.0.0.0', 'unspecified'], // reaches local services on Linux
      ['0', '0.0.0.0', 'unspecified'],
      ['[::]', '::', 'unspecified'],
      ['10.0.0.1', '10.0.0.1', 'private'],
      ['172.16.0.1', '172.16.0.1', 'private'],
      ['192.168.1.1', '192.168.1.1', 'private'],
      ['100.64.0.1', '100.64.0.1', 'shared'],
      ['169.254.169.254', '169.254.169.254', 'link-local'], // cloud metadata
      ['[::ffff:169.254.169.254]', '::ffff:a9fe:a9fe', 'link-local'],
      ['[fe80::1]', 'fe80::1', 'link-local'],
      ['[fc00::1]', 'fc00::1', 'unique-local'],
      ['[fd00:ec2::254]', 'fd00:ec2::254', 'unique-local'], // AWS metadata over IPv6
      ['[fec0::1]', 'fec0::1', 'site-local'],
      ['224.0.0.1', '224.0.0.1', 'multicast'],
      ['[ff02::1]', 'ff02::1', 'multicast'],
      ['255.255.255.255', '255.255.255.255', 'broadcast'],
      ['240.0.0.1', '240.0.0.1', 'reserved'],
      ['[2001::1]', '2001::1', 'reserved'], // Teredo
      ['[::7f00:1]', '::7f00:1', 'ipv4-translated'], // IPv4-compatible
      ['192.0.2.1', '192.0.2.1', 'documentation'],
      ['[2001:db8::1]', '2001:db8::1', 'documentation'],
      ['198.18.0.1', '198.18.0.1', 'benchmarking'],
    ] as const)('%s (%s, %s)', async (host, address, range) => {
      const { route, url } = routeOn(host)

      const error = await refusal(transport.send(get(url), { signal: signal() }))

      expect(error).toMatchObject({ code: 'ERR_BLOCKED_DESTINATION', host: address, address, range })
      expect(net.hosts).toEqual([]) // refused before any socket was opened
      expect(route.requests).toHaveLength(0)
    })
  })

  describe('refuses a host name that resolves to a blocked address', () => {
    it.each([
      [v4('127.0.0.1'), 'loopback'],
      [v6('::1'), 'loopback'],
      [v6('::ffff:127.0.0.1'), 'loopback'],
      [v6('::ffff:7f00:1'), 'loopback'],
      [v4('0.0.0.0'), 'unspecified'],
      [v4('10.1.2.3'), 'private'],
      [v4('100.64.0.1'), 'shared'],
      [v4('169.254.169.254'), 'link-local'],
      [v6('fe80::1'), 'link-local'],
      [v6('fc00::1'), 'unique-local'],
      [v4('224.0.0.1'), 'multicast'],
      [v6('ff02::1'), 'multicast'],
      [v4('240.0.0.1'), 'reserved'],
      [v6('64:ff9b::a9fe:a9fe'), 'link-local'],
    ] as const)('%o (%s)', async (answer, range) => {
      dnsAnswers.set('hooks.test', [answer])
      const { route, url } = routeOn('hooks.test')

      const error = await refusal(transport.send(get(url), { signal: signal() }))

      expect(error).toMatchObject({ host: 'hooks.test', address: answer.address, range })
      expect(lookedUp).toEqual(['hooks.test'])
      expect(route.requests).toHaveLength(0)
    })

    it('refuses localhost, resolved by the system to 127.0.0.1', async () => {
      const { route, url } = routeOn('localhost')

      const error = await refusal(transport.send(get(url), { signal: signal() }))

      expect(error).toMatchObject({ host: 'localhost', range: 'loopback' })
      expect(['127.0.0.1', '::1']).toContain(error.address)
      expect(route.requests).toHaveLength(0)
    })

    it.each([
      [[v4('93.184.215.14'), v4('127.0.0.1')], '127.0.0.1'],
      [[v4('127.0.0.1'), v4('93.184.215.14')], '127.0.0.1'],
      [[v6('2606:4700:4700::1111'), v4('93.184.215.14'), v4('169.254.169.254')], '169.254.169.254'],
      [[v6('2606:4700:4700::1111'), v6('fd00::1')], 'fd00::1'],
    ])('refuses a DNS answer mixing public and blocked addresses: %o', async (answer, blocked) => {
      dnsAnswers.set('mixed.test', answer)

      const error = await refusal(transport.send(get(`http://mixed.test:${port}/`), { signal: signal() }))

      expect(error).toMatchObject({ host: 'mixed.test', address: blocked })
    })

    it('fails a name that does not resolve as a network error, not as a blocked destination', async () => {
      const error = await transport.send(get(`http://nowhere.invalid:${port}/`), { signal: signal() }).then(
        () => undefined,
        (reason: unknown) => reason,
      )

      expect(error).toBeInstanceOf(Error)
      expect(blockedIn(error)).toBeUndefined()
      expect(lookedUp).toEqual(['nowhere.invalid'])
    })
  })

  describe('allowing private networks', () => {
    it('allowPrivateNetworks: true lets 127.0.0.1 and localhost through', async () => {
      const open = track(make({ allowPrivateNetworks: true }))

      for (const host of ['127.0.0.1', 'localhost']) {
        const { route, url } = routeOn(host)
        const response = await open.send(get(url), { signal: signal() })
        expect(response).toMatchObject({ status: 200, body: 'reached' })
        expect(route.requests).toHaveLength(1)
      }
    })

    it.each([[['127.0.0.1']], [['127.0.0.0/8']], [['10.0.0.0/8', '127.0.0.1/32']]])(
      'allowedAddresses: %o lets 127.0.0.1 through, and nothing else',
      async (allowedAddresses) => {
        const allowing = track(make({ allowedAddresses }))
        const { route, url } = routeOn('127.0.0.1')

        expect(await allowing.send(get(url), { signal: signal() })).toMatchObject({ status: 200 })
        expect(route.requests).toHaveLength(1)
        const refused = await refusal(allowing.send(get(routeOn('[::1]').url), { signal: signal() }))
        expect(refused.range).toBe('loopback')
        await expect(
          refusal(allowing.send(get('http://169.254.169.254/'), { signal: signal() })),
        ).resolves.toMatchObject({
          range: 'link-local',
        })
      },
    )

    it("allowedAddresses: ['127.0.0.1'] also allows ::ffff:127.0.0.1, its IPv4-mapped form", async () => {
      const allowing = track(make({ allowedAddresses: ['127.0.0.1'] }))
      const { route, url } = routeOn('[::ffff:127.0.0.1]')

      expect(await allowing.send(get(url), { signal: signal() })).toMatchObject({ status: 200 })
      expect(route.requests).toHaveLength(1)
    })

    it('pins the connection to the address it checked: a name resolving to an allowed address', async () => {
      dnsAnswers.set('crm.test', [v4('127.0.0.1')])
      const allowing = track(make({ allowedAddresses: ['127.0.0.1'] }))
      const { route, url } = routeOn('crm.test')

      const response = await allowing.send(get(url), { signal: signal() })

      expect(response).toMatchObject({ status: 200, body: 'reached' })
      expect(route.requests[0]?.headers.host).toBe(`crm.test:${port}`)
      expect(lookedUp).toEqual(['crm.test']) // one resolution, checked and connected to
      expect(net.hosts).toEqual(['crm.test'])
    })

    it('still refuses a name whose DNS answer mixes an allowed and a blocked address', async () => {
      dnsAnswers.set('crm.test', [v4('127.0.0.1'), v4('10.0.0.7')])
      const allowing = track(make({ allowedAddresses: ['127.0.0.1'] }))

      const error = await refusal(allowing.send(get(`http://crm.test:${port}/`), { signal: signal() }))

      expect(error).toMatchObject({ host: 'crm.test', address: '10.0.0.7', range: 'private' })
    })

    it('checks again on every new connection: a rebinding answer is refused', async () => {
      const answers = [[v4('127.0.0.1')], [v4('169.254.169.254')]]
      dnsAnswers.set('rebind.test', () => answers.shift() ?? [v4('169.254.169.254')])
      const { route, url } = routeOn('rebind.test')

      const first = track(make({ allowedAddresses: ['127.0.0.1'] }))
      expect(await first.send(get(url), { signal: signal() })).toMatchObject({ status: 200 })
      const second = track(make({ allowedAddresses: ['127.0.0.1'] })) // a new pool: a new connection

      const error = await refusal(second.send(get(url), { signal: signal() }))

      expect(error).toMatchObject({ host: 'rebind.test', address: '169.254.169.254', range: 'link-local' })
      expect(route.requests).toHaveLength(1)
      expect(lookedUp).toEqual(['rebind.test', 'rebind.test']) // once per connection, never twice
    })
  })

  describe('redirects are never followed', () => {
    let allowing: ClosableTransport
    beforeAll(() => {
      allowing = track(make({ allowedAddresses: ['127.0.0.1'] }))
    })

    it.each([
      'http://169.254.169.254/latest/meta-data/',
      'http://[::1]/admin',
      'http://2130706433/',
      'http://metadata.test/computeMetadata/v1/',
    ])('returns a 302 to %s as-is', async (location) => {
      dnsAnswers.set('metadata.test', [v4('169.254.169.254')])
      const route = server.route((_request, response) => response.writeHead(302, { location }).end())

      const response = await allowing.send(get(route.url), { signal: signal() })

      expect(response).toMatchObject({ status: 302, headers: { location } })
      expect(net.hosts.every((host) => host === '127.0.0.1')).toBe(true)
      expect(lookedUp).toEqual([])
    })

    it('returns a 302 to a second allowed server as-is: that server sees no request', async () => {
      const target = await startTestServer()
      try {
        const targetRoute = target.route((_request, response) => response.end('target'))
        const route = server.route((_request, response) => {
          response.writeHead(302, { location: targetRoute.url }).end('moved')
        })

        const response = await allowing.send(get(route.url), { signal: signal() })

        // A followed redirect would have been requested before the send resolved.
        expect(response).toMatchObject({ status: 302, body: 'moved', headers: { location: targetRoute.url } })
        expect(targetRoute.requests).toHaveLength(0)
      } finally {
        await target.close()
      }
    })
  })

  describe('options', () => {
    it.each([
      [
        { allowPrivateNetworks: 'yes' },
        'Expected `allowPrivateNetworks` to be a boolean, got `yes` (string).',
      ],
      [
        { allowedAddresses: '127.0.0.1' },
        'Expected `allowedAddresses` to be an array of IP addresses or CIDR ranges, got `127.0.0.1` (string).',
      ],
      [
        { allowedAddresses: ['127.0.0.1', 'localhost'] },
        'Expected `allowedAddresses[1]` to be an IP address or a CIDR range such as `10.0.0.0/8`, got `localhost` (string).',
      ],
      [
        { allowedAddresses: ['10.0.0.0/33'] },
        'Expected `allowedAddresses[0]` to be an IP address or a CIDR range such as `10.0.0.0/8`, got `10.0.0.0/33` (string).',
      ],
      [
        { allowedAddresses: ['10.0.0.0/'] },
        'Expected `allowedAddresses[0]` to be an IP address or a CIDR range such as `10.0.0.0/8`, got `10.0.0.0/` (string).',
      ],
      [
        { allowedAddresses: [42] },
        'Expected `allowedAddresses[0]` to be an IP address or a CIDR range such as `10.0.0.0/8`, got `42` (number).',
      ],
    ])('rejects %o up front', (options, message) => {
      expect(() => make(options as NetworkGuardOptions)).toThrow(new TypeError(message))
    })
  })
})

describe('BlockedDestinationError', () => {
  it('says what was refused, why, and how to allow it', async () => {
    dnsAnswers.set('crm.test', [v4('10.0.0.7')])
    const transport = track(undiciTransport())

    const error = await refusal(transport.send(get('http://crm.test/hooks'), { signal: signal() }))

    expect(error.name).toBe('BlockedDestinationError')
    expect(error.message).toBe(
      'Refused to connect to crm.test: it resolves to 10.0.0.7, which is in the private range (10.0.0.0/8). ' +
        'The transport does not send to loopback, private, link-local (cloud metadata) or other ' +
        "special-purpose addresses unless told to. If this destination is yours, pass `allowedAddresses: ['10.0.0.7']` " +
        '(or `allowPrivateNetworks: true`) to the transport.',
    )
  })

  it('names the literal address when the URL has one', async () => {
    const error = await refusal(
      track(kyTransport()).send(get('http://169.254.169.254/latest/meta-data/'), { signal: signal() }),
    )

    expect(error.message).toMatch(
      /^Refused to connect to 169\.254\.169\.254: it is in the link-local range \(169\.254\.0\.0\/16\)\. /,
    )
  })
})

describe('undiciTransport with an injected dispatcher', () => {
  it('still refuses an IP literal in the URL; names are the dispatcher’s to check', async () => {
    const agent = new MockAgent()
    agent.disableNetConnect()
    agent.get('http://crm.test').intercept({ path: '/hooks' }).reply(200, 'mocked')
    agent.get('http://127.0.0.1').intercept({ path: '/hooks' }).reply(200, 'should not be reached')
    const transport = undiciTransport({ dispatcher: agent })

    const error = await refusal(transport.send(get('http://0x7f000001/hooks'), { signal: signal() }))
    const response = await transport.send(get('http://crm.test/hooks'), { signal: signal() })

    expect(error).toMatchObject({ address: '127.0.0.1', range: 'loopback' })
    expect(response).toMatchObject({ status: 200, body: 'mocked' })
    expect(agent.pendingInterceptors()).toHaveLength(1) // the 127.0.0.1 one, never used
    await agent.close()
  })
})

describe('a delivery to a blocked destination', () => {
  it.each([
    ['the default transport, an IP literal', undefined, (route: TestRoute) => route.url],
    [
      'the default transport, localhost',
      undefined,
      (route: TestRoute) => route.url.replace('127.0.0.1', 'localhost'),
    ],
    [
      'undiciTransport, a name resolving to cloud metadata',
      () => track(undiciTransport()),
      () => 'http://metadata.test/latest/meta-data/',
    ],
  ] as const)(
    'fails at once, not retried, with ERR_BLOCKED_DESTINATION: %s',
    async (_case, transport, urlOf) => {
      dnsAnswers.set('metadata.test', [v4('169.254.169.254')])
      const route = server.route((_request, response) => response.writeHead(204).end())
      const router = new EventRouter({
        adapters: [webhookAdapter()],
        ...(transport ? { transport: transport() } : {}),
        retry: { retries: 3, minTimeout: 1, randomize: false },
      })
      router.integrations.add({ id: 'crm', type: 'webhook', config: { url: urlOf(route), signing: false } })
      router.subscriptions.create({ event: 'wallet.coins_rewarded', integrationId: 'crm' })

      const [result] = await router.emit('wallet.coins_rewarded', { coins: 150 }).settled

      expect(result).toMatchObject({
        status: 'failed',
        reason: 'not_retryable',
        attempts: 1,
        error: { code: 'ERR_BLOCKED_DESTINATION', retryable: false },
      })
      expect(result?.status === 'failed' && result.error.cause).toBeInstanceOf(BlockedDestinationError)
      expect(route.requests).toHaveLength(0)
      await router.close()
    },
  )
})
