/**
 * A small HTTP service that embeds eventrouter: what a host application usually looks like.
 *
 * - `POST /rewards` with a JSON body `{ id, customer: { id, email }, coins, balance }` emits
 *   `wallet.coins_rewarded` and answers 202 once the event is stored (the durability point:
 *   the return of emit()), with the ids of its deliveries;
 * - `GET /health` answers 200 with the pending count (503 while shutting down);
 * - SIGTERM (a deploy) stops accepting requests, lets attempts in flight finish within 10 s,
 *   leaves what is still queued in the SQLite file for the next start, and exits 0.
 *
 * Configuration, from the environment:
 *   PORT             port on 127.0.0.1 (default 3000; 0 picks one)
 *   DATABASE         the SQLite file (default ./eventrouter.db)
 *   EVENTROUTER_KEY  base64 of 32 bytes, seals integration secrets in the file (required)
 *   DESTINATION_URL  where the CRM webhook is (default http://127.0.0.1:4000/hooks)
 *   WEBHOOK_SECRET   its Standard Webhooks secret (whsec_...; required)
 *
 * Run: EVENTROUTER_KEY=$(openssl rand -base64 32) WEBHOOK_SECRET=whsec_... npx tsx examples/http-service.ts
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { EventRouter, isEventRouterError, kyTransport, webhookAdapter } from 'eventrouter'
import { sqliteStore } from 'eventrouter/stores/sqlite'

const env = (name: string, fallback?: string): string => {
  const value = process.env[name] ?? fallback
  if (value === undefined || value === '')
    throw new Error(`Set ${name}: see the top of examples/http-service.ts`)
  return value
}

const destination = new URL(env('DESTINATION_URL', 'http://127.0.0.1:4000/hooks'))
const router = new EventRouter({
  adapters: [webhookAdapter()],
  // A loopback destination needs the SSRF guard opened for it; a public one does not.
  transport: kyTransport(destination.hostname === '127.0.0.1' ? { allowedAddresses: ['127.0.0.1'] } : {}),
  store: sqliteStore({ path: env('DATABASE', 'eventrouter.db') }),
  secrets: { keys: [{ id: 'main', key: env('EVENTROUTER_KEY') }] },
})
router.on('deliveryFailed', ({ delivery, reason, error }) => {
  console.error(`delivery ${delivery.id} failed (${reason}): ${error.message}`)
})
await router.start()
// The configuration lives in the file: set it up once.
if (router.integrations.get('crm') === undefined) {
  router.integrations.add({
    id: 'crm',
    type: 'webhook',
    config: { url: destination.href, secret: env('WEBHOOK_SECRET') },
  })
  router.subscriptions.create({ id: 'rewards-to-crm', event: 'wallet.coins_rewarded', integrationId: 'crm' })
}

let shuttingDown = false

const server = createServer((request, response) => {
  handle(request, response).catch((error: unknown) => {
    console.error(error)
    if (!response.headersSent) send(response, 500, { error: 'internal error' })
  })
})

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method === 'GET' && request.url === '/health') {
    send(response, shuttingDown ? 503 : 200, {
      status: shuttingDown ? 'stopping' : 'ok',
      pending: router.pendingCount,
    })
    return
  }
  if (request.method !== 'POST' || request.url !== '/rewards') {
    send(response, 404, { error: 'not found' })
    return
  }
  let body: { id?: unknown } & Record<string, unknown>
  try {
    body = JSON.parse(await readBody(request)) as typeof body
  } catch {
    send(response, 400, { error: 'expected a JSON body' })
    return
  }
  const { id, ...payload } = body
  try {
    // The reward's own id makes a client's retry of this request idempotent.
    const receipt = router.emit('wallet.coins_rewarded', payload, typeof id === 'string' ? { id } : {})
    send(response, 202, { eventId: receipt.eventId, deliveries: receipt.deliveries.map((d) => d.id) })
  } catch (error) {
    if (!isEventRouterError(error)) throw error
    // A bad event, a router that is closing, a full queue: the caller's answer says which.
    const status = error.code === 'ERR_VALIDATION' ? 400 : error.code === 'ERR_BACKPRESSURE' ? 429 : 503
    send(response, status, { error: error.code, message: error.message })
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    request.on('error', reject)
  })
}

process.once('SIGTERM', () => {
  shuttingDown = true
  // Stop accepting first, then give attempts in flight their deadline; the rest stays in the file.
  server.close()
  server.closeIdleConnections()
  router
    .close({ timeoutMs: 10_000 })
    .then(() => {
      console.log('stopped')
      process.exit(0)
    })
    .catch((error: unknown) => {
      console.error(error)
      process.exit(1)
    })
})

server.listen(Number(env('PORT', '3000')), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`)
})
