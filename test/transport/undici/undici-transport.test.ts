import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { Agent, MockAgent } from 'undici'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { EventRouter, webhookAdapter } from '../../../src/index.js'
import type { TransportRequest } from '../../../src/transport/transport.js'
import { type UndiciTransport, undiciTransport } from '../../../src/transport/undici/index.js'
import { describeTransportContract, startTestServer, type TestServer } from '../transport-contract.js'

// Every transport a test creates is closed at the end, so no socket outlives the file.
const created: UndiciTransport[] = []
function track(transport: UndiciTransport): UndiciTransport {
  created.push(transport)
  return transport
}
afterAll(() => Promise.all(created.map((transport) => transport.close())))

// The test servers listen on 127.0.0.1, which the address guard refuses by default
// (test/transport/ssrf.test.ts): every transport here allows it, through the guarded Agent.
const LOCAL = { allowedAddresses: ['127.0.0.1'] } as const

describeTransportContract(
  "undiciTransport({ allowedAddresses: ['127.0.0.1'] })",
  () => track(undiciTransport(LOCAL)),
  { maxResponseBodyBytes: 65536 },
)
describeTransportContract(
  'undiciTransport({ allowPrivateNetworks: true })',
  () => track(undiciTransport({ allowPrivateNetworks: true })),
  { maxResponseBodyBytes: 65536 },
)

const signal = () => new AbortController().signal
const get = (url: string): TransportRequest => ({ method: 'GET', url, headers: {} })
const post = (url: string, body: string): TransportRequest => ({
  method: 'POST',
  url,
  headers: { 'content-type': 'application/json' },
  body,
})

/** A keep-alive server on 127.0.0.1 that counts the sockets its clients open. */
async function startCountingServer(): Promise<{
  url: string
  sockets: Set<Socket>
  requests: () => number
  close: () => Promise<void>
}> {
  const sockets = new Set<Socket>()
  let requests = 0
  const server: Server = createServer((request, response) => {
    request.resume()
    request.on('end', () => {
      requests++
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
    })
  })
  server.keepAliveTimeout = 60_000
  server.on('connection', (socket: Socket) => sockets.add(socket))
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    sockets,
    requests: () => requests,
    async close() {
      server.closeAllConnections()
      server.close()
      await once(server, 'close')
    },
  }
}

