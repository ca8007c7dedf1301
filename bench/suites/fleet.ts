import { type ChildProcess, fork } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { EventRouter, Store } from '../../src/index.js'
// The tests' Redis helpers: the same server (127.0.0.1:6379), the same PING and key cleanup.
import { deletePrefix, pingRedis, REDIS_URL } from '../../test/support/redis.js'
import { type Build, loadBuild } from '../lib/load-build.js'
import { noopTransport } from '../lib/noop-transports.js'
import { type Receiver, startReceiver } from '../lib/receiver-process.js'
import type { Row } from '../lib/report.js'
import {
  collectGarbage,
  formatRatio,
  median,
  nsSince,
  range,
  rotate,
  roundsFromEnv,
  summarizeRatio,
} from '../lib/stats.js'
import type { Suite } from '../lib/suite.js'

/*
 * npm run bench -- fleet
 *   BENCH_QUICK=1             smoke sizes
 *   BENCH_FLEET_EVENTS=<n>    deliveries per throughput run (default 20,000)
 *   BENCH_ROUNDS=<n>          rounds (default 3)
 *
 * Throughput: each contender's deliveries are emitted first, then timed until the receiver
 * (bench/receiver.mjs, its own process, 127.0.0.1) saw every delivery id. Redis and SQLite: a
 * `deliver: false` process emits them into the store and exits; then the workers (real processes,
 * bench/lib/fleet-member.mjs, already loaded) are told to start, and the clock runs from that
 * word until the last id arrived, so it includes each worker's `start()` (connecting, reading
 * the configuration and the pending summary). Memory: one process emits and delivers (a memory
 * store cannot be shared); the clock starts when its emit loop returns.
 *
 * emit() cost: routers in this process over a no-op transport, each store side by side, emits
 * timed alone in batches and drained between them (as the routing suite does).
 */

const EVENT = 'wallet.coins_rewarded'
const PAYLOAD = Object.freeze({
  coins: 150,
  balance: 1200,
  reason: 'order',
  orderId: 'ord_8f3a2c91',
  customer: Object.freeze({ id: 'cus_4821', email: 'ana@example.com', tier: 'gold' }),
})
const MEMBER = join(dirname(fileURLToPath(import.meta.url)), '..', 'lib', 'fleet-member.mjs')
/** Attempts in flight per process: far above what the loopback receiver needs, so that pacing is not what is measured. */
const CONCURRENCY = 256
/** Longest one throughput run may take before the suite gives up on it. */
const RUN_TIMEOUT_MS = 300_000

type StoreKind = 'memory' | 'sqlite' | 'redis'

interface ThroughputContender {
  readonly name: string
  readonly store: StoreKind
  readonly workers: number
}

interface ThroughputRun {
  readonly deliveriesPerSecond: number
  readonly ms: number
  /** Requests the receiver got: more than the deliveries when some were sent twice. */
  readonly requests: number
  /** The slowest worker's `start()`, included in `ms` (Redis, SQLite). */
  readonly startMs: number | null
  /** How long the emitting process took to emit them (not included in `ms`). */
  readonly emitMs: number
}

type MemberMessage =
  | { type: 'loaded' }
  | { type: 'emitted'; ns: number; cpuUs: number }
  | { type: 'started'; at: number; ns?: number }

/** A fleet-member.mjs process. */
class Member {
  readonly #child: ChildProcess
  readonly #exited: Promise<unknown>
  #stderr = ''

