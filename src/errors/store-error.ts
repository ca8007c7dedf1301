import { EventRouterError } from './event-router-error.js'

/**
 * The store could not do what the router asked: the disk is full, the file is locked by another
 * router, corrupt or of a newer schema, the database is unreachable. Thrown by `emit()` (nothing
 * was dispatched then), by configuration changes (nothing changed) and by `start()`; reported on
 * `error` when a background write fails. `operation` says what was being done; `cause` is the
 * store's own error.
 */
export class StoreError extends EventRouterError {
  override readonly code = 'ERR_STORE' as const
  /** What the router was doing, e.g. `store the deliveries of event evt_1`. */
  readonly operation: string

  constructor(operation: string, message: string, options: { cause?: unknown } = {}) {
    super('ERR_STORE', `Could not ${operation}: ${message}`, options)
    this.name = 'StoreError'
    this.operation = operation
  }
}
