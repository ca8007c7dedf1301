import type { EventRouter, Transport } from '../../src/index.js'
import { type Build, loadBuild } from '../lib/load-build.js'
import type { Row } from '../lib/report.js'
import { collectGarbage } from '../lib/stats.js'
import type { Suite } from '../lib/suite.js'

const EVENT = 'wallet.coins_rewarded'
// One payload for every event: what is measured is the router's own cost per pending
// delivery, not the size of the host's payloads (which the router keeps a reference to).
const PAYLOAD = Object.freeze({
  coins: 150,
  balance: 1200,
  reason: 'order',
  customer: Object.freeze({ id: 'cus_4821', email: 'ana@example.com', tier: 'gold' }),
})

/**
 * A destination that accepted the request and went silent: each request stays pending until
 * its signal aborts. It holds nothing but the abort listener (MockTransport would also record
 * every request, which is not the router's cost).
 */
function hangingTransport(): Transport & { readonly inFlight: number } {
  let inFlight = 0
  return {
    get inFlight() {
      return inFlight
    },
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
}

function heapUsed(): number {
  collectGarbage()
  collectGarbage()
  return process.memoryUsage().heapUsed
}

/** Attempts in flight at once (the pacing maximum); the other pending deliveries are queued. */
const IN_FLIGHT = 10_000

async function untilInFlight(transport: { readonly inFlight: number }, count: number): Promise<void> {
  while (transport.inFlight < count) await new Promise((resolve) => setImmediate(resolve))
}

interface Measurement {
  readonly pending: number
  readonly emitMs: number
  readonly inFlightMs: number
  readonly bytesPerPending: number
  readonly retainedBytesAfterClose: number
  readonly closeMs: number
  readonly failedOnClose: number
}

async function measure({ eventrouter }: Build, pending: number): Promise<Measurement> {
  const transport = hangingTransport()
  // No TTL and no retry within the run: every delivery stays in its first attempt.
  const router: EventRouter = new eventrouter.EventRouter({
    adapters: [eventrouter.webhookAdapter()],
    transport,
    retry: { retries: 0 },
    timeoutMs: 2_147_483_647,
    maxPending: pending,
  })
  // The most attempts in flight an integration allows; the rest wait in its queue, pending too.
  router.integrations.add({
    id: 'silent',
    type: 'webhook',
    config: { url: 'http://127.0.0.1:9/hooks' },
    pacing: { concurrency: IN_FLIGHT },
  })
  router.subscriptions.create({ event: EVENT, integrationId: 'silent' })
  let failed = 0
  router.on('deliveryFailed', () => {
    failed++
  })

  const before = heapUsed()
  const emitStart = performance.now()
  for (let index = 0; index < pending; index++) router.emit(EVENT, PAYLOAD)
  const emitMs = performance.now() - emitStart
  // emit() returns before the first attempt reaches the transport: wait until all have.
  await untilInFlight(transport, Math.min(pending, IN_FLIGHT))
  const inFlightMs = performance.now() - emitStart
  const during = heapUsed()
  if (router.pendingCount !== pending)
    throw new Error(`expected ${pending} pending, got ${router.pendingCount}`)

  const closeStart = performance.now()
  await router.close({ timeoutMs: 0 })
  const closeMs = performance.now() - closeStart
  // close() keeps every aborted delivery as a dead letter, on purpose: drop them before the
  // heap is measured again, so that what remains is what the router itself leaked.
  await router.deadLetters.discard({})
  const after = heapUsed()
  return {
    pending,
    emitMs,
    inFlightMs,
    bytesPerPending: (during - before) / pending,
    retainedBytesAfterClose: after - before,
    closeMs,
    failedOnClose: failed,
  }
}

export const memorySuite: Suite = {
  name: 'memory',
  description: 'Heap per pending delivery, waiting on a destination that never answers',
  async run({ quick }) {
    const sizes = quick ? [1000, 2000] : [10_000, 100_000]
    const built = await loadBuild()
    const measurements: Measurement[] = []
    for (const size of sizes) measurements.push(await measure(built, size))

    const rows: Row[] = measurements.map((item) => ({
      pending: item.pending,
      'bytes/pending delivery': Math.round(item.bytesPerPending),
      'emit() loop ms': item.emitMs,
      'until all in flight ms': item.inFlightMs,
      'µs/delivery to in flight': (item.inFlightMs * 1000) / item.pending,
      'close(0) ms': item.closeMs,
      'heap after close, KB vs before': Math.round(item.retainedBytesAfterClose / 1024),
      'failed (shutdown)': item.failedOnClose,
    }))
    const [small, large] = measurements
    const growth =
      small && large ? large.inFlightMs / large.pending / (small.inFlightMs / small.pending) : Number.NaN
    return {
      config: { sizes, payloadShared: true, transport: 'hanging (never answers until aborted)' },
      tables: [{ title: 'Memory with deliveries pending on a silent destination (heapUsed after gc)', rows }],
      results: { measurements, perDeliveryTimeGrowth: growth },
      notes: [
        `Time per delivery to reach the transport grew ${growth.toFixed(1)}x from ${small?.pending} to ${large?.pending} pending (flat would be 1x).`,
      ],
    }
  },
}
