/**
 * eventrouter demo: a loyalty platform sends its events to a CRM webhook and to Klaviyo.
 *
 * Starts, on 127.0.0.1, a CRM webhook receiver that verifies Standard Webhooks signatures
 * and fails its first answers on purpose, and a stand-in of Klaviyo's Create Event API.
 * Routes loyalty events (typed by the loyalty catalog) through filtered and prefixed
 * subscriptions, explains why one event was filtered out, edits and deletes a
 * subscription, prints what Klaviyo received and what happened to each delivery.
 * Everything the router must not lose lives in an SQLite file in a temporary folder: at the
 * end, a deploy restarts the router while Klaviyo is down, and the new process picks up what
 * the old one left pending.
 * Run: npm run demo
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type DeliveryResult, EventRouter, klaviyoAdapter, kyTransport, webhookAdapter } from 'eventrouter'
import { loyaltyCatalog } from 'eventrouter/catalogs/loyalty'
import { sqliteStore } from 'eventrouter/stores/sqlite'
import { Webhook } from 'standardwebhooks'

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const KLAVIYO_KEY = 'pk_demo0123456789abcdef0123456789ab'

// --- stand-ins of the destinations, on loopback ---------------------------------------
let crmFailuresToInject = 2
let klaviyoDown = false
const verifier = new Webhook(SECRET)
const klaviyoReceived: unknown[] = []
const readBody = (request: IncomingMessage) =>
  new Promise<string>((resolve) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
  })
const server = createServer(async (request, response) => {
  const body = await readBody(request)
  if (request.url === '/api/events') {
    if (klaviyoDown) {
      response.writeHead(503).end()
      return
    }
    // Klaviyo's Create Event: private key, revision header, JSON:API body, 202 with no body.
    if (request.headers.authorization !== `Klaviyo-API-Key ${KLAVIYO_KEY}` || !request.headers.revision) {
      response.writeHead(401, { 'content-type': 'application/vnd.api+json' }).end('{"errors":[]}')
      return
    }
    klaviyoReceived.push(JSON.parse(body))
    response.writeHead(202).end()
    return
  }
  try {
    verifier.verify(body, request.headers as Record<string, string>)
  } catch {
    response.writeHead(401).end('bad signature')
    return
  }
  if (crmFailuresToInject > 0) {
    crmFailuresToInject--
    response.writeHead(503).end('warming up')
    return
  }
  response.writeHead(204).end()
})
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

// --- the router ------------------------------------------------------------------------
// Pending deliveries, dead letters and the configuration live in this file; integration
// secrets are encrypted in it with a key the host keeps elsewhere (an env variable, a KMS).
const folder = mkdtempSync(join(tmpdir(), 'eventrouter-demo-'))
const databasePath = join(folder, 'eventrouter.db')
const secretKey = { id: 'demo-key', key: randomBytes(32) }
const routerOptions = () => ({
  adapters: [webhookAdapter(), klaviyoAdapter()],
  catalog: loyaltyCatalog,
  // The stand-ins listen on 127.0.0.1, which the transport refuses by default (SSRF guard).
  transport: kyTransport({ allowedAddresses: ['127.0.0.1'] }),
  timeoutMs: 2_000,
  retry: { retries: 5, minTimeout: 100, factor: 2, maxTimeout: 1_000 },
  store: sqliteStore({ path: databasePath }),
  secrets: { keys: [secretKey] },
})
const router = new EventRouter(routerOptions())
await router.start()
router.integrations.add({
  id: 'crm',
  type: 'webhook',
  name: 'CRM webhook',
  config: { url: `${base}/crm`, secret: SECRET },
})
// Its receiver answers 401 to every attempt. Standard Webhooks counts that as a failed
// attempt, retried on the schedule (a receiver may be rotating its keys), so the delivery
// ends as a dead letter once the retries run out.
router.integrations.add({
  id: 'analytics',
  type: 'webhook',
  name: 'Analytics (wrong secret on purpose)',
  config: { url: `${base}/analytics`, secret: 'whsec_QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB' },
})
// One Create Event request per delivery, printed below (Klaviyo batches to Bulk Create Events by default).
router.integrations.add({
  id: 'klaviyo',
  type: 'klaviyo',
  config: { apiKey: KLAVIYO_KEY, baseUrl: base },
  batching: { enabled: false },
})

const bigRewards = router.subscriptions.create({
  id: 'big-rewards',
  event: 'wallet.coins_rewarded',
  integrationId: 'crm',
  filter: { coins: { $gte: 100 }, 'customer.tier': { $in: ['Gold', 'Silver'] } },
  eventNamePrefix: 'Loyalty ',
})
router.subscriptions.create({
  id: 'coupons',
  event: ['coupon.created', 'coupon.updated'],
  integrationId: 'crm',
})
router.subscriptions.create({ id: 'coupon-analytics', event: 'coupon.created', integrationId: 'analytics' })
router.subscriptions.create({
  id: 'klaviyo-loyalty',
  event: ['wallet.coins_rewarded', 'coupon.created'],
  integrationId: 'klaviyo',
  eventNamePrefix: 'Loyalty ',
})

const rows: { event: string; subscription: string; attempts: string; outcome: string; ms: string }[] = []
const record = (results: DeliveryResult[]) => {
  for (const result of results) {
    rows.push({
      event: result.delivery.outgoingName,
      subscription: result.delivery.subscriptionId,
      attempts: String(result.attempts),
      outcome:
        result.status === 'succeeded'
          ? `delivered (${result.responseStatus})`
          : `FAILED: ${result.reason}${result.error.status ? ` (${result.error.status})` : ''}`,
      ms: result.durationMs.toFixed(0),
    })
  }
}
router.on('attemptFailed', ({ delivery, attempt, error, delayMs }) => {
  if (delayMs !== null) {
    console.log(
      `  retry: ${delivery.subscriptionId} attempt ${attempt} got ${error.status ?? error.code}; next in ${delayMs} ms`,
    )
  }
})

const rewarded = loyaltyCatalog.get('wallet.coins_rewarded').sample
const couponCreated = loyaltyCatalog.get('coupon.created').sample
const couponUpdated = loyaltyCatalog.get('coupon.updated').sample

console.log('Emitting loyalty events...')
const small = { ...rewarded, coins: 20, balance: 1370 }
const receipts = [
  router.emit('wallet.coins_rewarded', { ...rewarded, coins: 150 }),
  router.emit('wallet.coins_rewarded', small),
  router.emit('coupon.created', couponCreated),
]

console.log('\nWhy did the 20-coin reward not reach the CRM? router.explain() says:')
for (const item of router.explain('wallet.coins_rewarded', small).subscriptions) {
  const why = item.failedClause
    ? `${item.reason}: ${item.failedClause.path} ${JSON.stringify(item.failedClause.condition)}, found ${JSON.stringify(item.failedClause.actual)}`
    : (item.reason ?? 'delivered')
  console.log(
    `  ${item.subscriptionId.padEnd(16)} ${item.wouldDeliver ? 'would deliver' : `skipped (${why})`}`,
  )
}

console.log('\nEditing "big-rewards": no prefix, any tier; deleting "coupons"...')
router.subscriptions.update(bigRewards.id, { eventNamePrefix: null, filter: { coins: { $gte: 100 } } })
router.subscriptions.remove('coupons')
receipts.push(
  router.emit('wallet.coins_rewarded', {
    ...rewarded,
    coins: 300,
    customer: { ...rewarded.customer, tier: 'Bronze' },
  }),
)
receipts.push(router.emit('coupon.updated', couponUpdated))

for (const receipt of receipts) record(await receipt.settled)
// Nothing fails silently: every delivery that did not arrive is kept, with its attempts.
const deadLetters = await router.deadLetters.list()

// --- a deploy while Klaviyo is down -----------------------------------------------------
console.log('\nDeploy while Klaviyo is down: the old process closes with a delivery waiting to retry...')
klaviyoDown = true
const pendingReceipt = router.emit('wallet.coins_rewarded', { ...rewarded, coins: 500 })
const toKlaviyo = pendingReceipt.deliveries.find((delivery) => delivery.integrationId === 'klaviyo')
await new Promise<void>((resolve) => {
  router.on('attemptFailed', ({ delivery }) => {
    if (delivery.id === toKlaviyo?.id) resolve()
  })
})
await router.close({ timeoutMs: 5_000 })
klaviyoDown = false
const restarted = new EventRouter(routerOptions())
const resumed: DeliveryResult[] = []
restarted.on('deliverySucceeded', (result) => {
  resumed.push(result)
})
await restarted.start()
console.log(
  `  the new process loaded ${restarted.integrations.list().length} integrations and ${restarted.subscriptions.list().length} subscriptions from ${databasePath}, with ${restarted.pendingCount} delivery pending`,
)
await restarted.onIdle()
for (const result of resumed) {
  console.log(
    `  resumed ${result.delivery.id} (${result.delivery.outgoingName} -> ${result.delivery.integrationId}): ${result.status} after ${result.attempts} attempts across both processes, same delivery id${result.delivery.id === toKlaviyo?.id ? ' as before the restart' : ''}`,
  )
}
await restarted.close({ timeoutMs: 5_000 })
server.close()
rmSync(folder, { recursive: true, force: true })

console.log('\nWhat Klaviyo received (first event, properties abridged):')
const first = klaviyoReceived[0] as { data: { attributes: Record<string, unknown> } }
const { properties, ...attributes } = first.data.attributes
const abridged = {
  data: {
    ...first.data,
    attributes: { ...attributes, properties: `{ ${Object.keys(properties as object).join(', ')} }` },
  },
}
console.log(JSON.stringify(abridged, null, 2))

const columns = ['event', 'subscription', 'attempts', 'outcome', 'ms'] as const
const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => row[column].length)))
const line = (cells: readonly string[]) => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ')
console.log()
console.log(line(columns))
console.log(line(widths.map((width) => '-'.repeat(width))))
for (const row of rows) console.log(line(columns.map((column) => row[column])))
const delivered = rows.filter((row) => row.outcome.startsWith('delivered')).length
console.log(
  `\n${delivered} delivered, ${rows.length - delivered} failed (the analytics endpoint has a wrong secret on purpose).`,
)
for (const letter of deadLetters) {
  const attempts = letter.history.map((attempt) => attempt.status ?? attempt.errorCode).join(', ')
  console.log(
    `Dead letter ${letter.id}: ${letter.delivery.outgoingName} -> ${letter.delivery.integrationId}, ${letter.reason} after ${letter.history.length} attempt(s) [${attempts}]; router.deadLetters.redeliver([id]) would send it again.`,
  )
}
