import { EventRouterError } from '../errors/event-router-error.js'

/**
 * Reported on a relay's `error` when the router refused an outbox event for good (its
 * `emit()` threw a `ValidationError`: a catalog the outbox did not check against, an event name
 * it does not know). The event is kept in the outbox table, marked failed with the message, and
 * is not retried: fix the cause and requeue it (docs/outbox.md). `cause` is the router's error.
 */
export class OutboxEventFailedError extends EventRouterError {
  override readonly code = 'ERR_OUTBOX_EVENT_FAILED' as const
  /** The event's id. */
  readonly eventId: string
  /** The event's tenant, or `null` for a platform event. */
  readonly tenant: string | null
  /** The event's name. */
  readonly eventName: string
  /** The outbox table that keeps it, as `schema.table`. */
  readonly table: string

  constructor(
    event: { readonly id: string; readonly tenant: string | null; readonly name: string },
    table: string,
    cause: unknown,
  ) {
    const detail = cause instanceof Error ? cause.message : String(cause)
    const owner = event.tenant === null ? '' : ` of tenant \`${event.tenant}\``
    super(
      'ERR_OUTBOX_EVENT_FAILED',
      `Outbox event \`${event.id}\` (\`${event.name}\`${owner}) was refused by the router and is kept as failed in ${table}: ${detail}`,
      { cause },
    )
    this.name = 'OutboxEventFailedError'
    this.eventId = event.id
    this.tenant = event.tenant
    this.eventName = event.name
    this.table = table
  }
}
