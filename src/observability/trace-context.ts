/**
 * The span that was active when an event was emitted, in W3C Trace Context form: plain JSON, so it
 * travels with the delivery record through any store and survives a restart. The router captures
 * it only when the `telemetry` option is set; without it, deliveries carry none.
 */
export interface TraceContext {
  /** The `traceparent` value: `00-<32 hex trace id>-<16 hex span id>-<2 hex flags>` (W3C Trace Context). */
  readonly traceparent: string
  /** The `tracestate` value of that span, when it had one. */
  readonly tracestate?: string
}

/** The parts of a `traceparent`. */
export interface TraceparentParts {
  readonly traceId: string
  readonly spanId: string
  /** Trace flags: bit 0 is `sampled`. */
  readonly traceFlags: number
}

// W3C Trace Context level 1: version 00, lower-case hex; all-zero ids are invalid.
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/
const ZERO_TRACE = '0'.repeat(32)
const ZERO_SPAN = '0'.repeat(16)

/** The `traceparent` of a span, or `undefined` when its ids are not valid W3C ids. */
export function formatTraceparent(parts: TraceparentParts): string | undefined {
  const value = `00-${parts.traceId}-${parts.spanId}-${(parts.traceFlags & 0xff).toString(16).padStart(2, '0')}`
  return parseTraceparent(value) === undefined ? undefined : value
}

/** The parts of a `traceparent`, or `undefined` when it is not one (a record edited by hand, another version). */
export function parseTraceparent(value: unknown): TraceparentParts | undefined {
  if (typeof value !== 'string') return undefined
  const match = TRACEPARENT.exec(value)
  if (!match) return undefined
  const [, traceId, spanId, flags] = match as unknown as [string, string, string, string]
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined
  return { traceId, spanId, traceFlags: Number.parseInt(flags, 16) }
}

/**
 * `result` with the trace context of the record it settles, so that lifecycle listeners (the
 * telemetry) can link the delivery to the emitting span; the same object when there is none.
 */
export function withTraceContext<T extends object>(
  result: T,
  record: { readonly traceContext?: TraceContext | undefined },
): T {
  const traceContext = record.traceContext
  return traceContext === undefined ? result : { ...result, traceContext }
}

const NO_TRACE_CONTEXT: { readonly traceContext?: TraceContext } = Object.freeze({})

/** `{ traceContext }` of a record that has one, to spread into a result built on the spot; else `{}`. */
export function traceContextOf(record: { readonly traceContext?: TraceContext | undefined }): {
  readonly traceContext?: TraceContext
} {
  return record.traceContext === undefined ? NO_TRACE_CONTEXT : { traceContext: record.traceContext }
}
