import {
  context,
  isSpanContextValid,
  type MeterProvider,
  metrics,
  type TracerProvider,
  trace,
} from '@opentelemetry/api'
import { z } from 'zod'
import { parseInput } from '../../errors/parse-input.js'
import { PACKAGE_VERSION } from '../../shared/package-version.js'
import type { Telemetry } from '../telemetry.js'
import { formatTraceparent, type TraceContext } from '../trace-context.js'
import { createInstruments, DeliveryMetrics } from './delivery-metrics.js'
import { DeliverySpans } from './delivery-spans.js'

/** Options of {@link openTelemetry}. */
export interface OpenTelemetryOptions {
  /**
   * Where spans go.
   * @default the global tracer provider (`trace.getTracerProvider()` of `@opentelemetry/api`)
   */
  tracerProvider?: TracerProvider
  /**
   * Where metrics go.
   * @default the global meter provider (`metrics.getMeterProvider()`)
   */
  meterProvider?: MeterProvider
  /** Whether to make spans (and capture the trace context at `emit()`). @default true */
  traces?: boolean
  /** Whether to record metrics. @default true */
  metrics?: boolean
}

/** The instrumentation scope name of the tracer and the meter. */
export const INSTRUMENTATION_SCOPE = 'eventrouter'

const optionsSchema = z.strictObject({
  tracerProvider: z
    .object({ getTracer: z.function() }, 'expected a TracerProvider (with getTracer)')
    .loose()
    .optional(),
  meterProvider: z
    .object({ getMeter: z.function() }, 'expected a MeterProvider (with getMeter)')
    .loose()
    .optional(),
  traces: z.boolean().optional(),
  metrics: z.boolean().optional(),
})

/**
 * OpenTelemetry for a router: `new EventRouter({ ..., telemetry: openTelemetry() })`.
 *
 * Traces: a `deliver <event name>` span per delivery, from its first attempt to its outcome, with a
 * child HTTP client span per attempt (`POST`, with `http.request.method`, `url.full` redacted,
 * `server.address`, `http.response.status_code`, `error.type`), linked to the span that was active
 * when `emit()` ran, across retries and restarts. Metrics: deliveries by outcome, attempts by
 * status class, `http.client.request.duration`, pending deliveries, attempts in flight and circuit
 * state per integration, throttling pauses and dead letters. Names and attributes are listed in
 * docs/observability.md.
 *
 * Depends on `@opentelemetry/api` only (an optional peer dependency): install it and an SDK. Set a
 * context manager (the Node SDK does) for the link to the emitting span. Throws `ValidationError`
 * naming an unknown or invalid option.
 */
export function openTelemetry(options: OpenTelemetryOptions = {}): Telemetry {
  parseInput(optionsSchema, options, 'openTelemetry options')
  const traced = options.traces ?? true
  const measured = options.metrics ?? true
  const tracer = traced
    ? (options.tracerProvider ?? trace.getTracerProvider()).getTracer(INSTRUMENTATION_SCOPE, PACKAGE_VERSION)
    : undefined
  const meter = measured
    ? (options.meterProvider ?? metrics.getMeterProvider()).getMeter(INSTRUMENTATION_SCOPE, PACKAGE_VERSION)
    : undefined
  const instruments = meter ? createInstruments(meter) : undefined
  return {
    captureContext: traced ? captureContext : () => undefined,
    attach(router) {
      const spans = tracer ? new DeliverySpans(tracer) : undefined
      spans?.listen(router)
      const stopObserving =
        meter && instruments
          ? new DeliveryMetrics(meter, instruments).listen(router, () => router.integrationStats())
          : undefined
      return () => {
        spans?.clear()
        stopObserving?.()
      }
    },
  }
}

/** The active span's context as W3C Trace Context, or `undefined` when no valid span is active. */
function captureContext(): TraceContext | undefined {
  const spanContext = trace.getSpanContext(context.active())
  if (!spanContext || !isSpanContextValid(spanContext)) return undefined
  const traceparent = formatTraceparent(spanContext)
  if (traceparent === undefined) return undefined
  const tracestate = spanContext.traceState?.serialize()
  return tracestate ? { traceparent, tracestate } : { traceparent }
}
