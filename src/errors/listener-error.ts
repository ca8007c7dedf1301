import { EventRouterError } from './event-router-error.js'

/** Reported on `error` when a lifecycle listener throws or rejects. Delivery goes on regardless. */
export class ListenerError extends EventRouterError {
  constructor(cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause)
    super('ERR_LISTENER', `A lifecycle listener failed: ${detail}`, { cause })
    this.name = 'ListenerError'
  }
}
