import type { LifecycleSource } from './lifecycle-source.js'
import type { IntegrationStats } from './router-stats.js'
import type { TraceContext } from './trace-context.js'

/** What the router hands a {@link Telemetry} when it is built with it. */
export interface ObservedRouter extends LifecycleSource {
  /** The figures of every integration of every tenant, as `stats()` computes them: for gauges. */
  integrationStats(): readonly IntegrationStats[]
}

/**
 * What the `telemetry` option takes: `openTelemetry()` from `eventrouter/telemetry`, or your own.
 * The router depends on this contract only, never on `@opentelemetry/api`: a router built without
 * the option loads no telemetry code at all.
 *
 * With it, the router captures the active trace context at each `emit()` (and redelivery) into
 * the delivery records, records each attempt's method and redacted URL in its history, and calls
 * {@link Telemetry.attach} once, from its constructor.
 */
export interface Telemetry {
  /** The trace context active now (called once per `emit()`), or `undefined` for none. Must not throw. */
  captureContext(): TraceContext | undefined
  /**
   * Subscribes to the router's lifecycle events and registers what reads its figures. Returns
   * what undoes it, which `router.close()` calls once everything has settled.
   */
  attach(router: ObservedRouter): (() => void) | undefined
}
