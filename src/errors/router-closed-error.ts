import { EventRouterError } from './event-router-error.js'

/** Thrown by `emit()` and by configuration changes once `close()` has been called. */
export class RouterClosedError extends EventRouterError {
  constructor(operation: string) {
    super('ERR_ROUTER_CLOSED', `Cannot ${operation}: the router is closed (close() was called).`)
    this.name = 'RouterClosedError'
  }
}
