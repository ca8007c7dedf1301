import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import ky from 'ky'
import { Agent, request } from 'undici'
import type { EventRouter, TransportRequest } from '../../src/index.js'
import { type Build, loadBuilds } from '../lib/load-build.js'
import { type Receiver, type ReceiverStats, startReceiver } from '../lib/receiver-process.js'
import type { Row } from '../lib/report.js'
import {
  formatRatio,
  median,
  pairedRatio,
  range,
  rotate,
  roundsFromEnv,
  summarizeRatio,
} from '../lib/stats.js'
import type { Suite } from '../lib/suite.js'

const EVENT = 'wallet.coins_rewarded'
const PAYLOAD = Object.freeze({
  coins: 150,
  balance: 1200,
  reason: 'order',
  orderId: 'ord_8f3a2c91',
  storeId: 'store_0042',
  campaign: 'spring-sale-2026',
  customer: Object.freeze({ id: 'cus_4821', email: 'ana@example.com', tier: 'gold', country: 'FR' }),
})

/** Sends one request (or delivers one event) and resolves when it has fully completed. */
type SendOne = () => Promise<void>

/** One way of sending: a raw client, or the router over a transport built on it. */
interface Contender {
  readonly name: string
  readonly client: 'undici' | 'ky'
  readonly kind: 'raw' | 'eventrouter'
  /** The build a router contender runs; raw clients have none. */
  readonly build?: Build
  readonly store?: 'memory' | 'sqlite'
  open(url: string, template: TransportRequest): Promise<{ sendOne: SendOne; close: () => Promise<void> }>
}

/**
 * The router over one build's transport. `store: 'sqlite'` keeps its pending deliveries in a
 * SQLite file (WAL, synchronous normal) in a temporary directory of its own, removed at close.
 */
function routerContender(
  name: string,
  client: 'undici' | 'ky',
  built: Build,
  store: 'memory' | 'sqlite' = 'memory',
): Contender {
  // The receiver listens on 127.0.0.1: allow it through the address guard, which stays on so
  // that the figures include its cost, as users get it by default.
  const local = { allowedAddresses: ['127.0.0.1'] }
  // Raw ky keeps fetch's global pool, and its sockets, from one run to the next; so does this
  // contender's ky transport. Raw undici gets a new Agent per run, and so does undiciTransport().
  const sharedKy = client === 'ky' ? built.eventrouter.kyTransport(local) : undefined
  return {
    name,
    client,
    kind: 'eventrouter',
    build: built,
    store,
    async open(url) {
      const { EventRouter, webhookAdapter } = built.eventrouter
      const transport = sharedKy ?? built.undici.undiciTransport(local)
      let directory: string | undefined
      let router: EventRouter
      if (store === 'sqlite') {
        if (!built.sqlite) throw new Error(`delivery benchmark: ${built.label} has no SQLite store`)
        directory = mkdtempSync(join(os.tmpdir(), 'eventrouter-bench-delivery-'))
        router = new EventRouter({
          adapters: [webhookAdapter()],
          transport,
          retry: { retries: 0 },
          store: built.sqlite.sqliteStore({ path: join(directory, 'store.db') }),
          secrets: 'plaintext',
        })
        await router.start()
      } else {
        router = new EventRouter({ adapters: [webhookAdapter()], transport, retry: { retries: 0 } })
      }
      // Pacing off the path: the workers set the concurrency, as they do for the raw clients.
      router.integrations.add({
        id: 'receiver',
        type: 'webhook',
        config: { url, signing: false },
        pacing: { concurrency: 1024 },
      })
      router.subscriptions.create({ event: EVENT, integrationId: 'receiver' })
      return {
        sendOne: async () => {
          const [result] = await router.emit(EVENT, PAYLOAD).settled
          if (result?.status !== 'succeeded') throw result?.error ?? new Error('no delivery')
        },
        close: async () => {
          await router.close()
          if (transport !== sharedKy) await transport.close()
          if (directory !== undefined) rmSync(directory, { recursive: true, force: true })
        },
      }
    },
  }
}

