import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AdminHandler } from './create-admin-handler.js'

/** A `node:http` request listener, which Express also mounts (`app.use(listener)`). */
export type NodeListener = (request: IncomingMessage, response: ServerResponse) => void

/**
 * Adapts a Fetch API handler (`createAdminHandler()`) to `node:http` and Express:
 * `createServer(toNodeListener(handler))`, or `app.use(toNodeListener(handler))` in Express
 * (before any body parser: the handler reads the body itself). Express's `originalUrl` is used,
 * so the handler sees the full path its `basePath` expects, wherever it is mounted.
 *
 * The request's origin is `http://` (or `https://` on a TLS socket) and its `Host` header, which
 * the CSRF check compares with `Origin`: behind a proxy that changes either, list the public
 * origin in the handler's `allowedOrigins`.
 */
export function toNodeListener(handler: AdminHandler): NodeListener {
  return (request, response) => {
    handle(handler, request, response).catch((error: unknown) => {
      // Only a broken connection gets here (the handler answers every failure itself).
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' })
      response.end()
      request.destroy(error instanceof Error ? error : undefined)
    })
  }
}

async function handle(
  handler: AdminHandler,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const secure = 'encrypted' in request.socket && request.socket.encrypted === true
  const host = request.headers.host ?? 'localhost'
  const path = (request as IncomingMessage & { originalUrl?: string }).originalUrl ?? request.url ?? '/'
  const headers = new Headers()
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || name.startsWith(':')) continue
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item)
  }
  const method = request.method ?? 'GET'
  const hasBody = method !== 'GET' && method !== 'HEAD'
  const controller = new AbortController()
  response.once('close', () => {
    if (!response.writableFinished) controller.abort()
  })
  let url: URL
  try {
    url = new URL(`${secure ? 'https' : 'http'}://${host}${path}`)
  } catch {
    response.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('Bad Host header or path')
    return
  }
  const fetchRequest = new Request(url, {
    method,
    headers,
    signal: controller.signal,
    ...(hasBody ? { body: bodyStream(request), duplex: 'half' } : {}),
  } as RequestInit)
  const answer = await handler(fetchRequest)
  const outgoing: Record<string, string | string[]> = {}
  answer.headers.forEach((value, name) => {
    if (name !== 'set-cookie') outgoing[name] = value
  })
  const cookies = answer.headers.getSetCookie()
  if (cookies.length > 0) outgoing['set-cookie'] = cookies
  response.writeHead(answer.status, outgoing)
  if (answer.body === null || method === 'HEAD') {
    response.end()
    return
  }
  response.end(new Uint8Array(await answer.arrayBuffer()))
}

/**
 * The request body as a web stream, read as the handler pulls it (so a body past `maxBodyBytes`
 * is not read to its end). No `node:stream` import: `eventrouter/admin` loads in edge runtimes too.
 */
function bodyStream(request: IncomingMessage): ReadableStream<Uint8Array> {
  const chunks = request[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await chunks.next()
      if (done) controller.close()
      else controller.enqueue(new Uint8Array(value.buffer, value.byteOffset, value.byteLength))
    },
    cancel() {
      request.resume()
    },
  })
}
