import { StringDecoder } from 'node:string_decoder'
import { Agent, type Dispatcher, request } from 'undici'
import { guardedAgent } from '../guarded-agent.js'
import { createNetworkGuard, type NetworkGuardOptions } from '../network-guard.js'
import { MAX_RESPONSE_BODY_BYTES } from '../read-body.js'
import type { Transport, TransportRequest, TransportResponse, TransportSendOptions } from '../transport.js'

/**
 * Options of {@link undiciTransport}. `allowPrivateNetworks` and `allowedAddresses` open the
 * address guard (see {@link NetworkGuardOptions}).
 */
export interface UndiciTransportOptions extends NetworkGuardOptions {
  /**
   * Most sockets kept open to one origin (scheme, host and port). Size it from your
   * concurrency: the most deliveries you let run at once to one destination. Requests beyond
   * it wait in undici's queue for a free socket (that wait counts toward the attempt's TTL);
   * sockets beyond it would sit idle. One router with no concurrency limit of its own and
   * destinations that answer in about `L` seconds needs about `rate × L` sockets per origin
   * for a sustained `rate` of deliveries per second.
   * @default 64
   */
  connections?: number
  /**
   * How long an idle socket stays open for the next request, in ms, when the server sends no
   * `Keep-Alive: timeout=` hint (a hint, minus a safety margin, takes precedence).
   * @default 4000 (undici's default)
   */
  keepAliveTimeoutMs?: number
  /**
   * Largest response body read, in bytes; the connection is closed after it.
   * @default 65536
   */
  maxResponseBodyBytes?: number
  /**
   * Sends through this undici dispatcher instead of an Agent of the transport's own, e.g.
   * a `ProxyAgent` or a `MockAgent` in tests. `connections` and `keepAliveTimeoutMs` do not
   * apply to it, `close()` leaves it open (it is yours), and it must not follow redirects
   * (do not compose it with `interceptors.redirect`). The address guard then only checks IP
   * literals in the URL: resolving names and pinning the connection to a checked address is
   * the dispatcher's job (`new Agent({ connect: { lookup: createNetworkGuard().lookup } })`);
   * a proxy resolves names on its side, out of the guard's reach.
   * @default an Agent with `connections` sockets per origin and no pipelining
   */
  dispatcher?: Dispatcher
}

/** A {@link Transport} over undici, with the means to release its sockets. */
export interface UndiciTransport extends Transport {
  /**
   * Closes the transport's Agent once the requests in flight have completed, and releases its
   * sockets. Call it after `router.close()`. An injected `dispatcher` is left open.
   */
  close(): Promise<void>
}

const defaults = { connections: 64, keepAliveTimeoutMs: 4000 } as const

/**
 * A transport over `undici.request` with keep-alive connection pools per origin: several
 * times the throughput of fetch-based clients (see BENCHMARKS.md).
 *
 * Same semantics as the default transport: every status resolves, redirects are returned and
 * never followed, nothing is retried, response header names are lower-cased and repeated
 * values joined with `, `, the body is read up to `maxResponseBodyBytes`, and the per-attempt
 * signal aborts the request at any point, while waiting for headers or reading the body. The
 * router's TTL is that signal: undici's own headers and body timeouts are off. The same
 * address guard applies: loopback, private, link-local (cloud metadata) and other
 * special-purpose addresses are refused after DNS resolution, and the connection is pinned to
 * the address checked, unless `allowedAddresses` or `allowPrivateNetworks` say otherwise.
 *
 * @example
 * import { undiciTransport } from 'eventrouter/transports/undici'
 * const transport = undiciTransport({ connections: 32 })
 * const router = new EventRouter({ adapters: [webhookAdapter()], transport })
 * // on shutdown:
 * await router.close()
 * await transport.close()
 */
