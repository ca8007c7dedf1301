/** An HTTP request as built by an adapter, ready for a {@link Transport} to send. */
export interface TransportRequest {
  /** HTTP method. */
  readonly method: 'POST' | 'PUT' | 'PATCH' | 'GET' | 'DELETE'
  /** Absolute URL. */
  readonly url: string
  /** Request headers (names as the destination documents them). */
  readonly headers: Readonly<Record<string, string>>
  /** Serialized request body, if any. */
  readonly body?: string
}

/** What a transport returns for any HTTP status: transports never throw on 4xx/5xx. */
export interface TransportResponse {
  /** HTTP status code. Redirects are returned as-is (3xx), never followed. */
  readonly status: number
  /** Response headers with lower-case names. */
  readonly headers: Readonly<Record<string, string>>
  /** Response body as text. */
  readonly body: string
}

/** Per-request options a transport must honour. */
export interface TransportSendOptions {
  /**
   * Aborted when the attempt's TTL expires or the router shuts down. The transport must
   * stop the request, including reading the body, and reject.
   */
  readonly signal: AbortSignal
}

/**
 * Sends requests built by adapters. The default is {@link kyTransport}; host
 * applications inject their own (or `MockTransport` from `eventrouter/testing` in tests).
 *
 * Contract: resolve with the response for every HTTP status, do not follow redirects, do
 * not retry (the router retries), reject with an error when the request could not be
 * completed (network failure, abort). The built-in transports refuse loopback, private and
 * other special-purpose addresses (SSRF guard); a custom transport does so only if it uses
 * `createNetworkGuard()` (see docs/network-security.md).
 */
export interface Transport {
  /**
   * Sends one request of one attempt and resolves with the response, whatever its status.
   * `options.signal` aborts at the attempt's TTL or when the router closes: stop then and reject.
   */
  send(request: TransportRequest, options: TransportSendOptions): Promise<TransportResponse>
}
