import ky, { type KyInstance } from 'ky'
import { MAX_RESPONSE_BODY_BYTES, readBody } from './read-body.js'
import type { Transport, TransportRequest, TransportResponse, TransportSendOptions } from './transport.js'

/** Options of {@link kyTransport}. */
export interface KyTransportOptions {
  /**
   * The ky instance to send with, e.g. `ky.create({ fetch: myFetch })`. Its retry,
   * timeout, redirect and HTTP-error settings are overridden: the router owns those.
   * @default ky
   */
  ky?: KyInstance
  /**
   * Largest response body read, in bytes.
   * @default 65536
   */
  maxResponseBodyBytes?: number
}

/**
 * The default transport: ky over the global `fetch`, with ky's own retry and timeout
 * switched off (the router retries and enforces the TTL with a fresh AbortController per
 * attempt), redirects returned rather than followed, and every status resolved.
 */
export function kyTransport(options: KyTransportOptions = {}): Transport {
  const client = options.ky ?? ky
  const maxBytes = options.maxResponseBodyBytes ?? MAX_RESPONSE_BODY_BYTES
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    throw new TypeError(
      `Expected \`maxResponseBodyBytes\` to be a non-negative integer, got \`${maxBytes}\` (${typeof maxBytes}).`,
    )
  }
  return {
    async send(request: TransportRequest, { signal }: TransportSendOptions): Promise<TransportResponse> {
      const response = await client(request.url, {
        method: request.method,
        headers: request.headers,
        ...(request.body === undefined ? {} : { body: request.body }),
        signal,
        retry: 0,
        timeout: false,
        throwHttpErrors: false,
        redirect: 'manual',
      })
      const headers: Record<string, string> = {}
      response.headers.forEach((value, name) => {
        headers[name] = name in headers ? `${headers[name]}, ${value}` : value
      })
      return { status: response.status, headers, body: await readBody(response, maxBytes) }
    },
  }
}
