/** How {@link assertRequestSize} names the request and the limit. */
export interface RequestSizeLimit {
  /** Largest body the destination accepts, in bytes (a whole number of KB). */
  readonly maxBytes: number
  /** The request, e.g. `Segment track call`. */
  readonly request: string
  /** Whose limit it is, e.g. `the HTTP API`. */
  readonly api: string
}

/**
 * Throws when `body` is longer than `limit.maxBytes` in UTF-8 (the destination would answer
 * 400 or 413), so the request is never sent.
 */
export function assertRequestSize(body: string, limit: RequestSizeLimit): void {
  const bytes = Buffer.byteLength(body, 'utf8')
  if (bytes <= limit.maxBytes) return
  throw new Error(
    `The ${limit.request} is ${bytes} bytes, over ${limit.api}'s limit of ${limit.maxBytes} bytes (${limit.maxBytes / 1024} KB), so it was not sent; send a smaller payload.`,
  )
}