const rawUndici: Contender = {
  name: 'undici.request (raw)',
  client: 'undici',
  kind: 'raw',
  async open(url, template) {
    // The Agent undiciTransport() creates by default: 64 sockets per origin, no pipelining.
    const dispatcher = new Agent({ connections: 64, pipelining: 1, keepAliveTimeout: 4000 })
    const options = {
      dispatcher,
      method: 'POST',
      headers: template.headers,
      body: template.body ?? '',
    } as const
    return {
      sendOne: async () => {
        const response = await request(url, options)
        await response.body.text()
        if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`)
      },
      close: () => dispatcher.close(),
    }
  },
}

/**
 * Raw undici with what issue #1 mandates per attempt and nothing else: a fresh AbortController
 * and a 10 s TTL timer. Shows how much of the gap to raw undici is that requirement alone.
 */
const rawUndiciWithTtl: Contender = {
  name: 'undici.request + TTL (raw)',
  client: 'undici',
  kind: 'raw',
  async open(url, template) {
    const dispatcher = new Agent({ connections: 64, pipelining: 1, keepAliveTimeout: 4000 })
    return {
      sendOne: async () => {
        const controller = new AbortController()
        const timer = setTimeout(() => controller.abort(), 10_000)
        try {
          const response = await request(url, {
            dispatcher,
            method: 'POST',
            headers: template.headers,
            body: template.body ?? '',
            signal: controller.signal,
          })
          await response.body.text()
          if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`)
        } finally {
          clearTimeout(timer)
        }
      },
      close: () => dispatcher.close(),
    }
  },
}

const rawKy: Contender = {
  name: 'ky (raw)',
  client: 'ky',
  kind: 'raw',
  async open(url, template) {
    const options = {
      headers: template.headers,
      body: template.body ?? '',
      retry: 0,
      timeout: false,
    } as const
    return {
      sendOne: async () => {
        const response = await ky.post(url, options)
        await response.text()
      },
      close: async () => {},
    }
  },
}

interface Run {
  readonly rps: number
  readonly failed: number
  readonly receiver: ReceiverStats
}

/**
 * Closed loop: `concurrency` workers each send one request, wait for it to complete, and send
 * the next. Completions are counted over `windowMs`, after `warmupMs` (connections opened,
 * code optimised). Time comes from hrtime: timers firing late on a busy machine do not skew it.
 */
