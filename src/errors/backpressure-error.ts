import { EventRouterError } from './event-router-error.js'

/**
 * Thrown by `emit()` when `maxPending` deliveries are already pending and the backpressure
 * policy is `throw` (the default). Nothing was dispatched: emit later, use `emitAsync()`
 * (which waits for room), or choose the `deadLetter` policy.
 */
export class BackpressureError extends EventRouterError {
  override readonly code = 'ERR_BACKPRESSURE' as const
  /** Deliveries pending when the event was refused. */
  readonly pending: number
  /** The configured bound. */
  readonly maxPending: number
  /** Deliveries the refused event would have added. */
  readonly requested: number
  /**
   * The tenant whose own share (`tenants.maxPending`) was full, or `null` when the router's
   * `maxPending` was (then `pending` and `maxPending` are the router's).
   */
  readonly tenant: string | null

  constructor(pending: number, maxPending: number, requested: number, tenant?: string | null) {
    const limit =
      tenant === undefined || tenant === null
        ? `the limit is ${maxPending} (option maxPending)`
        : `tenant \`${tenant}\`'s share is ${maxPending} (option tenants.maxPending)`
    super(
      'ERR_BACKPRESSURE',
      `Cannot emit: ${pending} deliveries are pending and this event needs ${requested} more; ${limit}. Retry later, use emitAsync(), or set backpressure: 'deadLetter'.`,
    )
    this.name = 'BackpressureError'
    this.pending = pending
    this.maxPending = maxPending
    this.requested = requested
    this.tenant = tenant ?? null
  }
}
