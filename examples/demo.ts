/**
 * eventrouter demo: a loyalty platform sends its events to a CRM webhook.
 *
 * Starts a local webhook receiver on 127.0.0.1 that verifies Standard Webhooks signatures
 * and fails its first answers on purpose, routes a handful of loyalty events through
 * filtered and prefixed subscriptions, edits and deletes a subscription, and prints what
 * happened to each delivery. Run: npm run demo
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Webhook } from 'standardwebhooks'
import { type DeliveryResult, EventRouter, webhookAdapter } from '../src/index.js'

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'

// --- a CRM's webhook endpoint, on loopback -------------------------------------------
let failuresToInject = 2
const verifier = new Webhook(SECRET)
const receiver = createServer((request, response) => {
  const chunks: Buffer[] = []
  request.on('data', (chunk: Buffer) => chunks.push(chunk))
  request.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8')
    try {
      verifier.verify(body, request.headers as Record<string, string>)
    } catch {
      response.writeHead(401).end('bad signature')
      return
    }
    if (failuresToInject > 0) {
      failuresToInject--
      response.writeHead(503).end('warming up')
      return
    }
    response.writeHead(204).end()
  })
})
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
const { port } = receiver.address() as AddressInfo
const base = `http://127.0.0.1:${port}`

// --- the router ------------------------------------------------------------------------
const router = new EventRouter({
  adapters: [webhookAdapter()],
  timeoutMs: 2_000,
  retry: { retries: 5, minTimeout: 100, factor: 2, maxTimeout: 1_000 },
})
router.integrations.add({
  id: 'crm',
  type: 'webhook',
  name: 'CRM webhook',
  config: { url: `${base}/crm`, secret: SECRET },
})
router.integrations.add({
  id: 'analytics',
  type: 'webhook',
  name: 'Analytics (wrong secret)',
  config: { url: `${base}/analytics`, secret: 'whsec_QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB' },
})

const bigRewards = router.subscriptions.create({
  id: 'big-rewards',
  event: 'wallet.coins_rewarded',
  integrationId: 'crm',
  filter: { coins: { $gte: 100 }, 'customer.tier': { $in: ['gold', 'silver'] } },
  eventNamePrefix: 'Loyalty ',
})
router.subscriptions.create({
  id: 'coupons',
  event: ['coupon.created', 'coupon.updated'],
  integrationId: 'crm',
})
router.subscriptions.create({
  id: 'coupon-analytics',
  event: ['coupon.created', 'coupon.updated'],
  integrationId: 'analytics',
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
  if (delayMs !== null)
    console.log(
      `  retry: ${delivery.subscriptionId} attempt ${attempt} got ${error.status ?? error.code}; next in ${delayMs} ms`,
    )
})
router.on('eventSkipped', ({ eventName, skipped }) => {
  for (const skip of skipped) console.log(`  skip: ${eventName} -> ${skip.subscriptionId}: ${skip.reason}`)
})

const customer = { id: 'cus_981', name: 'Ana Lima', email: 'ana@example.com', tier: 'gold' }
console.log('Emitting loyalty events...')
const receipts = [
  router.emit('wallet.coins_rewarded', { coins: 150, balance: 1_350, customer }),
  router.emit('wallet.coins_rewarded', { coins: 20, balance: 1_370, customer }), // filtered out
  router.emit('coupon.created', {
    code: 'LOYAL-7Q2K',
    coinsSpent: 500,
    discount: { value: 5, type: 'fixed' },
    customer,
  }),
]

console.log('Editing "big-rewards": no prefix, any tier...')
router.subscriptions.update(bigRewards.id, { eventNamePrefix: null, filter: { coins: { $gte: 100 } } })
receipts.push(router.emit('wallet.coins_rewarded', { coins: 300, customer: { ...customer, tier: 'bronze' } }))

console.log('Deleting "coupons"...')
router.subscriptions.remove('coupons')
receipts.push(router.emit('coupon.updated', { code: 'LOYAL-7Q2K', status: 'used', customer }))

for (const receipt of receipts) record(await receipt.settled)
await router.close({ timeoutMs: 5_000 })
receiver.close()

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
