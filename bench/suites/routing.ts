import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import type { EventRouter } from '../../src/index.js'
import { type Build, loadBuilds } from '../lib/load-build.js'
import { noopTransport } from '../lib/noop-transports.js'
import type { Row } from '../lib/report.js'
import {
  collectGarbage,
  formatRatio,
  median,
  nsSince,
  pairedRatio,
  range,
  rotate,
  roundsFromEnv,
  summarizeRatio,
} from '../lib/stats.js'
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

/** How the subscriptions of one case are laid out, on one build. */
interface RoutingCase {
  readonly name: string
  readonly total: number
  /** Subscriptions of the emitted event type: each one starts a delivery. */
  readonly matching: number
  readonly router: EventRouter
  /** Closes the router and removes what it kept (a SQLite file). */
  close(): Promise<void>
}

/** One case, on every build that can run it: the unit that is alternated within a round. */
interface CaseGroup {
  readonly name: string
  readonly matching: number
  readonly byBuild: ReadonlyMap<Build, RoutingCase>
}

const SQLITE_CASE = '1 matching among 1, sqliteStore()'

async function createRouter(
  { eventrouter, sqlite }: Build,
  store: 'memory' | 'sqlite' = 'memory',
): Promise<{ router: EventRouter; close: () => Promise<void> }> {
  const { EventRouter, webhookAdapter } = eventrouter
  let directory: string | undefined
  let router: EventRouter
  if (store === 'sqlite') {
    if (!sqlite) throw new Error('routing benchmark: this build has no SQLite store')
    directory = mkdtempSync(join(os.tmpdir(), 'eventrouter-bench-routing-'))
    router = new EventRouter({
      adapters: [webhookAdapter()],
      transport: noopTransport,
      retry: { retries: 0 },
      timeoutMs: 60_000,
      store: sqlite.sqliteStore({ path: join(directory, 'store.db') }),
      secrets: 'plaintext',
    })
    await router.start()
  } else {
    router = new EventRouter({
      adapters: [webhookAdapter()],
      transport: noopTransport,
      retry: { retries: 0 },
      timeoutMs: 60_000,
    })
  }
  router.integrations.add({
    id: 'hook',
    type: 'webhook',
    config: { url: 'http://127.0.0.1:9/hooks', signing: false },
  })
  // A delivery that fails does less work than one that succeeds: the figures would lie.
  router.on('deliveryFailed', (result) => {
    failures.push(
      new Error(`routing benchmark: a delivery failed (${result.reason}): ${result.error.message}`),
    )
  })
  return {
    router,
    close: async () => {
      await router.close({ timeoutMs: 0 })
      if (directory !== undefined) rmSync(directory, { recursive: true, force: true })
    },
  }
}

// Failed deliveries, rethrown after each batch.
const failures: unknown[] = []

// Every subscription has a small filter that the payload passes, as most real ones have.
function subscribe(router: EventRouter, event: string): void {
  router.subscriptions.create({ event, integrationId: 'hook', filter: { coins: { $gte: 100 } } })
}

/** One subscription on the emitted type; the `total - 1` others spread over the 99 other types. */
async function oneAmong(built: Build, total: number): Promise<RoutingCase> {
  const { router, close } = await createRouter(built)
  subscribe(router, TARGET)
  for (let index = 1; index < total; index++) subscribe(router, typeName(1 + ((index - 1) % (TYPES - 1))))
  return { name: `1 matching among ${total.toLocaleString('en-US')}`, total, matching: 1, router, close }
}

/** The 1-among-1 case with pending deliveries in a SQLite file (WAL, synchronous normal). */
async function oneInSqlite(built: Build): Promise<RoutingCase> {
  const { router, close } = await createRouter(built, 'sqlite')
  subscribe(router, TARGET)
  return { name: SQLITE_CASE, total: 1, matching: 1, router, close }
}

/** `total` subscriptions spread evenly over the 100 types: the emitted type has total / 100. */
async function spread(built: Build, total: number): Promise<RoutingCase> {
  const { router, close } = await createRouter(built)
  for (let index = 0; index < total; index++) subscribe(router, typeName(index % TYPES))
  return {
    name: `spread: ${total / TYPES} matching among ${total.toLocaleString('en-US')}`,
    total,
    matching: total / TYPES,
    router,
    close,
  }
}

/** No subscription on the emitted type: the fixed cost of emit() (validation, event id). */
async function noneAmong(built: Build, total: number): Promise<RoutingCase> {
  const { router, close } = await createRouter(built)
  for (let index = 0; index < total; index++) subscribe(router, typeName(1 + (index % (TYPES - 1))))
  return { name: `0 matching among ${total.toLocaleString('en-US')}`, total, matching: 0, router, close }
}

/** What one timed pass of a case measured, per emit or per delivery. */
interface Timing {
  readonly emitNs: number
  /** Wall time of the drain per delivery: the asynchronous cost of one delivery. */
  readonly drainNsPerDelivery: number
  /** process.cpuUsage() (user + system, all threads) of the drain, per delivery. */
  readonly drainCpuNsPerDelivery: number
  /** process.cpuUsage() of the emits and the drains, per delivery: everything one delivery costs. */
  readonly cpuNsPerDelivery: number
}

