import {
  type Context,
  type ContextManager,
  context,
  ROOT_CONTEXT,
  type Span,
  trace,
} from '@opentelemetry/api'
import { ExportResultCode } from '@opentelemetry/core'
import {
  AggregationTemporality,
  MeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
} from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base'
import type { EventRouter, Telemetry } from '../../src/index.js'
import {
  type Build,
  baselineRef,
  loadBaseline,
  loadBuild,
  loadBuildCopy,
  loadPatchedBuild,
} from '../lib/load-build.js'
import { noopTransport } from '../lib/noop-transports.js'
import type { Row } from '../lib/report.js'
import {
  collectGarbage,
  formatRatio,
  median,
  type RatioSummary,
  range,
  rotate,
  roundsFromEnv,
  summarizeRatio,
} from '../lib/stats.js'
import type { Suite } from '../lib/suite.js'

/*
 * What telemetry costs per delivery, in CPU time (process.cpuUsage: user + system, every thread,
 * GC included), through a no-op transport so that what is left is the router's own work:
 *
 * - "without observability": src/ with bench/baselines/without-observability.patch applied, which
 *   cuts out issue 15's per-delivery hooks (the stats counters' listeners, the trace context a
 *   record carries, the request summary of each attempt, the logger's and telemetry's listeners)
 *   and nothing else. The build before the feature (156b4a8) also lacks durable stores, tenants,
 *   batching and more, so it would measure those too; BENCH_BASELINE=156b4a8 adds it as a fourth
 *   contender for reference.
 * - "telemetry off": the current build, no `telemetry` and no `logger` (the default).
 * - "tracing + metrics": `openTelemetry()` on the OpenTelemetry SDK (BasicTracerProvider with a
 *   BatchSpanProcessor, MeterProvider with a periodic reader), both exporters no-ops, flushed inside
 *   the measured window so that the processors' and the metric collection's work is counted. It
 *   runs on a second instance of the current build (loadBuildCopy): sharing one with "telemetry
 *   off" made V8's inline caches see both shapes of records and results, and measured "telemetry
 *   off" 6-8 % slower than a process without tracing runs it.
 */

const PAYLOAD = Object.freeze({
  coins: 150,
  balance: 1200,
  reason: 'order',
  customer: Object.freeze({ id: 'cus_1', tier: 'gold', country: 'FR' }),
})
const EVENT = 'wallet.coins_rewarded'
const PATCH = 'bench/baselines/without-observability.patch'

/**
 * A synchronous context manager: `with()` makes a context active for the call only. emit()
 * captures the active span synchronously, so this is all the link to the emitting span needs,
 * without AsyncLocalStorage: its promise hooks would slow every contender of this one process
 * alike (a host on the Node SDK pays them whether or not eventrouter is there).
 */
class SyncContextManager implements ContextManager {
  #active: Context = ROOT_CONTEXT
  active(): Context {
    return this.#active
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    scope: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const previous = this.#active
    this.#active = scope
    try {
      return fn.call(thisArg, ...args)
    } finally {
      this.#active = previous
    }
  }
  bind<T>(_scope: Context, target: T): T {
    return target
  }
  enable(): this {
    return this
  }
  disable(): this {
    this.#active = ROOT_CONTEXT
    return this
  }
}

/** Accepts every span and drops it. Counts them, to prove none was dropped before export. */
class NoopSpanExporter implements SpanExporter {
  exported = 0
  export(spans: Parameters<SpanExporter['export']>[0], done: Parameters<SpanExporter['export']>[1]): void {
    this.exported += spans.length
    done({ code: ExportResultCode.SUCCESS })
  }
  async shutdown(): Promise<void> {}
}

const noopMetricExporter: PushMetricExporter = {
  export: (_metrics, done) => done({ code: ExportResultCode.SUCCESS }),
  forceFlush: async () => {},
  shutdown: async () => {},
  selectAggregationTemporality: () => AggregationTemporality.CUMULATIVE,
}

