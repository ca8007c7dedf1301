import { createTraceState, type Link, type SpanContext } from '@opentelemetry/api'
import { parseTraceparent, type TraceContext } from '../trace-context.js'

/** The span context a stored trace context stands for, as a remote span (it may be another process's). */
export function spanContextOf(traceContext: TraceContext | undefined): SpanContext | undefined {
  if (traceContext === undefined) return undefined
  const parts = parseTraceparent(traceContext.traceparent)
  if (!parts) return undefined
  return {
    traceId: parts.traceId,
    spanId: parts.spanId,
    traceFlags: parts.traceFlags,
    isRemote: true,
    ...(typeof traceContext.tracestate === 'string' && traceContext.tracestate !== ''
      ? { traceState: createTraceState(traceContext.tracestate) }
      : {}),
  }
}

/** The link from a delivery's span to the span that emitted its event, if the record kept one. */
export function emitLinks(traceContext: TraceContext | undefined): Link[] {
  const context = spanContextOf(traceContext)
  return context ? [{ context }] : []
}