const cpuNs = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) * 1000

/**
 * Times `batches` batches of emits. Only the emit() calls are timed (the router's time on
 * the caller's hot path); the deliveries they start are drained between batches, untimed,
 * so that memory does not grow. The drain is timed apart: the asynchronous cost of one
 * delivery through a no-op transport, in wall time and in CPU time (which a busy machine
 * inflates less: time this process was not running is not counted).
 */
async function timeEmits(routingCase: RoutingCase, batches: number, batchSize: number): Promise<Timing> {
  const { router } = routingCase
  let emitNs = 0
  let drainNs = 0
  let drainCpu = 0
  const cpuStart = process.cpuUsage()
  for (let batch = 0; batch < batches; batch++) {
    const start = process.hrtime.bigint()
    for (let index = 0; index < batchSize; index++) router.emit(TARGET, PAYLOAD)
    emitNs += nsSince(start)
    const drainStart = process.hrtime.bigint()
    const drainCpuStart = process.cpuUsage()
    await router.onIdle()
    // One more turn: writes a durable store batches (a settled delivery's removal) land here,
    // with the deliveries they belong to, not in the next batch's first emit().
    await new Promise((resolve) => setImmediate(resolve))
    drainCpu += cpuNs(process.cpuUsage(drainCpuStart))
    drainNs += nsSince(drainStart)
    if (failures.length > 0) throw failures[0]
  }
  const cpu = cpuNs(process.cpuUsage(cpuStart))
  const emits = batches * batchSize
  const deliveries = emits * routingCase.matching
  return {
    emitNs: emitNs / emits,
    drainNsPerDelivery: deliveries === 0 ? 0 : drainNs / deliveries,
    drainCpuNsPerDelivery: deliveries === 0 ? 0 : drainCpu / deliveries,
    cpuNsPerDelivery: deliveries === 0 ? 0 : cpu / deliveries,
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
    const builds = await loadBuilds()
    const [current, baseline] = builds as [Build, Build | undefined]
    // A baseline is compared round by round: more rounds, because emit() is noisy here.
    const rounds = roundsFromEnv(quick ? 2 : baseline ? 15 : 7)
    const emitsPerRound = quick ? 500 : 20_000
    // Deliveries started per batch before draining: also the number in flight during a drain.
    const deliveriesPerBatch = quick ? 100 : 1000
    const layouts: ((built: Build) => Promise<RoutingCase>)[] = [
      (built) => noneAmong(built, quick ? 100 : 10_000),
      (built) => oneAmong(built, 1),
      (built) => oneAmong(built, 100),
      (built) => oneAmong(built, quick ? 1000 : 10_000),
      (built) => spread(built, quick ? 1000 : 10_000),
    ]
    const groups: CaseGroup[] = []
    for (const layout of layouts) {
      const byBuild = new Map<Build, RoutingCase>()
      for (const built of builds) byBuild.set(built, await layout(built))
      const first = byBuild.get(current)!
      groups.push({ name: first.name, matching: first.matching, byBuild })
    }
    // Pending deliveries in a SQLite file: only builds that have the store (the current one).
    const sqliteCases = new Map<Build, RoutingCase>()
    for (const built of builds) if (built.sqlite) sqliteCases.set(built, await oneInSqlite(built))
    if (sqliteCases.size > 0) groups.push({ name: SQLITE_CASE, matching: 1, byBuild: sqliteCases })

    const all = groups.flatMap((group) => [...group.byBuild.values()])
    const samples = new Map<RoutingCase, Timing[]>(all.map((item) => [item, []]))
    // Every case starts about the same number of deliveries per round (emitsPerRound with one
    // matching subscription), in batches of about deliveriesPerBatch.
    const plan = (item: { readonly matching: number }) => {
      const perEmit = Math.max(1, item.matching)
      const batchSize = Math.max(1, Math.floor(deliveriesPerBatch / perEmit))
      return { batchSize, batches: Math.max(1, Math.ceil(emitsPerRound / perEmit / batchSize)) }
    }
    // Warm-up round, not recorded.
    for (const item of all) await timeEmits(item, 2, plan(item).batchSize)
    for (let round = 0; round < rounds; round++) {
      collectGarbage()
      // Cases in a rotated order; within a case, the builds back to back, the first one alternating.
      for (const group of rotate(groups, round)) {
        for (const built of rotate([...group.byBuild.keys()], round)) {
          const item = group.byBuild.get(built)!
          const { batches, batchSize } = plan(item)
          samples.get(item)!.push(await timeEmits(item, batches, batchSize))
        }
      }
    }

    // A fixed piece of work timed in the same run, to scale the absolute figures between machines.
    const calibration = measureCalibration(rounds)

    const field = (item: RoutingCase, key: keyof Timing) => samples.get(item)!.map((timing) => timing[key])
    const describe = (built: Build) => {
      const rows: Row[] = []
      const results: Record<string, unknown> = {}
      const reference = groups[1]!.byBuild.get(built)! // 1 matching among 1
      for (const group of groups) {
        const item = group.byBuild.get(built)
        if (!item) continue
        const emit = field(item, 'emitNs')
        const drain = field(item, 'drainNsPerDelivery')
        const drainCpu = field(item, 'drainCpuNsPerDelivery')
        const cpu = field(item, 'cpuNsPerDelivery')
        const ratio = pairedRatio(emit, field(reference, 'emitNs'))
        const delivers = item.matching > 0
        results[item.name] = {
          totalSubscriptions: item.total,
          matchingSubscriptions: item.matching,
          emitNs: median(emit),
          emitNsPerDelivery: delivers ? median(emit) / item.matching : null,
          drainNsPerDelivery: delivers ? median(drain) : null,
          drainCpuNsPerDelivery: delivers ? median(drainCpu) : null,
          cpuNsPerDelivery: delivers ? median(cpu) : null,
          emitOverOneAmongOne: ratio,
          spread: range(emit),
          samples: { emit, drain, drainCpu, cpu },
          plan: plan(item),
        }
        rows.push({
          case: item.name,
          ...(baseline ? { build: built.label } : {}),
          'ns/emit': median(emit),
          'ns/delivery started': delivers ? median(emit) / item.matching : '-',
          'vs 1 among 1': `${ratio.toFixed(2)}x`,
          'drain ns/delivery': delivers ? median(drain) : '-',
          'drain CPU ns/delivery': delivers ? median(drainCpu) : '-',
          'CPU ns/delivery (emit+drain)': delivers ? median(cpu) : '-',
        })
      }
      return { rows, results }
    }

    const own = describe(current)
    const results: Record<string, unknown> = { ...own.results }
    const largest = groups[3]!.byBuild.get(current)!
    const oneAmongOne = groups[1]!.byBuild.get(current)!
    const scaling = pairedRatio(field(largest, 'emitNs'), field(oneAmongOne, 'emitNs'))
    results.scaling = { case: largest.name, overOneAmongOne: scaling }
    const oneMatch = median(field(oneAmongOne, 'emitNs'))
    results.calibration = {
      what: 'JSON.stringify(payload) of the emitted payload, ns',
      ns: calibration,
      emitOneMatchInCalibrationUnits: oneMatch / calibration,
    }
    const rows: Row[] = [...own.rows]
    const tables = [
      {
        title: `Routing, median over ${rounds} rounds (emit() timed alone; deliveries drained between batches)`,
        rows,
      },
    ]
    if (baseline) {
      const theirs = describe(baseline)
      rows.push(...theirs.rows)
      results.baseline = { label: baseline.label, source: baseline.source, cases: theirs.results }
      // Current over baseline, round by round: > 1 means the current build is slower (costs more).
      const vsBaseline: Record<string, unknown> = {}
      const ratioRows: Row[] = []
      for (const group of groups) {
        const mine = group.byBuild.get(current)
        const base = group.byBuild.get(baseline)
        if (!mine || !base) continue
        const keys: [keyof Timing, string][] =
          group.matching === 0
            ? [['emitNs', 'emit ns']]
            : [
                ['emitNs', 'emit ns'],
                ['drainNsPerDelivery', 'drain ns/delivery'],
                ['drainCpuNsPerDelivery', 'drain CPU/delivery'],
                ['cpuNsPerDelivery', 'CPU/delivery (emit+drain)'],
              ]
        const summaries = Object.fromEntries(
          keys.map(([key]) => [key, summarizeRatio(field(mine, key), field(base, key))]),
        )
        vsBaseline[group.name] = summaries
        const row: Row = { case: group.name }
        for (const [key, title] of keys) {
          const summary = summaries[key]!
          row[title] = `${formatRatio(summary)} ${summary.min.toFixed(2)}–${summary.max.toFixed(2)}`
        }
        ratioRows.push(row)
      }
      results.vsBaseline = vsBaseline
      tables.push({
        title: `Current over ${baseline.label}, paired per round: median (quartiles) min–max; > 1 costs more`,
        rows: ratioRows,
      })
    }
    rows.push({ case: 'reference: JSON.stringify(payload)', 'ns/emit': calibration })

    for (const item of all) await item.close()
    return {
      config: {
        rounds,
        emitsPerRound,
        deliveriesPerBatch,
        eventTypes: TYPES,
        payload: PAYLOAD,
        builds: builds.map((built) => ({ label: built.label, source: built.source })),
      },
      tables,
      results,
      notes: [
        `${largest.name} costs ${scaling.toFixed(2)}x the 1-subscription case (target: within 1.5x).`,
        `emit() with 1 matching subscription costs ${(oneMatch / calibration).toFixed(1)}x JSON.stringify(payload) on this machine.`,
        `"drain ns/delivery": time to settle one delivery through the no-op transport, with ${deliveriesPerBatch} deliveries started per batch; "CPU": process.cpuUsage() (user + system, every thread, GC included).`,
        ...(baseline
          ? [`Each case runs on both builds back to back in every round, the first one alternating.`]
          : []),
      ],
    }
  },
}
