import type { EventRouter } from '../../src/index.js'
import { type Build, loadBuild } from '../lib/load-build.js'
import { noopTransport } from '../lib/noop-transports.js'
import type { Row } from '../lib/report.js'
import { collectGarbage, median, nsSince, pairedRatio, range, rotate } from '../lib/stats.js'
import type { Suite } from '../lib/suite.js'

const TYPES = 100
const TARGET = 'loyalty.type_000'
const typeName = (index: number) => `loyalty.type_${String(index).padStart(3, '0')}`
const PAYLOAD = Object.freeze({
  coins: 150,
  balance: 1200,
  reason: 'order',
  customer: Object.freeze({ id: 'cus_1', tier: 'gold', country: 'FR' }),
})

/** How the subscriptions of one case are laid out. */
interface RoutingCase {
  readonly name: string
  readonly total: number
  /** Subscriptions of the emitted event type: each one starts a delivery. */
  readonly matching: number
  readonly router: EventRouter
}

function createRouter({ eventrouter }: Build): EventRouter {
  const { EventRouter, webhookAdapter } = eventrouter
  const router = new EventRouter({
    adapters: [webhookAdapter()],
    transport: noopTransport,
    retry: { retries: 0 },
    timeoutMs: 60_000,
  })
  router.integrations.add({ id: 'hook', type: 'webhook', config: { url: 'http://127.0.0.1:9/hooks' } })
  // A delivery that fails does less work than one that succeeds: the figures would lie.
  router.on('deliveryFailed', (result) => {
    failures.push(
      new Error(`routing benchmark: a delivery failed (${result.reason}): ${result.error.message}`),
    )
  })
  return router
}

// Failed deliveries, rethrown after each batch.
const failures: unknown[] = []

// Every subscription has a small filter that the payload passes, as most real ones have.
function subscribe(router: EventRouter, event: string): void {
  router.subscriptions.create({ event, integrationId: 'hook', filter: { coins: { $gte: 100 } } })
}

/** One subscription on the emitted type; the `total - 1` others spread over the 99 other types. */
function oneAmong(built: Build, total: number): RoutingCase {
  const router = createRouter(built)
  subscribe(router, TARGET)
  for (let index = 1; index < total; index++) subscribe(router, typeName(1 + ((index - 1) % (TYPES - 1))))
  return { name: `1 matching among ${total.toLocaleString('en-US')}`, total, matching: 1, router }
}

/** `total` subscriptions spread evenly over the 100 types: the emitted type has total / 100. */
function spread(built: Build, total: number): RoutingCase {
  const router = createRouter(built)
  for (let index = 0; index < total; index++) subscribe(router, typeName(index % TYPES))
  return {
    name: `spread: ${total / TYPES} matching among ${total.toLocaleString('en-US')}`,
    total,
    matching: total / TYPES,
    router,
  }
}

/** No subscription on the emitted type: the fixed cost of emit() (validation, event id). */
function noneAmong(built: Build, total: number): RoutingCase {
  const router = createRouter(built)
  for (let index = 0; index < total; index++) subscribe(router, typeName(1 + (index % (TYPES - 1))))
  return { name: `0 matching among ${total.toLocaleString('en-US')}`, total, matching: 0, router }
}

/**
 * Times `batches` batches of emits. Only the emit() calls are timed (the router's time on
 * the caller's hot path); the deliveries they start are drained between batches, untimed,
 * so that memory does not grow. The drain is timed apart: the asynchronous cost of one
 * delivery through a no-op transport.
 */
async function timeEmits(
  routingCase: RoutingCase,
  batches: number,
  batchSize: number,
): Promise<{ emitNs: number; drainNsPerDelivery: number }> {
  const { router } = routingCase
  let emitNs = 0
  let drainNs = 0
  for (let batch = 0; batch < batches; batch++) {
    const start = process.hrtime.bigint()
    for (let index = 0; index < batchSize; index++) router.emit(TARGET, PAYLOAD)
    emitNs += nsSince(start)
    const drainStart = process.hrtime.bigint()
    await router.onIdle()
    drainNs += nsSince(drainStart)
    if (failures.length > 0) throw failures[0]
  }
  const emits = batches * batchSize
  return {
    emitNs: emitNs / emits,
    drainNsPerDelivery: routingCase.matching === 0 ? 0 : drainNs / (emits * routingCase.matching),
  }
}

function measureCalibration(rounds: number): number {
  const samples: number[] = []
  let sink = 0
  for (let round = 0; round <= rounds; round++) {
    const start = process.hrtime.bigint()
    for (let index = 0; index < 20_000; index++) sink += JSON.stringify(PAYLOAD).length
    if (round > 0) samples.push(nsSince(start) / 20_000) // round 0 warms up
  }
  if (sink === 0) throw new Error('unreachable')
  return median(samples)
}