/** One router to measure, and what its measured window must also include. */
interface Contender {
  readonly name: string
  readonly router: EventRouter
  /** Runs `emitAll` as the host would (inside a span for the traced contender). */
  around(emitAll: () => void): void
  /** Work the telemetry left for later (export, collection), done inside the window. */
  flush(): Promise<void>
  /** Spans exported so far, for the traced contender. */
  spans(): number | undefined
  close(): Promise<void>
}

const failures: unknown[] = []

function plainRouter(build: Build, telemetry?: Telemetry) {
  const { EventRouter, webhookAdapter } = build.eventrouter
  const router = new EventRouter({
    adapters: [webhookAdapter()],
    transport: noopTransport,
    retry: { retries: 0 },
    timeoutMs: 60_000,
    ...(telemetry ? { telemetry } : {}),
  })
  router.integrations.add({
    id: 'hook',
    type: 'webhook',
    // Unsigned; before `signing` existed (156b4a8), a webhook without a secret was unsigned.
    config:
      build.isBaseline && build.telemetry === undefined
        ? { url: 'http://127.0.0.1:9/hooks' }
        : { url: 'http://127.0.0.1:9/hooks', signing: false },
  })
  // Every delivery makes a request and succeeds: a failed one would do less work.
  router.subscriptions.create({ event: EVENT, integrationId: 'hook', filter: { coins: { $gte: 100 } } })
  router.on('deliveryFailed', (result) => {
    failures.push(
      new Error(`telemetry benchmark: a delivery failed (${result.reason}): ${result.error.message}`),
    )
  })
  return router
}

function untraced(name: string, build: Build): Contender {
  const router = plainRouter(build)
  return {
    name,
    router,
    around: (emitAll) => emitAll(),
    flush: async () => {},
    spans: () => undefined,
    close: () => router.close({ timeoutMs: 0 }),
  }
}

function traced(name: string, build: Build, batchSize: number): Contender {
  if (!build.telemetry)
    throw new Error(`telemetry benchmark: the ${build.label} build has no eventrouter/telemetry`)
  const exporter = new NoopSpanExporter()
  // Room for every span of a batch: the processor must not drop spans (which would be cheaper).
  const processor = new BatchSpanProcessor(exporter, {
    maxQueueSize: 4 * batchSize + 2048,
    maxExportBatchSize: 512,
  })
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [processor] })
  const reader = new PeriodicExportingMetricReader({
    exporter: noopMetricExporter,
    exportIntervalMillis: 3_600_000,
  })
  const meterProvider = new MeterProvider({ readers: [reader] })
  const router = plainRouter(build, build.telemetry.openTelemetry({ tracerProvider, meterProvider }))
  const host = tracerProvider.getTracer('bench-host')
  return {
    name,
    router,
    around(emitAll) {
      // The host's request span, active while it emits: each delivery links to it.
      const span: Span = host.startSpan('POST /orders')
      context.with(trace.setSpan(ROOT_CONTEXT, span), emitAll)
      span.end()
    },
    flush: async () => {
      await tracerProvider.forceFlush()
      await reader.forceFlush()
    },
    spans: () => exporter.exported,
    close: async () => {
      await router.close({ timeoutMs: 0 })
      await tracerProvider.shutdown()
      await meterProvider.shutdown()
    },
  }
}

const cpuNs = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) * 1000

/** CPU ns per delivery of `batches` batches of `batchSize` emits, each drained and flushed. */
async function measure(contender: Contender, batches: number, batchSize: number): Promise<number> {
  const { router } = contender
  collectGarbage()
  const start = process.cpuUsage()
  for (let batch = 0; batch < batches; batch++) {
    contender.around(() => {
      for (let index = 0; index < batchSize; index++) router.emit(EVENT, PAYLOAD)
    })
    await router.onIdle()
    await contender.flush()
    if (failures.length > 0) throw failures[0]
  }
  return cpuNs(process.cpuUsage(start)) / (batches * batchSize)
}