export function undiciTransport(options: UndiciTransportOptions = {}): UndiciTransport {
  const {
    connections = defaults.connections,
    keepAliveTimeoutMs = defaults.keepAliveTimeoutMs,
    maxResponseBodyBytes: maxBytes = MAX_RESPONSE_BODY_BYTES,
    dispatcher: injected,
  } = options
  assertInteger('connections', connections, 1)
  assertInteger('keepAliveTimeoutMs', keepAliveTimeoutMs, 1)
  assertInteger('maxResponseBodyBytes', maxBytes, 0)
  if (injected !== undefined && typeof injected?.dispatch !== 'function') {
    throw new TypeError(
      `Expected \`dispatcher\` to be an undici Dispatcher (an Agent, Pool, ProxyAgent...), got \`${String(injected)}\` (${typeof injected}).`,
    )
  }
  const guard = createNetworkGuard(options)
  const agentOptions: Agent.Options = {
    connections,
    // One request at a time per socket: pipelining stalls every later request behind a
    // slow one, and most webhook receivers do not support it.
    pipelining: 1,
    keepAliveTimeout: keepAliveTimeoutMs,
    // The router's per-attempt signal is the TTL, as with kyTransport's `timeout: false`.
    headersTimeout: 0,
    bodyTimeout: 0,
  }
  const own =
    injected !== undefined
      ? undefined
      : guard.allowsAll
        ? new Agent(agentOptions)
        : guardedAgent(guard, agentOptions)
  const dispatcher: Dispatcher = injected ?? own!
  // Our own Agent checks every connection; an injected one gets the IP-literal check here.
  const checkUrl = injected !== undefined && !guard.allowsAll

  return {
    async send(input: TransportRequest, { signal }: TransportSendOptions): Promise<TransportResponse> {
      if (checkUrl) {
        const refused = guard.checkUrl(input.url)
        if (refused) throw refused
      }
      const response = await request(input.url, {
        dispatcher,
        method: input.method,
        headers: input.headers,
        body: input.body ?? null,
        signal,
      })
      return {
        status: response.statusCode,
        headers: joinHeaders(response.headers),
        body: await readCapped(response.body, response.headers['content-length'], maxBytes),
      }
    },
    async close() {
      await own?.close()
    },
  }
}

/** undici gives lower-case names, and an array for a repeated header: join it as fetch does. */
function joinHeaders(raw: Dispatcher.ResponseData['headers']): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const name in raw) {
    const value = raw[name]
    if (value !== undefined) headers[name] = typeof value === 'string' ? value : value.join(', ')
  }
  return headers
}

/**
 * Reads at most `maxBytes` of the body as UTF-8. Once the cap is reached it resolves and
 * destroys the stream, which closes the connection: a destination answering a huge body must
 * not exhaust the host's memory nor keep the socket busy. A body whose `content-length` fits
 * is read to its end, so that its socket goes back to the pool. An abort or a reset while
 * reading rejects: a truncated body is never passed off as complete.
 */
function readCapped(
  body: Dispatcher.ResponseData['body'],
  contentLength: string | string[] | undefined,
  maxBytes: number,
): Promise<string> {
  const fits = typeof contentLength === 'string' && Number(contentLength) <= maxBytes
  return new Promise((resolve, reject) => {
    const decoder = new StringDecoder('utf8')
    let text = ''
    let received = 0
    const stop = () => {
      body.off('data', onData).off('end', onEnd).off('error', onError)
    }
    const capReached = () => {
      stop()
      // A multi-byte character cut in half by the cap stays in the decoder and is dropped,
      // as readBody() does for the default transport.
      resolve(text)
      body.on('error', ignore)
      body.destroy()
    }
    const onData = (chunk: Buffer) => {
      const room = maxBytes - received
      if (chunk.byteLength > room) {
        text += decoder.write(chunk.subarray(0, room))
        return capReached()
      }
      received += chunk.byteLength
      text += decoder.write(chunk)
      if (received === maxBytes && !fits) capReached()
    }
    const onEnd = () => {
      stop()
      resolve(text + decoder.end())
    }
    const onError = (error: Error) => {
      stop()
      reject(error)
    }
    if (maxBytes === 0 && !fits) return capReached()
    body.on('data', onData).on('end', onEnd).on('error', onError)
  })
}

function ignore(): void {}

function assertInteger(name: string, value: unknown, min: number): void {
  if (!Number.isSafeInteger(value) || (value as number) < min) {
    const expected = min === 0 ? 'a non-negative integer' : 'a positive integer'
    throw new TypeError(`Expected \`${name}\` to be ${expected}, got \`${String(value)}\` (${typeof value}).`)
  }
}