export const routingSuite: Suite = {
  name: 'routing',
  description: 'emit() cost with a no-op transport, by number of subscriptions (100 event types)',
  async run({ quick }) {
    const rounds = quick ? 2 : 7
    const emitsPerRound = quick ? 500 : 20_000
    // Deliveries started per batch before draining: also the number in flight during a drain.
    const deliveriesPerBatch = quick ? 100 : 1000
    const built = await loadBuild()
    const cases = [
      noneAmong(built, quick ? 100 : 10_000),
      oneAmong(built, 1),
      oneAmong(built, 100),
      oneAmong(built, quick ? 1000 : 10_000),
      spread(built, quick ? 1000 : 10_000),
    ]

    const emitSamples = new Map<RoutingCase, number[]>(cases.map((item) => [item, []]))
    const drainSamples = new Map<RoutingCase, number[]>(cases.map((item) => [item, []]))
    // Every case starts about the same number of deliveries per round (emitsPerRound with one
    // matching subscription), in batches of about deliveriesPerBatch.
    const plan = (item: RoutingCase) => {
      const perEmit = Math.max(1, item.matching)
      const batchSize = Math.max(1, Math.floor(deliveriesPerBatch / perEmit))
      return { batchSize, batches: Math.max(1, Math.ceil(emitsPerRound / perEmit / batchSize)) }
    }
    // Warm-up round, not recorded.
    for (const item of cases) {
      const { batchSize } = plan(item)
      await timeEmits(item, 2, batchSize)
    }
    for (let round = 0; round < rounds; round++) {
      collectGarbage()
      for (const item of rotate(cases, round)) {
        const { batches, batchSize } = plan(item)
        const { emitNs, drainNsPerDelivery } = await timeEmits(item, batches, batchSize)
        emitSamples.get(item)!.push(emitNs)
        drainSamples.get(item)!.push(drainNsPerDelivery)
      }
    }

    // A fixed piece of work timed in the same run, to scale the absolute figures between machines.
    const calibration = measureCalibration(rounds)

    const baseline = cases[1]! // 1 matching among 1
    const largest = cases[3]!
    const rows: Row[] = []
    const results: Record<string, unknown> = {}
    for (const item of cases) {
      const emit = emitSamples.get(item)!
      const drain = drainSamples.get(item)!
      const ratio = pairedRatio(emit, emitSamples.get(baseline)!)
      results[item.name] = {
        totalSubscriptions: item.total,
        matchingSubscriptions: item.matching,
        emitNs: median(emit),
        emitNsPerDelivery: item.matching === 0 ? null : median(emit) / item.matching,
        drainNsPerDelivery: item.matching === 0 ? null : median(drain),
        emitOverOneAmongOne: ratio,
        spread: range(emit),
        samples: { emit, drain },
        plan: plan(item),
      }
      rows.push({
        case: item.name,
        'ns/emit': median(emit),
        'ns/delivery started': item.matching === 0 ? '-' : median(emit) / item.matching,
        'vs 1 among 1': `${ratio.toFixed(2)}x`,
        'drain ns/delivery': item.matching === 0 ? '-' : median(drain),
      })
    }
    const scaling = pairedRatio(emitSamples.get(largest)!, emitSamples.get(baseline)!)
    results.scaling = { case: largest.name, overOneAmongOne: scaling }
    const oneMatch = median(emitSamples.get(baseline)!)
    results.calibration = {
      what: 'JSON.stringify(payload) of the emitted payload, ns',
      ns: calibration,
      emitOneMatchInCalibrationUnits: oneMatch / calibration,
    }
    rows.push({ case: 'reference: JSON.stringify(payload)', 'ns/emit': calibration })

    for (const item of cases) await item.router.close({ timeoutMs: 0 })
    return {
      config: { rounds, emitsPerRound, deliveriesPerBatch, eventTypes: TYPES, payload: PAYLOAD },
      tables: [
        {
          title: `Routing, median over ${rounds} rounds (emit() timed alone; deliveries drained between batches)`,
          rows,
        },
      ],
      results,
      notes: [
        `${largest.name} costs ${scaling.toFixed(2)}x the 1-subscription case (target: within 1.5x).`,
        `emit() with 1 matching subscription costs ${(oneMatch / calibration).toFixed(1)}x JSON.stringify(payload) on this machine.`,
        `"drain ns/delivery": CPU time to settle one delivery through the no-op transport, with ${deliveriesPerBatch} deliveries started per batch.`,
      ],
    }
  },
}
