import { ValidationError } from '../errors/validation-error.js'
import { AdminRequestError } from './admin-request-error.js'

/**
 * Reads a request's JSON body, at most `maxBytes` of it: `undefined` for an empty body. Throws a
 * `ValidationError` for text that is not JSON, and a 413 `AdminRequestError` past the limit
 * (without reading the rest).
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN)
  if (declared > maxBytes) throw tooLarge(maxBytes)
  if (request.body === null) return undefined
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel().catch(() => {})
      throw tooLarge(maxBytes)
    }
    chunks.push(value)
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new ValidationError('request body', [{ path: '', message: 'expected UTF-8 text' }])
  }
  if (text.trim() === '') return undefined
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    throw new ValidationError(
      'request body',
      [{ path: '', message: `expected JSON (${(error as Error).message.slice(0, 200)})` }],
      { cause: error },
    )
  }
}

function tooLarge(maxBytes: number): AdminRequestError {
  return new AdminRequestError(
    413,
    'ERR_PAYLOAD_TOO_LARGE',
    `The request body is larger than ${maxBytes} bytes (option maxBodyBytes).`,
  )
}
