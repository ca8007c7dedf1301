import { once } from 'node:events'
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Transport, TransportRequest, TransportResponse } from '../../src/transport/transport.js'

/** A request as the loopback server received it. */
export interface ReceivedRequest {
  readonly method: string
  readonly url: string
  readonly headers: IncomingHttpHeaders
  readonly body: string
  /**
   * Settles when the server side of the exchange closes: `finished` is false when the
   * client hung up (abort, cancelled body) before the response was complete.
   */
  readonly closed: Promise<{ finished: boolean }>
}

export type RouteHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  received: ReceivedRequest,
) => void

/** One path on the test server, unique per test so that tests never see each other's requests. */
export interface TestRoute {
  /** Absolute URL of the route, on 127.0.0.1. */
  readonly url: string
  /** Requests received so far, oldest first. */
  readonly requests: readonly ReceivedRequest[]
  /** Resolves with the first request the route receives (fails after 2 s). */
  firstRequest(): Promise<ReceivedRequest>
}

/** A real HTTP server on 127.0.0.1 (never any other address), on a port the OS picks. */
export interface TestServer {
  readonly origin: string
  /** Adds a route; the handler runs once the request body has been read. */
  route(handler: RouteHandler): TestRoute
  /** Hangs up every open connection (hanging and stalled routes included) and stops listening. */
  close(): Promise<void>
}

export async function startTestServer(): Promise<TestServer> {
  const routes = new Map<
    string,
    { handler: RouteHandler; requests: ReceivedRequest[]; arrived: () => void }
  >()
  let next = 0
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const route = routes.get(new URL(request.url ?? '/', 'http://127.0.0.1').pathname)
      const closed = new Promise<{ finished: boolean }>((resolve) => {
        response.on('close', () => resolve({ finished: response.writableFinished }))
      })
      const received: ReceivedRequest = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        closed,
      }
      if (!route) {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('no such route')
        return
      }
      route.requests.push(received)
      route.arrived()
      route.handler(request, response, received)
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  const origin = `http://127.0.0.1:${port}`
  return {
    origin,
    route(handler) {
      const path = `/route-${++next}`
      let arrived!: () => void
      const first = new Promise<void>((resolve) => {
        arrived = resolve
      })
      const requests: ReceivedRequest[] = []
      routes.set(path, { handler, requests, arrived })
      return {
        url: `${origin}${path}`,
        requests,
        firstRequest: () =>
          within(
            first.then(() => requests[0]!),
            2000,
            `a request to ${path}`,
          ),
      }
    },
    async close() {
      server.closeAllConnections()
      server.close()
      await once(server, 'close')
    },
  }
}

/** Options of {@link describeTransportContract}. */
export interface TransportContractOptions {
  /** The transport's response body cap in bytes, when it has one: the cap tests run only then. */
  readonly maxResponseBodyBytes?: number
}

// Generous for a loopback server on a busy CI machine; a transport that ignores its
// signal would only settle on the test timeout (20 s).
const PROMPT_MS = 1000
const STATUSES = [200, 204, 400, 404, 429, 500, 503] as const
const BODY_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'] as const

/**
 * The behaviour every {@link Transport} must have, checked against a real HTTP server on
 * 127.0.0.1. Each implementation runs it in one line:
 * `describeTransportContract('kyTransport()', () => kyTransport(), { maxResponseBodyBytes: 65536 })`.
 */
