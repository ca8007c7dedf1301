// Holds many pending deliveries in a SQLite store, in a process of its own (plain node, no tsx,
// nothing else loaded), so that heapUsed is what a host running eventrouter would see: the
// memory suite forks it (bench/suites/memory.ts, measureSqliteHold) with the directory of a build
// (bench/lib/load-build.ts), the number of deliveries and a scratch directory:
//
//   node --expose-gc bench/lib/sqlite-hold.mjs <build dir> <pending> <scratch dir>
//
// Deliveries are emitted with a large maxPending to an integration whose transport never
// answers (default pacing: 16 in flight, the rest waits in the file), in chunks of 10,000 with a
// turn of the event loop between them, as a host's requests would come. heapUsed is read after
// two gc(). Then close() (which leaves what is pending in the file) and a restart on the same
// file. The result goes to the parent as { type: 'result', ... } (or stdout when run alone).
import { mkdirSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

const [buildDir, pendingText, scratch] = process.argv.slice(2)
if (!buildDir || !pendingText || !scratch) {
  console.error('usage: node --expose-gc bench/lib/sqlite-hold.mjs <build dir> <pending> <scratch dir>')
  process.exit(2)
}
if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc')
const pending = Number(pendingText)
const CHUNK = 10_000
const EVENT = 'wallet.coins_rewarded'
// The memory suite's payload: one object shared by every event.
const PAYLOAD = Object.freeze({
  coins: 150,
  balance: 1200,
  reason: 'order',
  customer: Object.freeze({ id: 'cus_4821', email: 'ana@example.com', tier: 'gold' }),
})

const load = (name) => import(pathToFileURL(join(buildDir, `${name}.js`)).href)
const { EventRouter, webhookAdapter } = await load('index')
const { sqliteStore } = await load('sqlite')

function heapUsed() {
  globalThis.gc()
  globalThis.gc()
  return process.memoryUsage().heapUsed
}

function bytesOnDisk(directory) {
  let total = 0
  for (const name of readdirSync(directory)) total += statSync(join(directory, name)).size
  return total
}

let inFlight = 0
const transport = {
  send: (_request, { signal }) =>
    new Promise((_resolve, reject) => {
      inFlight++
      signal.addEventListener(
        'abort',
        () => {
          inFlight--
          reject(signal.reason)
        },
        { once: true },
      )
    }),
}

async function untilInFlight(count) {
  const deadline = performance.now() + 60_000
  while (inFlight < count) {
    if (performance.now() > deadline) throw new Error(`stuck at ${inFlight} in flight, waiting for ${count}`)
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
}

mkdirSync(scratch, { recursive: true })
const path = join(scratch, 'store.db')
const routerOn = () =>
  new EventRouter({
    adapters: [webhookAdapter()],
    transport,
    retry: { retries: 0 },
    timeoutMs: 2_147_483_647,
    maxPending: Math.max(1_000_000, pending),
    store: sqliteStore({ path }),
    secrets: 'plaintext',
  })

const heapLoaded = heapUsed()
let router = routerOn()
await router.start()
router.integrations.add({
  id: 'silent',
  type: 'webhook',
  config: { url: 'http://127.0.0.1:9/hooks', signing: false },
})
router.subscriptions.create({ event: EVENT, integrationId: 'silent' })
const before = heapUsed()
const samples = []
const cpuStart = process.cpuUsage()
const emitStart = performance.now()
for (let done = 0; done < pending; ) {
  const chunk = Math.min(CHUNK, pending - done)
  for (let index = 0; index < chunk; index++) router.emit(EVENT, PAYLOAD)
  done += chunk
  await new Promise((resolve) => setImmediate(resolve))
  if (done % 100_000 === 0) samples.push({ pending: done, heapUsedBytes: heapUsed() })
}
const emitMs = performance.now() - emitStart
const cpu = process.cpuUsage(cpuStart)
await untilInFlight(1)
const during = heapUsed()
const { rss } = process.memoryUsage()
if (router.pendingCount !== pending)
  throw new Error(`expected ${pending} pending, got ${router.pendingCount}`)
const held = inFlight
const fileOpen = bytesOnDisk(scratch)
const closeStart = performance.now()
await router.close({ timeoutMs: 0 })
const closeMs = performance.now() - closeStart
const fileClosed = bytesOnDisk(scratch)
// Let the closed router go: the heap after the restart is the new router's alone.
router = undefined

const restartStart = performance.now()
const again = routerOn()
await again.start()
const restartMs = performance.now() - restartStart
const pendingAfterRestart = again.pendingCount
await untilInFlight(1)
const heapAfterRestart = heapUsed()
await again.close({ timeoutMs: 0 })

const result = {
  pending,
  emitMs,
  emitsPerSecond: pending / (emitMs / 1000),
  emitCpuUsPerDelivery: (cpu.user + cpu.system) / pending,
  heapWithEventrouterLoadedBytes: heapLoaded,
  heapBeforeEmitsBytes: before,
  heapUsedBytes: during,
  heapGrowthBytes: during - before,
  peakHeapUsedBytes: Math.max(during, ...samples.map((sample) => sample.heapUsedBytes)),
  heapSamples: samples,
  rssBytes: rss,
  inFlight: held,
  fileBytesPerPendingOpen: fileOpen / pending,
  fileBytesPerPendingClosed: fileClosed / pending,
  closeMs,
  restartMs,
  pendingAfterRestart,
  heapUsedAfterRestartBytes: heapAfterRestart,
}
if (process.send) process.send({ type: 'result', result }, () => process.disconnect())
else console.log(JSON.stringify(result, null, 2))
