/** How {@link assertRequestSize} names the request and the limit. */
export interface RequestSizeLimit {
  /** Largest body the destination accepts, in bytes (a whole number of KB, 1 KB = 1024 bytes). */
  readonly maxBytes: number
  /** The request, e.g. `Klaviyo event`. */
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
    `The ${limit.request} is ${bytes} bytes, over ${limit.api}'s limit of ${limit.maxBytes} bytes (${formatSize(limit.maxBytes)}), so it was not sent; send a smaller payload.`,
  )
}

/** `5 MB` for 5 × 1024 × 1024 bytes, `32 KB` for 32 × 1024: how destinations write their limits. */
export function formatSize(bytes: number): string {
  const MB = 1024 * 1024
  return bytes % MB === 0 ? `${bytes / MB} MB` : `${bytes / 1024} KB`
}
