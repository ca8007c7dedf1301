import { fork } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { EventRouter, Transport } from '../../src/index.js'
import { type Build, loadBuilds } from '../lib/load-build.js'
import type { Row } from '../lib/report.js'
import {
  collectGarbage,
  formatRatio,
  median,
  range,
  rotate,
  roundsFromEnv,
  summarizeRatio,
} from '../lib/stats.js'
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

/** Waits until `count` attempts are in flight; throws when that stops progressing for 60 s. */
async function untilInFlight(transport: { readonly inFlight: number }, count: number): Promise<void> {
  let seen = transport.inFlight
  let progressAt = performance.now()
  while (transport.inFlight < count) {
    await new Promise((resolve) => setImmediate(resolve))
    if (transport.inFlight !== seen) {
      seen = transport.inFlight
      progressAt = performance.now()
    } else if (performance.now() - progressAt > 60_000) {
      throw new Error(`memory benchmark: stuck at ${seen} attempts in flight, waiting for ${count}`)
    }
  }
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
    config: { url: 'http://127.0.0.1:9/hooks', signing: false },
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

/** What bench/lib/sqlite-hold.mjs measured, holding many pending deliveries in a SQLite store. */
interface SqliteMeasurement {
  readonly pending: number
  readonly emitMs: number
  readonly emitsPerSecond: number
  /** process.cpuUsage() of the emit loop, per delivery (µs). */
  readonly emitCpuUsPerDelivery: number
  /** heapUsed after gc of the child once eventrouter is imported, and once the router is started. */
  readonly heapWithEventrouterLoadedBytes: number
  readonly heapBeforeEmitsBytes: number
  /** heapUsed after gc with every delivery pending (16 in flight), absolute and growth. */
  readonly heapUsedBytes: number
  readonly heapGrowthBytes: number
  /** The largest heapUsed after gc sampled every 100,000 emits, and at the end. */
  readonly peakHeapUsedBytes: number
  readonly rssBytes: number
  readonly inFlight: number
  /** Bytes of the database file (and its WAL) per pending delivery, while open and after close. */
  readonly fileBytesPerPendingOpen: number
  readonly fileBytesPerPendingClosed: number
  readonly closeMs: number
  /** A new router on the same file: start() time, what it found pending, its heap. */
  readonly restartMs: number
  readonly pendingAfterRestart: number
  readonly heapUsedAfterRestartBytes: number
}

/**
 * `pending` deliveries held in a SQLite store, in a child process (plain node, the build's files
 * only), so that its heapUsed is what a host would see rather than this process's, which holds
 * tsx, tsup and both builds: see bench/lib/sqlite-hold.mjs.
 */
async function measureSqlite(built: Build, pending: number): Promise<SqliteMeasurement> {
  if (!built.sqlite) throw new Error('memory benchmark: this build has no SQLite store')
  const scratch = mkdtempSync(join(os.tmpdir(), 'eventrouter-bench-memory-'))
  try {
    const child = fork(
      join(dirname(fileURLToPath(import.meta.url)), '..', 'lib', 'sqlite-hold.mjs'),
      [built.outDir, String(pending), scratch],
      { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
    )
    let result: SqliteMeasurement | undefined
    child.on('message', (message: { type?: string; result?: SqliteMeasurement }) => {
      if (message.type === 'result') result = message.result
    })
    const [code] = (await once(child, 'exit')) as [number | null]
    if (code !== 0 || result === undefined) {
      throw new Error(`memory benchmark: bench/lib/sqlite-hold.mjs exited with code ${code} and no result`)
    }
    return result
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}

export const memorySuite: Suite = {
  name: 'memory',
  description: 'Heap per pending delivery, waiting on a destination that never answers',
  async run({ quick }) {
    const sizes = quick ? [1000, 2000] : [10_000, 100_000]
    const builds = await loadBuilds()
    const [current, baseline] = builds as [Build, Build | undefined]
    const rounds = roundsFromEnv(quick ? 1 : baseline ? 3 : 1)
    const sqlitePending = quick ? 2000 : Number(process.env.BENCH_SQLITE_PENDING ?? 500_000)
    // measurements.get(build)[sizeIndex][round]
    const measurements = new Map<Build, Measurement[][]>(builds.map((built) => [built, sizes.map(() => [])]))
    for (const [sizeIndex, size] of sizes.entries()) {
      for (let round = 0; round < rounds; round++) {
        for (const built of rotate(builds, round)) {
          measurements.get(built)![sizeIndex]!.push(await measure(built, size))
        }
      }
    }

    const mid = (values: readonly Measurement[], key: keyof Measurement) =>
      median(values.map((item) => item[key]))
    const rows: Row[] = []
    const results: Record<string, unknown> = {}
    for (const built of builds) {
      const perSize = measurements.get(built)!
      for (const samples of perSize) {
        const bytes = samples.map((item) => item.bytesPerPending)
        rows.push({
          ...(baseline ? { build: built.label } : {}),
          pending: samples[0]!.pending,
          'bytes/pending delivery': Math.round(median(bytes)),
          ...(rounds > 1
            ? { 'min–max': `${Math.round(range(bytes).min)}–${Math.round(range(bytes).max)}` }
            : {}),
          'emit() loop ms': mid(samples, 'emitMs'),
          'until all in flight ms': mid(samples, 'inFlightMs'),
          'µs/delivery to in flight': (mid(samples, 'inFlightMs') * 1000) / samples[0]!.pending,
          'close(0) ms': mid(samples, 'closeMs'),
          'heap after close, KB vs before': Math.round(mid(samples, 'retainedBytesAfterClose') / 1024),
          'failed (shutdown)': mid(samples, 'failedOnClose'),
        })
      }
    }
    const own = measurements.get(current)!
    const firsts = own.map((samples) => samples[0]!)
    // Kept as before: the current build's measurements, one per size (the first round's).
    results.measurements = firsts
    const [small, large] = own.map((samples) => ({
      pending: samples[0]!.pending,
      inFlightMs: mid(samples, 'inFlightMs'),
    }))
    const growth =
      small && large ? large.inFlightMs / large.pending / (small.inFlightMs / small.pending) : Number.NaN
    results.perDeliveryTimeGrowth = growth
    results.rounds = Object.fromEntries(
      builds.map((built) => [built.label, measurements.get(built)!.map((samples) => samples)]),
    )
    const tables = [
      { title: 'Memory with deliveries pending on a silent destination (heapUsed after gc)', rows },
    ]
    if (baseline) {
      const theirs = measurements.get(baseline)!
      const ratioRows: Row[] = []
      const vsBaseline: Record<string, unknown> = {}
      for (const [sizeIndex, size] of sizes.entries()) {
        const mine = own[sizeIndex]!
        const base = theirs[sizeIndex]!
        const bytes = summarizeRatio(
          mine.map((item) => item.bytesPerPending),
          base.map((item) => item.bytesPerPending),
        )
        const inFlight = summarizeRatio(
          mine.map((item) => item.inFlightMs),
          base.map((item) => item.inFlightMs),
        )
        vsBaseline[String(size)] = { bytesPerPending: bytes, untilInFlight: inFlight }
        ratioRows.push({
          pending: size,
          'bytes/pending delivery': `${formatRatio(bytes)} ${bytes.min.toFixed(2)}–${bytes.max.toFixed(2)}`,
          'until all in flight': `${formatRatio(inFlight)} ${inFlight.min.toFixed(2)}–${inFlight.max.toFixed(2)}`,
        })
      }
      results.baseline = { label: baseline.label, source: baseline.source }
      results.vsBaseline = vsBaseline
      tables.push({
        title: `Current over ${baseline.label}, paired per round: median (quartiles) min–max; > 1 costs more`,
        rows: ratioRows,
      })
    }

    let sqliteResult: SqliteMeasurement | undefined
    if (current.sqlite && sqlitePending > 0) {
      sqliteResult = await measureSqlite(current, sqlitePending)
      results.sqlite = sqliteResult
      const mb = (bytes: number) => bytes / 2 ** 20
      tables.push({
        title: `${sqlitePending.toLocaleString('en-US')} deliveries pending in sqliteStore(), transport never answers (heapUsed after gc)`,
        rows: [
          {
            pending: sqliteResult.pending,
            'emit s': sqliteResult.emitMs / 1000,
            'emits/s': Math.round(sqliteResult.emitsPerSecond),
            'in flight': sqliteResult.inFlight,
            'heapUsed MB': mb(sqliteResult.heapUsedBytes),
            'peak MB': mb(sqliteResult.peakHeapUsedBytes),
            'growth MB': mb(sqliteResult.heapGrowthBytes),
            'heap before emits MB': mb(sqliteResult.heapBeforeEmitsBytes),
            'rss MB': mb(sqliteResult.rssBytes),
            'disk bytes/pending (open)': Math.round(sqliteResult.fileBytesPerPendingOpen),
            'disk bytes/pending (closed)': Math.round(sqliteResult.fileBytesPerPendingClosed),
            'close(0) ms': sqliteResult.closeMs,
            'restart: start() ms': sqliteResult.restartMs,
            'pending after restart': sqliteResult.pendingAfterRestart,
            'heapUsed after restart MB': mb(sqliteResult.heapUsedAfterRestartBytes),
          },
        ],
      })
    }
    return {
      config: {
        sizes,
        rounds,
        sqlitePending,
        payloadShared: true,
        transport: 'hanging (never answers until aborted)',
        builds: builds.map((built) => ({ label: built.label, source: built.source })),
      },
      tables,
      results,
      notes: [
        `Time per delivery to reach the transport grew ${growth.toFixed(1)}x from ${small?.pending} to ${large?.pending} pending (flat would be 1x).`,
        ...(sqliteResult
          ? [
              `sqliteStore(): heapUsed ${(sqliteResult.heapUsedBytes / 2 ** 20).toFixed(1)} MB (peak ${(sqliteResult.peakHeapUsedBytes / 2 ** 20).toFixed(1)} MB) with ${sqliteResult.pending.toLocaleString('en-US')} pending, in a process of its own (target: under 100 MB).`,
              'A restart finds the pending deliveries less the attempts in flight at close(): with retries: 0 those are dead-lettered (reason shutdown).',
            ]
          : []),
      ],
    }
  },
}
