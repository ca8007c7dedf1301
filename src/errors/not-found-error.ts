import { EventRouterError } from './event-router-error.js'

/** What kind of thing could not be found. */
export type ResourceKind = 'integration' | 'subscription' | 'adapter' | 'dead letter'

/** Thrown when an id (integration, subscription) or an adapter type is not known to the router. */
export class NotFoundError extends EventRouterError {
  /** What was looked up. */
  readonly resource: ResourceKind
  /** The id or type that was not found. */
  readonly id: string
  /** The input field that carried the id, e.g. `integrationId`. */
  readonly field: string

  constructor(resource: ResourceKind, id: string, field: string, hint = '') {
    super('ERR_NOT_FOUND', `Unknown ${resource} \`${id}\` (${field}).${hint ? ` ${hint}` : ''}`)
    this.name = 'NotFoundError'
    this.resource = resource
    this.id = id
    this.field = field
  }
}
