import { EventRouterError } from './event-router-error.js'

/**
 * Thrown when a change would break the router's consistency: a duplicate id, or removing
 * an integration that subscriptions still use. Nothing was changed.
 */
export class ConflictError extends EventRouterError {
  /** The input field at fault, e.g. `id`. */
  readonly field: string

  constructor(code: 'ERR_DUPLICATE_ID' | 'ERR_INTEGRATION_IN_USE', field: string, message: string) {
    super(code, message)
    this.name = 'ConflictError'
    this.field = field
  }
}