export const telemetrySuite: Suite = {
  name: 'telemetry',
  description:
    'router CPU per delivery through a no-op transport: without issue 15, telemetry off, tracing + metrics on the SDK',
  async run({ quick }) {
    const rounds = quick ? 2 : roundsFromEnv(11)
    const batches = quick ? 2 : 20
    const batchSize = quick ? 50 : 500
    const previous = context.setGlobalContextManager(new SyncContextManager())
    if (!previous) throw new Error('telemetry benchmark: a global context manager was already set')

    const current = await loadBuild()
    const patched = await loadPatchedBuild(PATCH, 'without observability')
    // Its own instance of the same build: see loadBuildCopy.
    const tracedBuild = await loadBuildCopy('current (copy for tracing)')
    const reference = baselineRef() === undefined ? undefined : await loadBaseline()
    const contenders: Contender[] = [
      untraced('without observability', patched),
      untraced('telemetry off', current),
      traced('tracing + metrics (SDK, no-op exporters)', tracedBuild, batchSize),
      ...(reference ? [untraced(`${reference.label} (reference)`, reference)] : []),
    ]
    const samples = new Map<string, number[]>(contenders.map((item) => [item.name, []]))
    try {
      // Round 0 warms every contender up (JIT, pools) and is not kept.
      for (let round = 0; round <= rounds; round++) {
        for (const contender of rotate(contenders, round)) {
          const ns = await measure(contender, batches, batchSize)
          if (round > 0) samples.get(contender.name)!.push(ns)
        }
      }
    } finally {
      for (const contender of contenders) await contender.close()
      context.disable()
    }

    const tracedContender = contenders[2]!
    const deliveries = (rounds + 1) * batches * batchSize
    const spansExported = tracedContender.spans() ?? 0
    // A deliver span and an HTTP client span per delivery, plus the host's span per batch.
    const spansExpected = deliveries * 2 + (rounds + 1) * batches
    if (spansExported !== spansExpected) {
      throw new Error(`telemetry benchmark: ${spansExported} spans exported, expected ${spansExpected}`)
    }

    const base = samples.get('without observability')!
    const rows: Row[] = []
    const results: Record<string, unknown> = {}
    for (const contender of contenders) {
      const own = samples.get(contender.name)!
      const vs: RatioSummary | null =
        contender.name === 'without observability' ? null : summarizeRatio(own, base)
      rows.push({
        contender: contender.name,
        'CPU ns/delivery': Math.round(median(own)),
        'min–max': `${Math.round(range(own).min)}–${Math.round(range(own).max)}`,
        'over without observability': vs === null ? '1.00x' : formatRatio(vs),
      })
      results[contender.name] = { cpuNsPerDelivery: median(own), samples: own, overWithoutObservability: vs }
    }
    const off = summarizeRatio(samples.get('telemetry off')!, base)
    return {
      config: {
        rounds,
        batches,
        batchSize,
        deliveriesPerRound: batches * batchSize,
        baselinePatch: PATCH,
        builds: [current, patched, ...(reference ? [reference] : [])].map((built) => ({
          label: built.label,
          source: built.source,
        })),
      },
      tables: [
        { title: 'Router CPU per delivery (median of rounds, ratio: median of per-round ratios)', rows },
      ],
      results: { ...results, spansExported, telemetryOffWithin2Percent: off.median <= 1.02 },
      notes: [
        `"without observability" is the current src/ with ${PATCH} applied: the same router minus issue 15's per-delivery hooks (stats counters, trace context in records, request summaries, logger and telemetry listeners). It is the build without the feature that can be rebuilt from this repository at any commit. 156b4a8, the commit before the feature landed, also lacks durable stores, tenants, batching and more, so it measures those too: BENCH_BASELINE=156b4a8 adds it as a reference only.`,
        `telemetry off over without observability: ${formatRatio(off)} (target: within 1.02x).`,
        `"tracing + metrics": openTelemetry() on BasicTracerProvider + BatchSpanProcessor and MeterProvider + PeriodicExportingMetricReader, no-op exporters, flushed after each batch inside the measured window; ${spansExported.toLocaleString('en-US')} spans exported, none dropped. Emits run inside a host span (a synchronous context manager), so each delivery links to it.`,
        `CPU: process.cpuUsage() (user + system, every thread, GC included) over ${batches} batches of ${batchSize} emits, each drained, per delivery; ${rounds} rounds after a warm-up, contenders rotated from round to round.`,
      ],
    }
  },
}
