/**
 * What a relay does about an error `emit()` threw:
 * - `refused`: the router will never take the event as it is (`ValidationError`: a bad name,
 *   payload or option). The row is marked failed, kept and reported, never retried.
 * - `closed`: the router is closed (`RouterClosedError`): no later attempt can succeed in this
 *   process. The row is left as it was and the relay stops.
 * - `retry`: anything else (`BackpressureError`, `StoreError`, `RouterNotStartedError`, an error
 *   of no known kind): the row is emitted again later, with backoff.
 *
 * Errors are told apart by `name` as well as code, so that an outbox and a router from two copies
 * of the package still understand each other.
 */
export type EmitFailure = 'refused' | 'closed' | 'retry'

export function classifyEmitFailure(error: unknown): EmitFailure {
  if (!(error instanceof Error)) return 'retry'
  const code = (error as { code?: unknown }).code
  if (error.name === 'ValidationError' && typeof code === 'string' && code.startsWith('ERR_'))
    return 'refused'
  if (error.name === 'RouterClosedError' && code === 'ERR_ROUTER_CLOSED') return 'closed'
  return 'retry'
}
