/** Largest response body a transport reads, in bytes; the rest is discarded. */
export const MAX_RESPONSE_BODY_BYTES = 64 * 1024

/**
 * Reads a fetch `Response` body as text, at most `maxBytes` of it, then cancels the
 * stream: a destination answering a huge body must not exhaust the host's memory.
 */
export async function readBody(
  response: Response,
  maxBytes: number = MAX_RESPONSE_BODY_BYTES,
): Promise<string> {
  if (!response.body) return ''
  const reader = response.body.getReader()
  const decoder = new TextDecoder()
  let text = ''
  let received = 0
  try {
    while (received < maxBytes) {
      const { done, value } = await reader.read()
      if (done) return text + decoder.decode()
      const room = maxBytes - received
      const chunk = value.byteLength > room ? value.subarray(0, room) : value
      received += chunk.byteLength
      text += decoder.decode(chunk, { stream: true })
    }
    await reader.cancel()
    // Drop a multi-byte character cut in half by the cap rather than decode it as U+FFFD.
    return text
  } finally {
    reader.releaseLock()
  }
}
