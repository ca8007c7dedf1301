import { EventRouterError } from './event-router-error.js'

/**
 * Thrown by `emit()`, `emitAsync()`, test sends and redeliveries once `close()` has been
 * called. Integrations, subscriptions and dead letters can still be read and changed.
 */
export class RouterClosedError extends EventRouterError {
  constructor(operation: string) {
    super('ERR_ROUTER_CLOSED', `Cannot ${operation}: the router is closed (close() was called).`)
    this.name = 'RouterClosedError'
  }
}
