// One process of the fleet suite (bench/suites/fleet.ts), forked with plain node (no tsx) on a
// build of src/ (bench/lib/load-build.ts):
//
//   node bench/lib/fleet-member.mjs '<config as JSON>'
//
// config: { buildDir, role, store: 'memory' | 'sqlite' | 'redis', events, url, concurrency,
//           redisUrl?, prefix?, sqlitePath? }
//
// role `emitter` (sqlite, redis): starts with `deliver: false`, adds the integration and its
//   subscription, emits `events` events, sends { type: 'emitted', ns, cpuUs }, closes (what it
//   emitted stays pending in the store) and exits.
// role `worker` (sqlite, redis): builds its router, sends { type: 'loaded' }; on { type: 'go' }
//   runs router.start() (which claims what is pending) and sends { type: 'started', at } (wall
//   clock in ms, performance.timeOrigin + performance.now()); delivers until the parent
//   disconnects, then closes and exits.
// role `solo` (memory): sends { type: 'loaded' }; on { type: 'go' } adds the integration and emits
//   `events` events (a memory store cannot be shared, so the same process emits and delivers:
//   delivery starts once the synchronous emit loop returns) and sends { type: 'started', at, ns }
//   with `at` taken right after the loop.
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

const config = JSON.parse(process.argv[2] ?? '{}')
const { buildDir, role, store, events, url, concurrency } = config
const EVENT = 'wallet.coins_rewarded'
const PAYLOAD = Object.freeze({
  coins: 150,
  balance: 1200,
  reason: 'order',
  orderId: 'ord_8f3a2c91',
  customer: Object.freeze({ id: 'cus_4821', email: 'ana@example.com', tier: 'gold' }),
})

const load = (name) => import(pathToFileURL(join(buildDir, `${name}.js`)).href)
const { EventRouter, webhookAdapter } = await load('index')
const { undiciTransport } = await load('undici')
const now = () => performance.timeOrigin + performance.now()
const send = (message) => new Promise((resolve) => process.send(message, resolve))

function makeStore() {
  if (store === 'redis') {
    return load('redis').then(({ redisStore }) =>
      redisStore({ connection: config.redisUrl, prefix: config.prefix }),
    )
  }
  if (store === 'sqlite')
    return load('sqlite').then(({ sqliteStore }) => sqliteStore({ path: config.sqlitePath }))
  return Promise.resolve(undefined)
}

const transport = undiciTransport({ allowedAddresses: ['127.0.0.1'] })
const chosen = await makeStore()
const router = new EventRouter({
  adapters: [webhookAdapter()],
  transport,
  // The receiver answers 200 at once; a rare failure (a reset socket) is retried soon, so that
  // every delivery arrives and the run ends.
  retry: { retries: 3, minTimeout: 20, maxTimeout: 200 },
  maxPending: Math.max(1_000_000, events),
  tenants: { maxPending: null },
  circuitBreaker: false,
  ...(chosen ? { store: chosen, secrets: 'plaintext' } : {}),
})
router.on('error', (error) => console.error(`fleet-member (${role}, ${store}): ${error.message}`))

function setUp() {
  // Pacing out of the way: no rate limit, and a concurrency well above what the receiver needs.
  router.integrations.add({
    id: 'receiver',
    type: 'webhook',
    config: { url, signing: false },
    pacing: { concurrency },
  })
  router.subscriptions.create({ event: EVENT, integrationId: 'receiver' })
}

function emitAll() {
  const cpu = process.cpuUsage()
  const start = process.hrtime.bigint()
  for (let index = 0; index < events; index++) router.emit(EVENT, PAYLOAD)
  const ns = Number(process.hrtime.bigint() - start)
  const usage = process.cpuUsage(cpu)
  return { ns, cpuUs: usage.user + usage.system }
}

async function closeAndExit() {
  await router.close({ timeoutMs: 2000 }).catch(() => {})
  await transport.close()
  process.exit(0)
}

if (role === 'emitter') {
  await router.start({ deliver: false })
  setUp()
  const measured = emitAll()
  await send({ type: 'emitted', ...measured })
  await closeAndExit()
} else {
  process.on('disconnect', () => void closeAndExit())
  process.on('message', (message) => {
    if (message?.type !== 'go') return
    if (role === 'solo') {
      setUp()
      const { ns } = emitAll()
      const at = now()
      void send({ type: 'started', at, ns })
      return
    }
    void router.start().then(
      () => send({ type: 'started', at: now() }),
      (error) => {
        console.error(`fleet-member: start() failed: ${error.message}`)
        process.exit(1)
      },
    )
  })
  await send({ type: 'loaded' })
}
