import { context } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import {
  AggregationTemporality,
  type DataPoint,
  type Histogram,
  MeterProvider,
  type MetricData,
  MetricReader,
} from '@opentelemetry/sdk-metrics'
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base'
import { openTelemetry } from '../../../src/observability/otel/index.js'

/** A metric reader the test collects from when it wants: cumulative, in memory. */
class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE })
  }
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

// The link to the emitting span needs a context manager, as an app's SDK setup registers one.
let contextManager: AsyncLocalStorageContextManager | undefined
function ensureContextManager(): void {
  if (contextManager) return
  contextManager = new AsyncLocalStorageContextManager().enable()
  context.setGlobalContextManager(contextManager)
}

/** An OpenTelemetry SDK in memory: the spans exported, the metrics collected on demand. */
export function otelSdk() {
  ensureContextManager()
  const exporter = new InMemorySpanExporter()
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
  const reader = new TestReader()
  const meterProvider = new MeterProvider({ readers: [reader] })
  const telemetry = openTelemetry({ tracerProvider, meterProvider })
  const spans = (): ReadableSpan[] => exporter.getFinishedSpans()
  /** Every metric collected now, by name. */
  const collect = async (): Promise<Map<string, MetricData>> => {
    const { resourceMetrics, errors } = await reader.collect()
    if (errors.length > 0) throw errors[0]
    const byName = new Map<string, MetricData>()
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric)
    }
    return byName
  }
  return { telemetry, tracerProvider, meterProvider, exporter, spans, collect }
}

/** The data points of a metric, or none. */
export function pointsOf(metric: MetricData | undefined): DataPoint<number | Histogram>[] {
  return (metric?.dataPoints ?? []) as DataPoint<number | Histogram>[]
}

/** The sum of a counter's points whose attributes include `where`. */
export function sumOf(metric: MetricData | undefined, where: Record<string, unknown> = {}): number {
  let total = 0
  for (const point of pointsOf(metric)) {
    if (Object.entries(where).every(([key, value]) => point.attributes[key] === value)) {
      total += typeof point.value === 'number' ? point.value : point.value.count
    }
  }
  return total
}