  constructor(config: Record<string, unknown>) {
    this.#child = fork(MEMBER, [JSON.stringify(config)], {
      execArgv: [],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    })
    this.#child.stderr?.setEncoding('utf8')
    this.#child.stderr?.on('data', (chunk: string) => {
      this.#stderr += chunk
    })
    this.#exited = once(this.#child, 'exit')
  }

  /** The next message of `type`; fails with the process's stderr if it exits first. */
  next<T extends MemberMessage['type']>(type: T): Promise<Extract<MemberMessage, { type: T }>> {
    return new Promise((resolve, reject) => {
      const onMessage = (message: MemberMessage) => {
        if (message.type !== type) return
        this.#child.off('message', onMessage)
        resolve(message as Extract<MemberMessage, { type: T }>)
      }
      this.#child.on('message', onMessage)
      void this.#exited.then(() =>
        reject(new Error(`fleet-member exited before saying ${type}:\n${this.#stderr}`)),
      )
    })
  }

  go(): void {
    this.#child.send({ type: 'go' })
  }

  /** Tells it to close (disconnect) and waits until it exited. */
  async stop(): Promise<void> {
    if (this.#child.connected) this.#child.disconnect()
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 10_000)
    await this.#exited
    clearTimeout(timer)
  }
}

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`fleet benchmark: ${what} timed out`)), RUN_TIMEOUT_MS)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** One throughput run of a contender: its own store (a new prefix or file), `events` deliveries. */
async function throughputRun(
  contender: ThroughputContender,
  built: Build,
  receiver: Receiver,
  events: number,
  scratch: string,
  prefixes: string[],
): Promise<ThroughputRun> {
  const base = { buildDir: built.outDir, events, url: receiver.url, concurrency: CONCURRENCY }
  const members: Member[] = []
  try {
    if (contender.store === 'memory') {
      const solo = new Member({ ...base, role: 'solo', store: 'memory' })
      members.push(solo)
      await solo.next('loaded')
      const reached = receiver.expect(events)
      const started = solo.next('started')
      solo.go()
      const { at, ns = 0 } = await withTimeout(started, `${contender.name}: emit`)
      const end = await withTimeout(reached, `${contender.name}: ${events} deliveries`)
      const ms = end.at - at
      return {
        deliveriesPerSecond: events / (ms / 1000),
        ms,
        requests: end.requests,
        startMs: null,
        emitMs: ns / 1e6,
      }
    }
    const where =
      contender.store === 'redis'
        ? { redisUrl: REDIS_URL, prefix: `eventrouter-bench-fleet-${randomUUID().slice(0, 8)}` }
        : { sqlitePath: join(scratch, `fleet-${randomUUID().slice(0, 8)}.db`) }
    if ('prefix' in where) prefixes.push(where.prefix)
    const emitter = new Member({ ...base, ...where, role: 'emitter', store: contender.store })
    members.push(emitter)
    const emitted = await withTimeout(emitter.next('emitted'), `${contender.name}: emit`)
    await emitter.stop()
    const workers = Array.from(
      { length: contender.workers },
      () => new Member({ ...base, ...where, role: 'worker', store: contender.store }),
    )
    members.push(...workers)
    await Promise.all(workers.map((worker) => worker.next('loaded')))
    const reached = receiver.expect(events)
    const started = Promise.all(workers.map((worker) => worker.next('started')))
    const at = performance.timeOrigin + performance.now()
    for (const worker of workers) worker.go()
    const starts = await withTimeout(started, `${contender.name}: start()`)
    const end = await withTimeout(reached, `${contender.name}: ${events} deliveries`)
    const ms = end.at - at
    return {
      deliveriesPerSecond: events / (ms / 1000),
      ms,
      requests: end.requests,
      startMs: Math.max(...starts.map((start) => start.at - at)),
      emitMs: emitted.ns / 1e6,
    }
  } finally {
    await Promise.all(members.map((member) => member.stop()))
  }
}

/** What one timed pass of emits measured. */
interface EmitTiming {
  readonly emitNs: number
  /** process.cpuUsage() of the emit loops alone (every thread of this process, the store's included), per emit. */
  readonly emitCpuNs: number
}

interface EmitCase {
  readonly store: StoreKind
  readonly router: EventRouter
  close(): Promise<void>
}

async function emitCase(
  built: Build,
  store: StoreKind,
  scratch: string,
  prefixes: string[],
): Promise<EmitCase> {
  const { EventRouter, webhookAdapter } = built.eventrouter
  let chosen: Store | undefined
  if (store === 'sqlite') chosen = built.sqlite?.sqliteStore({ path: join(scratch, 'emit.db') })
  if (store === 'redis') {
    const prefix = `eventrouter-bench-fleet-emit-${randomUUID().slice(0, 8)}`
    prefixes.push(prefix)
    chosen = built.redis?.redisStore({ connection: REDIS_URL, prefix })
  }
  const router = new EventRouter({
    adapters: [webhookAdapter()],
    transport: noopTransport,
    retry: { retries: 0 },
    timeoutMs: 60_000,
    maxPending: 1_000_000,
    ...(chosen ? { store: chosen, secrets: 'plaintext' as const } : {}),
  })
  if (chosen) await router.start()
  router.integrations.add({
    id: 'hook',
    type: 'webhook',
    config: { url: 'http://127.0.0.1:9/hooks', signing: false },
    pacing: { concurrency: CONCURRENCY },
  })
  router.subscriptions.create({ event: EVENT, integrationId: 'hook' })
  return { store, router, close: () => router.close({ timeoutMs: 0 }) }
}

