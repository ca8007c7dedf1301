import ky from 'ky'
import { HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { kyTransport } from '../../../src/transport/ky/ky-transport.js'
import { MAX_RESPONSE_BODY_BYTES } from '../../../src/transport/read-body.js'
import type { TransportRequest } from '../../../src/transport/transport.js'
import { describeTransportContract, startTestServer, type TestServer } from '../transport-contract.js'

// The test server listens on 127.0.0.1, which the address guard refuses by default
// (test/transport/ssrf.test.ts). The contract runs through both ways of letting it in: the
// guarded undici Agent with an allow-list, and the guard off (fetch's global dispatcher).
const LOCAL = { allowedAddresses: ['127.0.0.1'] } as const
describeTransportContract("kyTransport({ allowedAddresses: ['127.0.0.1'] })", () => kyTransport(LOCAL), {
  maxResponseBodyBytes: 64 * 1024,
})
describeTransportContract(
  'kyTransport({ allowPrivateNetworks: true })',
  () => kyTransport({ allowPrivateNetworks: true }),
  { maxResponseBodyBytes: 64 * 1024 },
)

const signal = () => new AbortController().signal
const get = (url: string): TransportRequest => ({ method: 'GET', url, headers: {} })

describe('kyTransport', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(() => server.close())

  it('defaults to the MAX_RESPONSE_BODY_BYTES cap, 64 KiB, that the contract above checks', () => {
    expect(MAX_RESPONSE_BODY_BYTES).toBe(64 * 1024)
  })

  it('reads at most maxResponseBodyBytes', async () => {
    const route = server.route((_request, response) => response.end('x'.repeat(5000)))

    const response = await kyTransport({ ...LOCAL, maxResponseBodyBytes: 1000 }).send(get(route.url), {
      signal: signal(),
    })

    expect(response.body).toBe('x'.repeat(1000))
  })

  describe("ky's own retry is off (the router retries)", () => {
    // ky retries GET, PUT and DELETE on 503 by default (limit 2), and right away with Retry-After: 0.
    it.each(['GET', 'PUT', 'DELETE'] as const)(
      'a %s answered 503 reaches the server exactly once',
      async (method) => {
        const route = server.route((_request, response) => {
          response.writeHead(503, { 'retry-after': '0' }).end('busy')
        })

        const response = await kyTransport(LOCAL).send(
          { method, url: route.url, headers: {} },
          { signal: signal() },
        )

        expect(response.status).toBe(503)
        expect(route.requests).toHaveLength(1)
      },
    )

    it('stays off when the injected instance enables retries', async () => {
      const route = server.route((_request, response) => {
        response.writeHead(503, { 'retry-after': '0' }).end()
      })
      const client = ky.create({ retry: { limit: 5, methods: ['get', 'post'], statusCodes: [503] } })

      await kyTransport({ ...LOCAL, ky: client }).send(
        { ...get(route.url), method: 'POST', body: '{}' },
        { signal: signal() },
      )

      expect(route.requests).toHaveLength(1)
    })
  })

  describe("ky's own timeout is off (the router enforces the TTL through the signal)", () => {
    // ky's default timeout (10 s) would throw a TimeoutError for an answer after 11 s. We do
    // not wait 11 s: ky applies `timeout` through the same code path whatever its value,
    // so an instance configured with `timeout: 100` that still lets a 300 ms answer through
    // shows that the transport's `timeout: false` wins over any instance value, the 10 s
    // default included. Only the signal may cut a request short.
    it('lets a slow answer through with no abort', async () => {
      const route = server.route((_request, response) => {
        setTimeout(() => response.end('slow but fine'), 300)
      })

      const response = await kyTransport(LOCAL).send(get(route.url), { signal: signal() })

      expect(response).toMatchObject({ status: 200, body: 'slow but fine' })
    })

    it('lets a 300 ms answer through an instance whose timeout is 100 ms', async () => {
      const route = server.route((_request, response) => {
        setTimeout(() => response.end('slow but fine'), 300)
      })
      const client = ky.create({ timeout: 100 })

      const response = await kyTransport({ ...LOCAL, ky: client }).send(get(route.url), { signal: signal() })

      expect(response).toMatchObject({ status: 200, body: 'slow but fine' })
    })
  })

  it('sends through an injected ky.create({ fetch }) instance', async () => {
    const route = server.route((_request, response) => response.end('via injected fetch'))
    const fetchSpy = vi.fn((input: Request | URL | string, init?: RequestInit) =>
      globalThis.fetch(input, init),
    )
    const client = ky.create({ fetch: fetchSpy, headers: { 'user-agent': 'host-app/1.0' } })

    const response = await kyTransport({ ...LOCAL, ky: client }).send(
      { method: 'POST', url: route.url, headers: { 'content-type': 'application/json' }, body: '{"a":1}' },
      { signal: signal() },
    )

    expect(response.body).toBe('via injected fetch')
    expect(fetchSpy).toHaveBeenCalledTimes(1)
    const [input] = fetchSpy.mock.calls[0]!
    expect(input).toBeInstanceOf(Request)
    expect((input as Request).url).toBe(route.url)
    expect(route.requests[0]?.headers['user-agent']).toBe('host-app/1.0') // the instance's own settings apply
    // The guarded Agent reaches the custom fetch, which must pass it on for the guard to apply.
    expect(fetchSpy.mock.calls[0]?.[1]).toHaveProperty('dispatcher')
    expect(route.requests[0]?.body).toBe('{"a":1}')
  })
})

// Last in the file: while msw listens it intercepts the global fetch, loopback included.
describe('kyTransport under msw', () => {
  const received: { headers: Record<string, string>; body: unknown }[] = []
  const mswServer = setupServer(
    http.post('https://crm.example/hooks', async ({ request }) => {
      // Answer as the real endpoint would: it only accepts signed JSON.
      if (request.headers.get('content-type') !== 'application/json' || !request.headers.get('webhook-id')) {
        return HttpResponse.json({ error: 'unsigned or not JSON' }, { status: 400 })
      }
      received.push({ headers: Object.fromEntries(request.headers), body: await request.json() })
      return HttpResponse.json({ accepted: true }, { status: 202, headers: { 'X-Request-Id': 'crm-1' } })
    }),
  )
  beforeAll(() => mswServer.listen({ onUnhandledRequest: 'error' }))
  afterEach(() => mswServer.resetHandlers())
  afterAll(() => mswServer.close())

  it('works with the default transport, created after the server listens', async () => {
    const transport = kyTransport()

    const response = await transport.send(
      {
        method: 'POST',
        url: 'https://crm.example/hooks',
        headers: { 'content-type': 'application/json', 'webhook-id': 'msg_1' },
        body: JSON.stringify({ type: 'wallet.coins_rewarded', coins: 50 }),
      },
      { signal: signal() },
    )

    expect(response).toEqual({
      status: 202,
      headers: expect.objectContaining({ 'content-type': 'application/json', 'x-request-id': 'crm-1' }),
      body: '{"accepted":true}',
    })
    expect(received).toEqual([
      {
        headers: expect.objectContaining({ 'webhook-id': 'msg_1' }),
        body: { type: 'wallet.coins_rewarded', coins: 50 },
      },
    ])
  })
})
