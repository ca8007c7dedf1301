import { EventRouterError } from './event-router-error.js'

/**
 * Thrown by a router on a durable store (`sqliteStore()`, ...) used before `await router.start()`
 * has loaded what the store holds: its configuration and what a previous process left pending.
 */
export class RouterNotStartedError extends EventRouterError {
  constructor(operation: string) {
    super(
      'ERR_NOT_STARTED',
      `Cannot ${operation}: the router has a durable store and is not started; call \`await router.start()\` first.`,
    )
    this.name = 'RouterNotStartedError'
  }
}