const cpuNs = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) * 1000

/** `batches` batches of `batchSize` emits, each timed alone, the deliveries drained between them. */
async function timeEmits({ router }: EmitCase, batches: number, batchSize: number): Promise<EmitTiming> {
  let emitNs = 0
  let emitCpu = 0
  for (let batch = 0; batch < batches; batch++) {
    const cpu = process.cpuUsage()
    const start = process.hrtime.bigint()
    for (let index = 0; index < batchSize; index++) router.emit(EVENT, PAYLOAD)
    emitNs += nsSince(start)
    emitCpu += cpuNs(process.cpuUsage(cpu))
    await router.onIdle()
    await new Promise((resolve) => setImmediate(resolve))
  }
  const emits = batches * batchSize
  return { emitNs: emitNs / emits, emitCpuNs: emitCpu / emits }
}

export const fleetSuite: Suite = {
  name: 'fleet',
  description:
    'Deliveries/s with the Redis store and 1, 2, 4 worker processes vs the memory and SQLite stores; emit() cost per store',
  async run({ quick }) {
    const built = await loadBuild()
    if (!built.sqlite) throw new Error(`fleet benchmark: ${built.label} has no SQLite store`)
    const rounds = roundsFromEnv(quick ? 1 : 3)
    const events = quick ? 200 : Number(process.env.BENCH_FLEET_EVENTS ?? 20_000)
    const emitBatches = quick ? 2 : 20
    const emitBatchSize = quick ? 100 : 1000
    const redisUp = built.redis !== undefined && (await pingRedis())
    const notes: string[] = []
    if (!redisUp) {
      const why = built.redis ? 'no Redis answers on 127.0.0.1:6379' : `${built.label} has no Redis store`
      notes.push(`Redis contenders skipped: ${why}.`)
      console.log(`  Redis contenders skipped: ${why}.`)
    }
    const contenders: ThroughputContender[] = [
      { name: 'memory, 1 process', store: 'memory', workers: 1 },
      { name: 'sqlite, 1 worker', store: 'sqlite', workers: 1 },
      ...(redisUp
        ? [1, 2, 4].map((workers) => ({
            name: `redis, ${workers} worker${workers === 1 ? '' : 's'}`,
            store: 'redis' as const,
            workers,
          }))
        : []),
    ]
    const stores: StoreKind[] = ['memory', 'sqlite', ...(redisUp ? (['redis'] as const) : [])]

    const scratch = mkdtempSync(join(os.tmpdir(), 'eventrouter-bench-fleet-'))
    const prefixes: string[] = []
    const receiver = await startReceiver()
    const runs = new Map<string, ThroughputRun[]>(contenders.map((contender) => [contender.name, []]))
    const emitSamples = new Map<StoreKind, EmitTiming[]>(stores.map((store) => [store, []]))
    try {
      for (let round = 0; round < rounds; round++) {
        for (const contender of rotate(contenders, round)) {
          collectGarbage()
          const run = await throughputRun(contender, built, receiver, events, scratch, prefixes)
          runs.get(contender.name)?.push(run)
        }
      }
      // emit() cost: every store's router open at once, run back to back in each round, rotated.
      const cases: EmitCase[] = []
      try {
        for (const store of stores) cases.push(await emitCase(built, store, scratch, prefixes))
        for (const item of cases) await timeEmits(item, 1, emitBatchSize) // warm-up
        for (let round = 0; round < rounds; round++) {
          for (const item of rotate(cases, round)) {
            collectGarbage()
            emitSamples.get(item.store)?.push(await timeEmits(item, emitBatches, emitBatchSize))
          }
        }
      } finally {
        for (const item of cases) await item.close()
      }
    } finally {
      await receiver.close()
      rmSync(scratch, { recursive: true, force: true })
      if (redisUp) await Promise.all(prefixes.map((prefix) => deletePrefix(prefix)))
    }

    const rate = (name: string) => (runs.get(name) ?? []).map((run) => run.deliveriesPerSecond)
    const memory = rate('memory, 1 process')
    const oneRedis = redisUp ? rate('redis, 1 worker') : undefined
    const results: Record<string, unknown> = {}
    const rows: Row[] = []
    for (const contender of contenders) {
      const own = runs.get(contender.name) ?? []
      const mine = rate(contender.name)
      const overMemory = summarizeRatio(mine, memory)
      const overOneRedis =
        contender.store === 'redis' && oneRedis !== undefined ? summarizeRatio(mine, oneRedis) : undefined
      const starts = own.flatMap((run) => (run.startMs === null ? [] : [run.startMs]))
      results[contender.name] = {
        store: contender.store,
        workers: contender.workers,
        deliveriesPerSecond: median(mine),
        spread: range(mine),
        overMemory,
        overOneRedisWorker: overOneRedis ?? null,
        extraRequests: own.reduce((sum, run) => sum + run.requests - events, 0),
        samples: own,
      }
      rows.push({
        contender: contender.name,
        'deliveries/s': Math.round(median(mine)),
        'min–max': `${Math.round(Math.min(...mine))}–${Math.round(Math.max(...mine))}`,
        'vs memory': formatRatio(overMemory),
        'vs 1 redis worker': overOneRedis ? formatRatio(overOneRedis) : '',
        'start() ms': starts.length > 0 ? median(starts) : '-',
        'emit s (not timed)': median(own.map((run) => run.emitMs)) / 1000,
      })
    }
    const emitRows: Row[] = []
    const emits: Record<string, unknown> = {}
    const memoryEmit = (emitSamples.get('memory') ?? []).map((sample) => sample.emitNs)
    for (const store of stores) {
      const samples = emitSamples.get(store) ?? []
      const ns = samples.map((sample) => sample.emitNs)
      const cpu = samples.map((sample) => sample.emitCpuNs)
      const overMemory = summarizeRatio(ns, memoryEmit)
      emits[store] = { emitNs: median(ns), emitCpuNs: median(cpu), spread: range(ns), overMemory, samples }
      emitRows.push({
        store,
        'ns/emit': median(ns),
        'CPU ns/emit': median(cpu),
        'emits/s': Math.round(1e9 / median(ns)),
        'vs memory': formatRatio(overMemory),
      })
    }
    results.emit = emits
    const cores = os.cpus().length
    return {
      config: {
        rounds,
        events,
        concurrencyPerProcess: CONCURRENCY,
        emitBatches,
        emitBatchSize,
        redis: redisUp ? REDIS_URL : null,
        contenders: contenders.map((contender) => contender.name),
        stores,
        cores,
      },
      tables: [
        {
          title: `Fleet throughput: ${events.toLocaleString('en-US')} deliveries emitted first, then timed until the receiver saw every id; median over ${rounds} rounds`,
          rows,
        },
        {
          title: `emit() cost per store, 1 subscription, ${emitBatches} x ${emitBatchSize} emits per round, median over ${rounds} rounds`,
          rows: emitRows,
        },
      ],
      results,
      notes: [
        ...notes,
        `This machine has ${cores} cores; the receiver, Redis and every worker share them: more workers than cores cannot add CPU, only waiting on the network overlapped.`,
        'Redis, SQLite: the clock starts when the (already loaded) workers are told to start, so it includes their start(); "start() ms" is the slowest worker\'s. Memory: from the end of its emit loop.',
        `Pacing: no rate limit, concurrency ${CONCURRENCY} per process; the receiver (its own process) answers 200 at once.`,
        '"CPU ns/emit": process.cpuUsage() of the emit loops (this process, every thread: the Redis store\'s thread too), not the Redis server\'s CPU.',
        'Ratios: median of per-round ratios (quartiles in brackets); > 1 is faster (deliveries/s) or costs more (ns/emit).',
      ],
    }
  },
}
