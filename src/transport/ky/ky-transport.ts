import type { KyInstance } from 'ky'
import type { Agent } from 'undici'
import { createNetworkGuard, type NetworkGuardOptions } from '../network-guard.js'
import { MAX_RESPONSE_BODY_BYTES, readBody } from '../read-body.js'
import type { Transport, TransportRequest, TransportResponse, TransportSendOptions } from '../transport.js'

/**
 * Options of {@link kyTransport}. `allowPrivateNetworks` and `allowedAddresses` open the
 * address guard (see {@link NetworkGuardOptions}).
 */
export interface KyTransportOptions extends NetworkGuardOptions {
  /**
   * The ky instance to send with, e.g. `ky.create({ fetch: myFetch })`. Its retry,
   * timeout, redirect and HTTP-error settings are overridden: the router owns those. So is
   * its `dispatcher`, replaced by the transport's guarded one unless `allowPrivateNetworks`
   * is set. A custom `fetch` must pass its second argument's `dispatcher` on to undici's or
   * Node's fetch, or the address guard does not apply.
   * @default ky
   */
  ky?: KyInstance
  /**
   * Largest response body read, in bytes.
   * @default 65536
   */
  maxResponseBodyBytes?: number
}

/** The default {@link Transport}, with the means to release its sockets. */
export interface KyTransport extends Transport {
  /**
   * Closes the transport's connection pool once the requests in flight have completed. Call
   * it after `router.close()` when you want the sockets released before they time out on
   * their own (idle sockets never keep the process alive).
   */
  close(): Promise<void>
}

/**
 * The default transport: ky over the global `fetch`, with ky's own retry and timeout
 * switched off (the router retries and enforces the TTL with a fresh AbortController per
 * attempt), redirects returned rather than followed, and every status resolved.
 *
 * It refuses loopback, private, link-local (cloud metadata), multicast and other
 * special-purpose addresses, checked after DNS resolution, with the connection pinned to the
 * address checked: fetch goes through an undici Agent of the transport's own whose `lookup`
 * does the check. The delivery fails at once with `ERR_BLOCKED_DESTINATION`. Use
 * `allowedAddresses` or `allowPrivateNetworks` to send to such addresses.
 *
 * @example
 * // A local stand-in of the destination, in a demo or a test:
 * const transport = kyTransport({ allowedAddresses: ['127.0.0.1'] })
 */
export function kyTransport(options: KyTransportOptions = {}): KyTransport {
  const maxBytes = options.maxResponseBodyBytes ?? MAX_RESPONSE_BODY_BYTES
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    throw new TypeError(
      `Expected \`maxResponseBodyBytes\` to be a non-negative integer, got \`${maxBytes}\` (${typeof maxBytes}).`,
    )
  }
  const guard = createNetworkGuard(options)
  // ky and undici load on the first send, not when eventrouter is imported: a host that passes
  // its own transport, or whose router never sends, loads neither (cold import, bundle size).
  let client: Promise<Client> | undefined
  let dispatcher: Agent | undefined
  const load = async (): Promise<Client> => {
    const [send, agent] = await Promise.all([
      options.ky ?? import('ky').then((module) => module.default),
      // With the guard off, fetch keeps its global dispatcher, as before the guard existed.
      guard.allowsAll
        ? undefined
        : import('../guarded-agent.js').then((module) => module.guardedAgent(guard)),
    ])
    dispatcher = agent
    // `dispatcher` is not a standard RequestInit field: ky hands it to fetch as is, and Node's
    // fetch connects through it. Node 20's types describe the undici 6 it bundles; undici 7's
    // Agent implements the same Dispatcher contract (test/transport/ssrf.test.ts checks it).
    const viaDispatcher =
      agent === undefined ? {} : { dispatcher: agent as unknown as NonNullable<RequestInit['dispatcher']> }
    return { send, viaDispatcher }
  }
  return {
    async send(request: TransportRequest, { signal }: TransportSendOptions): Promise<TransportResponse> {
      client ??= load()
      const { send, viaDispatcher } = await client
      const response = await send(request.url, {
        method: request.method,
        headers: request.headers,
        ...(request.body === undefined ? {} : { body: request.body }),
        signal,
        retry: 0,
        timeout: false,
        throwHttpErrors: false,
        redirect: 'manual',
        ...viaDispatcher,
      })
      const headers: Record<string, string> = {}
      response.headers.forEach((value, name) => {
        headers[name] = name in headers ? `${headers[name]}, ${value}` : value
      })
      return { status: response.status, headers, body: await readBody(response, maxBytes) }
    },
    async close() {
      if (client === undefined) return
      await client.catch(() => {})
      await dispatcher?.close()
    },
  }
}

/** What the first send loads. */
interface Client {
  readonly send: KyInstance
  readonly viaDispatcher: { readonly dispatcher?: NonNullable<RequestInit['dispatcher']> }
}