export function describeTransportContract(
  name: string,
  makeTransport: () => Transport,
  options: TransportContractOptions = {},
): void {
  describe(`Transport contract: ${name}`, () => {
    let server: TestServer
    let transport: Transport
    beforeAll(async () => {
      server = await startTestServer()
      transport = makeTransport()
    })
    afterAll(() => server.close())

    const send = (request: TransportRequest, signal: AbortSignal = new AbortController().signal) =>
      transport.send(request, { signal })

    describe('responses', () => {
      it.each(STATUSES)(
        'resolves (never throws) for %i with status, lower-cased headers and body text',
        async (status) => {
          const body = status === 204 ? '' : `status ${status}: déjà vu ✓`
          const route = server.route((_request, response) => {
            response.writeHead(status, {
              'Content-Type': 'text/plain; charset=utf-8',
              'X-Request-Id': 'Req-ABC',
              ...(status === 429 || status === 503 ? { 'Retry-After': '7' } : {}),
            })
            response.end(body)
          })

          const response = await send(get(route.url))

          expect(response.status).toBe(status)
          expect(response.body).toBe(body)
          expect(response.headers['x-request-id']).toBe('Req-ABC') // value kept as sent
          expect(response.headers['content-type']).toBe('text/plain; charset=utf-8')
          if (status === 429 || status === 503) expect(response.headers['retry-after']).toBe('7')
          for (const headerName of Object.keys(response.headers))
            expect(headerName).toBe(headerName.toLowerCase())
        },
      )

      it('joins the values of a repeated header with ", " as fetch does', async () => {
        const route = server.route((_request, response) => {
          response.setHeader('Link', ['<https://a.example/>; rel="next"', '<https://b.example/>; rel="last"'])
          response.end()
        })

        const response = await send(get(route.url))

        expect(response.headers.link).toBe(
          '<https://a.example/>; rel="next", <https://b.example/>; rel="last"',
        )
      })

      it('does not retry: a 503 reaches the server exactly once', async () => {
        const route = server.route((_request, response) => {
          response.writeHead(503, { 'retry-after': '0' }).end()
        })

        expect((await send(get(route.url))).status).toBe(503)
        expect((await send(post(route.url, '{}'))).status).toBe(503)
        expect(route.requests).toHaveLength(2)
      })
    })

    describe('requests', () => {
      const headers = {
        'content-type': 'application/json',
        'webhook-id': 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
        'webhook-timestamp': '1700000000',
        'webhook-signature': 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
        'X-Mixed-Case': 'Keep This Value',
      }
      const body = JSON.stringify({ type: 'wallet.coins_rewarded', name: 'Zoë', note: '🎉 café', coins: 50 })

      it.each(BODY_METHODS)('sends %s with its headers and body exactly', async (method) => {
        const route = server.route((_request, response) => response.end('ok'))

        await send({ method, url: `${route.url}?source=contract&x=a%20b`, headers, body })

        const [received] = route.requests
        expect(route.requests).toHaveLength(1)
        expect(received?.method).toBe(method)
        expect(received?.url).toBe(`${new URL(route.url).pathname}?source=contract&x=a%20b`)
        expect(received?.body).toBe(body)
        expect(received?.headers['content-length']).toBe(String(Buffer.byteLength(body)))
        expect(received?.headers).toMatchObject({
          'content-type': 'application/json',
          'webhook-id': 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
          'webhook-timestamp': '1700000000',
          'webhook-signature': 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
          'x-mixed-case': 'Keep This Value', // HTTP/1.1 names are case-insensitive; the value is not
        })
      })

      it('sends GET without a body', async () => {
        const route = server.route((_request, response) => response.end('ok'))

        await send({ method: 'GET', url: route.url, headers: { accept: 'application/json' } })

        expect(route.requests[0]?.method).toBe('GET')
        expect(route.requests[0]?.body).toBe('')
        expect(route.requests[0]?.headers.accept).toBe('application/json')
        expect(route.requests[0]?.headers['transfer-encoding']).toBeUndefined()
      })
    })

    describe('redirects', () => {
      it.each([
        [301, 'GET'],
        [302, 'POST'],
        [303, 'POST'],
        [307, 'POST'],
        [308, 'PUT'],
      ] as const)('returns a %i answer to %s as-is and never requests its target', async (status, method) => {
        const target = server.route((_request, response) => response.end('target'))
        const route = server.route((_request, response) => {
          response.writeHead(status, { Location: target.url }).end('moved')
        })

        const response = await send(method === 'GET' ? get(route.url) : { ...post(route.url, '{}'), method })

        expect(response).toMatchObject({ status, body: 'moved', headers: { location: target.url } })
        await pause(50) // a follow-up request would arrive within this on loopback
        expect(target.requests).toHaveLength(0)
      })

      it('returns a relative location unchanged', async () => {
        const route = server.route((_request, response) => {
          response.writeHead(302, { location: '/elsewhere' }).end()
        })

        const response = await send(get(route.url))

        expect(response.status).toBe(302)
        expect(response.headers.location).toBe('/elsewhere')
      })
    })

    describe('aborts', () => {
      it('rejects without sending when the signal is already aborted', async () => {
        const route = server.route((_request, response) => response.end('ok'))

        await expect(send(get(route.url), AbortSignal.abort())).rejects.toBeInstanceOf(Error)
        await pause(50)
        expect(route.requests).toHaveLength(0)
      })

      it('rejects promptly when aborted before the response headers arrive', async () => {
        const route = server.route(() => {}) // never answers
        const controller = new AbortController()
        const outcome = settle(send(post(route.url, '{"hang":true}'), controller.signal))

        const received = await route.firstRequest()
        const abortedAt = performance.now()
        controller.abort()

        const settled = await within(outcome, 5000, 'the aborted send to settle')
        expect(settled.error).toBeInstanceOf(Error)
        expect(settled.at - abortedAt).toBeLessThan(PROMPT_MS)
        // The transport hung up rather than leaving the connection to the server's timeouts.
        await expect(within(received.closed, 2000, 'the connection to close')).resolves.toEqual({
          finished: false,
        })
      })

      it('rejects promptly when aborted while the body is stalled mid-stream', async () => {
        let partSent!: () => void
        const flushed = new Promise<void>((resolve) => {
          partSent = resolve
        })
        const route = server.route((_request, response) => {
          response.writeHead(200, { 'content-type': 'application/json' })
          response.write('{"partial":', () => partSent()) // then stalls: no more bytes, no end
        })
        const controller = new AbortController()
        const outcome = settle(send(get(route.url), controller.signal))

        const received = await route.firstRequest()
        await within(flushed, 2000, 'the partial body to be flushed')
        await pause(50) // let the client take the headers and start reading the body
        const abortedAt = performance.now()
        controller.abort()

        const settled = await within(outcome, 5000, 'the aborted send to settle')
        expect(settled.error).toBeInstanceOf(Error) // never a truncated body as if complete
        expect(settled.at - abortedAt).toBeLessThan(PROMPT_MS)
        await expect(within(received.closed, 2000, 'the connection to close')).resolves.toEqual({
          finished: false,
        })
      })
    })

    describe('network failures', () => {
      it('rejects on connection refused', async () => {
        const port = await closedPort()

        await expect(send(get(`http://127.0.0.1:${port}/hooks`))).rejects.toBeInstanceOf(Error)
      })

      it('rejects, once, when the server resets the connection', async () => {
        const route = server.route((request) => request.socket.destroy())

        await expect(send(get(route.url))).rejects.toBeInstanceOf(Error)
        expect(route.requests).toHaveLength(1)
      })

      it('rejects when the connection is reset mid-body', async () => {
        const route = server.route((request, response) => {
          response.writeHead(200, { 'content-type': 'text/plain' })
          response.write('first half', () => setTimeout(() => request.socket.destroy(), 20))
        })

        await expect(send(get(route.url))).rejects.toBeInstanceOf(Error)
      })
    })

    const cap = options.maxResponseBodyBytes
    describe.runIf(cap !== undefined)('response body cap', () => {
      const limit = cap ?? 0

      it('returns a body of exactly the cap whole', async () => {
        const route = server.route((_request, response) => response.end('b'.repeat(limit)))

        const response = await send(get(route.url))

        expect(response.body).toHaveLength(limit)
      })

      it('caps a 1 MB answer', async () => {
        const route = server.route((_request, response) => {
          response.writeHead(200, { 'content-type': 'text/plain' })
          response.end(Buffer.alloc(1024 * 1024, 'a'))
        })

        const response = await send(get(route.url))

        expect(response.status).toBe(200)
        expect(response.body).toBe('a'.repeat(limit))
      })

      it('resolves once the cap is reached, without waiting for the rest, and hangs up', async () => {
        // The server sends the cap plus 16 KiB, then stalls forever: only a transport that
        // stops reading at the cap can resolve (no abort is ever sent).
        const route = server.route((_request, response) => {
          response.writeHead(200, { 'content-type': 'text/plain' })
          response.write(Buffer.alloc(limit + 16 * 1024, 'z'))
        })

        const response = await within(send(get(route.url)), 5000, 'a capped body to resolve')

        expect(response.body).toBe('z'.repeat(limit))
        const received = await route.firstRequest()
        await expect(within(received.closed, 2000, 'the connection to close')).resolves.toEqual({
          finished: false,
        })
      })
    })

    describe.runIf(cap === undefined)('no response body cap', () => {
      it('returns a 1 MB answer whole', async () => {
        const route = server.route((_request, response) => response.end(Buffer.alloc(1024 * 1024, 'a')))

        const response = await send(get(route.url))

        expect(response.body).toHaveLength(1024 * 1024)
      })
    })

    describe('concurrency', () => {
      it('resolves 200 concurrent requests over keep-alive, each with its own answer', async () => {
        const route = server.route((_request, response, received) => {
          response.writeHead(200, { 'content-type': 'application/json' }).end(received.body)
        })

        const responses = await Promise.all(
          Array.from({ length: 200 }, (_, i) => send(post(route.url, JSON.stringify({ i })))),
        )

        expect(responses.map((response) => response.status)).toEqual(Array(200).fill(200))
        expect(responses.map((response) => JSON.parse(response.body))).toEqual(
          Array.from({ length: 200 }, (_, i) => ({ i })),
        )
        expect(route.requests).toHaveLength(200)
      })
    })
  })
}

function get(url: string): TransportRequest {
  return { method: 'GET', url, headers: {} }
}

function post(url: string, body: string): TransportRequest {
  return { method: 'POST', url, headers: { 'content-type': 'application/json' }, body }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Rejects with a message naming what did not happen, instead of running into the test timeout. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** Never rejects: records how and when (performance.now()) the promise settled. */
function settle(
  promise: Promise<TransportResponse>,
): Promise<{ response?: TransportResponse; error?: unknown; at: number }> {
  return promise.then(
    (response) => ({ response, at: performance.now() }),
    (error: unknown) => ({ error, at: performance.now() }),
  )
}

/** A port on 127.0.0.1 that was just listened on and closed, so connecting to it is refused. */
async function closedPort(): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  server.close()
  await once(server, 'close')
  return port
}