describe('undiciTransport', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(() => server.close())

  describe('options', () => {
    it.each([
      [{ connections: 0 }, 'Expected `connections` to be a positive integer, got `0` (number).'],
      [{ connections: 1.5 }, 'Expected `connections` to be a positive integer, got `1.5` (number).'],
      [
        { keepAliveTimeoutMs: -1 },
        'Expected `keepAliveTimeoutMs` to be a positive integer, got `-1` (number).',
      ],
      [
        { maxResponseBodyBytes: Number.NaN },
        'Expected `maxResponseBodyBytes` to be a non-negative integer, got `NaN` (number).',
      ],
      [
        { dispatcher: {} as Agent },
        'Expected `dispatcher` to be an undici Dispatcher (an Agent, Pool, ProxyAgent...), got `[object Object]` (object).',
      ],
    ])('rejects %o up front', (options, message) => {
      expect(() => undiciTransport(options)).toThrow(new TypeError(message))
    })
  })

  describe('keep-alive', () => {
    let counting: Awaited<ReturnType<typeof startCountingServer>>
    beforeAll(async () => {
      counting = await startCountingServer()
    })
    afterEach(() => {
      for (const socket of counting.sockets) socket.destroy()
      counting.sockets.clear()
    })
    afterAll(() => counting.close())

    // undici waits one event-loop turn before reusing a socket with pipelining 1 (in case the
    // server closes it despite keep-alive), so back-to-back requests alternate over two.
    it('sends 200 sequential requests over at most two sockets', async () => {
      const transport = track(undiciTransport(LOCAL))

      for (let i = 0; i < 200; i++) {
        const response = await transport.send(post(counting.url, `{"i":${i}}`), { signal: signal() })
        expect(response.status).toBe(200)
      }

      expect(counting.requests()).toBe(200)
      expect(counting.sockets.size).toBeGreaterThan(0)
      expect(counting.sockets.size).toBeLessThanOrEqual(2)
    })

    it('opens at most `connections` sockets to one origin, however many requests are in flight', async () => {
      const transport = track(undiciTransport({ ...LOCAL, connections: 4 }))

      const responses = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          transport.send(post(counting.url, `{"i":${i}}`), { signal: signal() }),
        ),
      )

      expect(responses.every((response) => response.status === 200)).toBe(true)
      expect(counting.sockets.size).toBeGreaterThan(0)
      expect(counting.sockets.size).toBeLessThanOrEqual(4)
    })

    it('reuses the socket after a body of exactly the cap with its content-length', async () => {
      const transport = track(undiciTransport({ ...LOCAL, maxResponseBodyBytes: 8 }))
      const sockets = new Set<Socket>()
      const route = server.route((request, response) => {
        sockets.add(request.socket)
        response.end('12345678') // exactly the cap: read to its end, not cut off
      })

      for (let i = 0; i < 3; i++) {
        expect((await transport.send(get(route.url), { signal: signal() })).body).toBe('12345678')
        await new Promise((resolve) => setImmediate(resolve)) // undici's one-turn wait before reuse
      }

      expect(sockets.size).toBe(1)
    })
  })

  it('drops a multi-byte character cut in half by the cap', async () => {
    const route = server.route((_request, response) => response.end('abcé')) // é is 2 bytes
    const transport = track(undiciTransport({ ...LOCAL, maxResponseBodyBytes: 4 }))

    const response = await transport.send(get(route.url), { signal: signal() })

    expect(response.body).toBe('abc')
  })

  it('reads no body with maxResponseBodyBytes: 0', async () => {
    const route = server.route((_request, response) => response.end('ignored'))
    const transport = track(undiciTransport({ ...LOCAL, maxResponseBodyBytes: 0 }))

    const response = await transport.send(get(route.url), { signal: signal() })

    expect(response).toMatchObject({ status: 200, body: '' })
  })

  describe('close()', () => {
    it('releases the sockets of its Agent; later sends reject', async () => {
      const sockets = new Set<Socket>()
      const route = server.route((request, response) => {
        sockets.add(request.socket)
        response.end('ok')
      })
      const transport = undiciTransport(LOCAL)
      await transport.send(get(route.url), { signal: signal() })
      const [socket] = sockets
      const socketClosed = once(socket!, 'close')

      await transport.close()

      await socketClosed // the idle keep-alive socket was closed by the client
      await expect(transport.send(get(route.url), { signal: signal() })).rejects.toThrow(/destroyed|closed/i)
    })

    it('leaves an injected dispatcher open', async () => {
      const route = server.route((_request, response) => response.end('ok'))
      const agent = new Agent()
      const transport = undiciTransport({ ...LOCAL, dispatcher: agent })

      await transport.close()

      expect((await transport.send(get(route.url), { signal: signal() })).body).toBe('ok')
      await agent.close()
    })
  })

  it('sends through an injected dispatcher (MockAgent)', async () => {
    const agent = new MockAgent()
    agent.disableNetConnect()
    agent
      .get('https://crm.example')
      .intercept({ path: '/hooks', method: 'POST', body: '{"a":1}' })
      .reply(202, '{"accepted":true}', { headers: { 'X-Request-Id': 'crm-1' } })
    const transport = undiciTransport({ dispatcher: agent })

    const response = await transport.send(post('https://crm.example/hooks', '{"a":1}'), { signal: signal() })

    expect(response).toEqual({
      status: 202,
      headers: expect.objectContaining({ 'x-request-id': 'crm-1' }),
      body: '{"accepted":true}',
    })
    await agent.close()
  })

  it('delivers a webhook end to end through a router', async () => {
    const route = server.route((_request, response) => response.writeHead(204).end())
    const transport = track(undiciTransport(LOCAL))
    const router = new EventRouter({ adapters: [webhookAdapter()], transport, retry: { retries: 0 } })
    router.integrations.add({ id: 'crm', type: 'webhook', config: { url: route.url, signing: false } })
    router.subscriptions.create({ event: 'wallet.coins_rewarded', integrationId: 'crm' })

    const [result] = await router.emit('wallet.coins_rewarded', { coins: 150 }).settled

    expect(result).toMatchObject({ status: 'succeeded', responseStatus: 204 })
    expect(JSON.parse(route.requests[0]!.body)).toMatchObject({
      type: 'wallet.coins_rewarded',
      data: { coins: 150 },
    })
    await router.close()
  })
})