async function measure(
  contender: Contender,
  receiver: Receiver,
  template: TransportRequest,
  concurrency: number,
  warmupMs: number,
  windowMs: number,
): Promise<Run> {
  const { sendOne, close } = await contender.open(receiver.url, template)
  receiver.reset()
  let stop = false
  let completed = 0
  let failed = 0
  let firstError: unknown
  const worker = async () => {
    while (!stop) {
      try {
        await sendOne()
        completed++
      } catch (error) {
        failed++
        firstError ??= error
      }
    }
  }
  const workers = Array.from({ length: concurrency }, worker)
  await sleep(warmupMs)
  const before = completed
  const start = process.hrtime.bigint()
  await sleep(windowMs)
  const done = completed - before
  const elapsedNs = Number(process.hrtime.bigint() - start)
  stop = true
  await Promise.all(workers)
  await close()
  if (failed > 0) console.warn(`  ${contender.name}: ${failed} failures, first: ${String(firstError)}`)
  return { rps: done / (elapsedNs / 1e9), failed, receiver: await receiver.stats() }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** BENCH_CONCURRENCY=16 or 1,16: the concurrencies to run, instead of 1, 16 and 64. */
function concurrenciesFromEnv(): number[] {
  const text = process.env.BENCH_CONCURRENCY
  if (text === undefined || text.trim() === '') return [1, 16, 64]
  const values = text.split(',').map((part) => Number(part.trim()))
  if (values.some((value) => !Number.isSafeInteger(value) || value < 1)) {
    throw new Error(
      `Expected BENCH_CONCURRENCY to be positive integers separated by commas, got \`${text}\`.`,
    )
  }
  return values
}

export const deliverySuite: Suite = {
  name: 'delivery',
  description: 'End-to-end deliveries/s to a loopback receiver in another process, vs the raw clients',
  async run({ quick }) {
    const concurrencies = concurrenciesFromEnv()
    const rounds = roundsFromEnv(quick ? 1 : 5)
    const warmupMs = quick ? 50 : 300
    const windowMs = quick ? 150 : 1000
    const builds = await loadBuilds()
    const [built, baseline] = builds as [Build, Build | undefined]
    const suffix = (build: Build) => (build.isBaseline ? ` [${build.label}]` : '')
    const receiver = await startReceiver()
    const routers = (client: 'undici' | 'ky') =>
      builds.map((build) =>
        routerContender(
          `eventrouter + ${client === 'undici' ? 'undiciTransport()' : 'kyTransport()'}${suffix(build)}`,
          client,
          build,
        ),
      )
    const undiciRouters = routers('undici')
    const sqliteRouter = built.sqlite
      ? routerContender('eventrouter + undiciTransport() + sqliteStore()', 'undici', built, 'sqlite')
      : undefined
    const contenders: Contender[] = [
      rawUndici,
      rawUndiciWithTtl,
      ...undiciRouters,
      ...(sqliteRouter ? [sqliteRouter] : []),
      rawKy,
      ...routers('ky'),
    ]
    // The raw clients send exactly what the webhook adapter builds for this event. (Not a literal
    // in the call: builds whose Delivery type has fields this one lacks still type-check.)
    const delivery = {
      tenant: null,
      id: '2f1c7e0a-5b7d-4c1e-9a43-0d6f1b8e2c55',
      eventId: 'evt_1',
      eventName: EVENT,
      outgoingName: EVENT,
      subscriptionId: 'sub_1',
      integrationId: 'receiver',
      integrationType: 'webhook',
    }
    const template = await built.eventrouter.webhookAdapter().buildRequest({
      event: { id: 'evt_1', name: EVENT, outgoingName: EVENT, payload: PAYLOAD, occurredAt: new Date() },
      config: { url: receiver.url, signing: false },
      delivery,
      attempt: 1,
    })

    const runs = new Map<string, Run[]>()
    const key = (contender: Contender, concurrency: number) => `${contender.name} @ c=${concurrency}`
    try {
      for (const concurrency of concurrencies) {
        for (let round = 0; round < rounds; round++) {
          for (const contender of rotate(contenders, round)) {
            const run = await measure(contender, receiver, template, concurrency, warmupMs, windowMs)
            runs.set(key(contender, concurrency), [...(runs.get(key(contender, concurrency)) ?? []), run])
          }
        }
      }
    } finally {
      await receiver.close()
    }

    /** The contender a router contender is compared with: the same router on the baseline, or on the memory store. */
    const twinOf = (
      contender: Contender,
    ): { twin: Contender; as: 'vsBaseline' | 'overMemoryStore' } | undefined => {
      if (contender.kind !== 'eventrouter' || contender.build?.isBaseline) return undefined
      if (contender.store === 'sqlite') return { twin: undiciRouters[0]!, as: 'overMemoryStore' }
      if (!baseline) return undefined
      const twin = contenders.find(
        (other) => other.build === baseline && other.client === contender.client && other.store === 'memory',
      )
      return twin ? { twin, as: 'vsBaseline' } : undefined
    }
    const rps = (contender: Contender, concurrency: number) =>
      runs.get(key(contender, concurrency))!.map((run) => run.rps)
    const rows: Row[] = []
    const results: Record<string, unknown> = {}
    for (const concurrency of concurrencies) {
      for (const contender of contenders) {
        const own = runs.get(key(contender, concurrency))!
        const mine = rps(contender, concurrency)
        const raw = rps(contender.client === 'undici' ? rawUndici : rawKy, concurrency)
        const overRaw = summarizeRatio(mine, raw)
        const sockets = median(own.map((run) => run.receiver.connections))
        const paired = twinOf(contender)
        const versus = paired ? summarizeRatio(mine, rps(paired.twin, concurrency)) : undefined
        results[key(contender, concurrency)] = {
          contender: contender.name,
          build: contender.build?.label ?? null,
          store: contender.store ?? null,
          concurrency,
          rps: median(mine),
          spread: range(mine),
          overRaw: contender.kind === 'raw' ? null : overRaw.median,
          overRawSpread: contender.kind === 'raw' ? null : overRaw,
          ...(paired && versus ? { [paired.as]: { against: paired.twin.name, ...versus } } : {}),
          failed: own.reduce((sum, run) => sum + run.failed, 0),
          socketsOpenedPerRun: sockets,
          samples: own,
        }
        rows.push({
          c: concurrency,
          client: contender.name,
          'req/s': Math.round(median(mine)),
          'min–max': `${Math.round(Math.min(...mine))}–${Math.round(Math.max(...mine))}`,
          'ours/raw': contender.kind === 'raw' ? '' : formatRatio(overRaw),
          'vs raw undici': `${pairedRatio(mine, rps(rawUndici, concurrency)).toFixed(2)}x`,
          'vs twin': versus
            ? `${formatRatio(versus)} ${paired?.as === 'vsBaseline' ? 'of baseline' : 'of memory store'}`
            : '',
          sockets,
        })
      }
    }
    return {
      config: {
        concurrencies,
        rounds,
        warmupMs,
        windowMs,
        requestBodyBytes: Buffer.byteLength(template.body ?? ''),
        requestHeaders: Object.keys(template.headers),
        routerRetry: { retries: 0 },
        builds: builds.map((build) => ({ label: build.label, source: build.source })),
      },
      tables: [{ title: `Delivery throughput, median req/s over ${rounds} rounds of ${windowMs} ms`, rows }],
      results,
      notes: [
        `Body: ${Buffer.byteLength(template.body ?? '')} bytes of JSON built by webhookAdapter (unsigned), same for raw clients.`,
        '"sockets": connections the receiver accepted during one run (median): keep-alive at work when it stays near c.',
        'Ratios: median of per-round ratios (quartiles in brackets); "vs twin": the same router on the baseline build, or on the memory store for sqliteStore(); > 1 is faster.',
      ],
    }
  },
}
