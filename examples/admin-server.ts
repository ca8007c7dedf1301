/**
 * The admin page of eventrouter on 127.0.0.1: switch event types on and off, set up
 * integrations, create "Send Events" subscriptions with filters and prefixes, send test events,
 * redeliver dead letters, watch the stats.
 *
 * - The router keeps everything in an SQLite file in a temporary folder, integration secrets
 *   encrypted with a key made at start (so nothing survives this process: it is a demo).
 * - It uses the loyalty catalog, and the webhook, Klaviyo, Segment and Slack adapters.
 * - A webhook receiver on 127.0.0.1 stands in for a CRM: `/hooks` accepts (and logs) every event,
 *   `/down` answers 503, to make dead letters. Tenant `acme` starts with one integration of each
 *   and a subscription to each; a sample event of `acme` is emitted every 20 s.
 *
 * DEMO AUTHENTICATION ONLY: the browser asks for a user name and password (HTTP Basic). The user
 * name is the tenant whose records you manage (`acme`, or any tenant id; `platform` for the
 * platform's own records) and the password is `demo`. A real host maps its own session
 * (a cookie, a token) to the tenant in authorize(): anyone who can reach this port and type
 * `demo` manages every tenant here. It listens on 127.0.0.1 only, and refuses other Host headers
 * (DNS rebinding).
 *
 * Run: npm run admin  (PORT=4400 by default; PORT=0 picks a free port)
 * then open http://127.0.0.1:4400/admin/ and sign in as `acme` / `demo`.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  EventRouter,
  klaviyoAdapter,
  kyTransport,
  segmentAdapter,
  slackAdapter,
  webhookAdapter,
} from 'eventrouter'
import { type AdminAuthorization, createAdminHandler, toNodeListener } from 'eventrouter/admin'
import { loyaltyCatalog } from 'eventrouter/catalogs/loyalty'
import { sqliteStore } from 'eventrouter/stores/sqlite'

const PASSWORD = 'demo'

// --- a stand-in destination on loopback --------------------------------------------------
const receiver = createServer((request, response) => {
  const chunks: Buffer[] = []
  request.on('data', (chunk: Buffer) => chunks.push(chunk))
  request.on('end', () => {
    if (request.url === '/down') {
      response.writeHead(503).end('down for maintenance')
      return
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { type?: string }
    const test = request.headers['webhook-test'] === 'true' ? ' (test)' : ''
    console.log(`receiver: ${body.type ?? '?'}${test}, webhook-id ${request.headers['webhook-id']}`)
    response.writeHead(200).end('ok')
  })
})
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`

// --- the router ----------------------------------------------------------------------------
const folder = mkdtempSync(join(tmpdir(), 'eventrouter-admin-'))
const adapters = [webhookAdapter(), klaviyoAdapter(), segmentAdapter(), slackAdapter()]
const router = new EventRouter({
  adapters,
  catalog: loyaltyCatalog,
  // The receiver is on loopback, which the SSRF guard refuses unless allowed.
  transport: kyTransport({ allowedAddresses: ['127.0.0.1'] }),
  store: sqliteStore({ path: join(folder, 'eventrouter.db') }),
  secrets: { keys: [{ id: 'demo', key: randomBytes(32).toString('base64') }] },
  // Quick failures, so that dead letters show up within seconds.
  retry: { retries: 2, minTimeout: 500, maxTimeout: 2000 },
})
await router.start()

const acme = router.tenant('acme')
const secret = `whsec_${randomBytes(24).toString('base64')}`
acme.integrations.add({
  id: 'crm',
  name: 'CRM webhook',
  type: 'webhook',
  config: { url: `${receiverUrl}/hooks`, secret },
})
acme.integrations.add({
  id: 'legacy',
  name: 'Legacy endpoint (down)',
  type: 'webhook',
  config: { url: `${receiverUrl}/down`, secret },
})
acme.subscriptions.create({
  event: 'wallet.coins_rewarded',
  integrationId: 'crm',
  filter: { coins: { $gte: 50 } },
  eventNamePrefix: 'Loyalty ',
})
acme.subscriptions.create({ event: 'wallet.coins_rewarded', integrationId: 'legacy' })
const emitSample = () => {
  const sample = loyaltyCatalog.get('wallet.coins_rewarded').sample
  acme.emit('wallet.coins_rewarded', { ...sample, coins: 50 + Math.floor(Math.random() * 200) })
}
emitSample()
const ticker = setInterval(emitSample, 20_000)

// --- the admin page ---------------------------------------------------------------------------
let port = Number(process.env.PORT ?? 4400)
/** DEMO ONLY: HTTP Basic user name = tenant (`platform` = the platform scope), password `demo`. */
const authorize = (request: Request): AdminAuthorization | Response | null => {
  const host = request.headers.get('host') ?? ''
  if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
    return new Response('Unknown host', { status: 421 })
  }
  const header = request.headers.get('authorization') ?? ''
  const [user, password] = header.startsWith('Basic ')
    ? Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8').split(':')
    : []
  if (user === undefined || user === '' || password !== PASSWORD) {
    return new Response('Sign in: user name = tenant id (or `platform`), password `demo`.', {
      status: 401,
      headers: { 'www-authenticate': 'Basic realm="eventrouter admin demo", charset="UTF-8"' },
    })
  }
  return { tenant: user === 'platform' ? null : user }
}
const handler = createAdminHandler(router, {
  basePath: '/admin',
  authorize,
  adapters,
  catalog: loyaltyCatalog,
})
const server = createServer(toNodeListener(handler))
await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
port = (server.address() as AddressInfo).port
console.log(
  `eventrouter admin on http://127.0.0.1:${port}/admin/ (user acme or platform, password ${PASSWORD})`,
)

const stop = async () => {
  clearInterval(ticker)
  server.close()
  server.closeAllConnections()
  await router.close({ timeoutMs: 2000 })
  receiver.close()
  receiver.closeAllConnections()
  rmSync(folder, { recursive: true, force: true })
  process.exit(0)
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
