import { describe } from '../events/event-name.js'
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

  /** @param id what was looked up; anything that is not a string is described, never thrown on */
  constructor(resource: ResourceKind, id: unknown, field: string, hint = '') {
    const text = printable(id)
    super('ERR_NOT_FOUND', `Unknown ${resource} \`${text}\` (${field}).${hint ? ` ${hint}` : ''}`)
    this.name = 'NotFoundError'
    this.resource = resource
    this.id = text
    this.field = field
  }
}

/** The id as text: `String(id)` can throw (a null-prototype object, a revoked Proxy). */
function printable(id: unknown): string {
  if (typeof id === 'string') return id
  try {
    return String(id)
  } catch {
    return describe(id)
  }
}
