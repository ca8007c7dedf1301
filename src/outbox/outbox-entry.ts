import type { Catalog } from '../catalog/catalog.js'
import { parseInput } from '../errors/parse-input.js'
import { ValidationError } from '../errors/validation-error.js'
import { assertEventName, describe, isEventName } from '../events/event-name.js'
import { NO_OPTIONS, readEmitOptions, toEpochMs } from '../router/router-input.js'
import { generateId, idSchema } from '../shared/ids.js'
import { isPlainObject } from '../shared/is-plain-object.js'
import { assertJsonData } from '../shared/json-data.js'
import { tenantSchema } from '../shared/scope.js'

/** Options of `outbox.publish()`: the options `emit()` will be given. */
export interface OutboxPublishOptions {
  /**
   * Event id, e.g. the primary key of the business record (1–128 chars of letters, digits,
   * `_ . : -`). The relay emits it as `options.id`, which makes relaying idempotent; a second
   * publish of an id the outbox holds (in the same tenant) writes nothing.
   * @default a generated id (UUID-shaped)
   */
  id?: string
  /**
   * The tenant (merchant) the event belongs to, as in `emit()`.
   * @default none: a platform event
   */
  tenant?: string
  /** When the event happened: a Date, an ISO-8601 string or epoch milliseconds. @default now */
  occurredAt?: Date | string | number
}

/** A checked event, ready to be written: every field as the outbox table holds it. */
export interface OutboxEntry {
  readonly id: string
  readonly tenant: string | null
  readonly name: string
  /** The payload as JSON text. */
  readonly payload: string
  /** ISO-8601, UTC. */
  readonly occurredAt: string
}

/**
 * Checks an event the way `emit()` will (name, plain JSON payload, the catalog's schema and the
 * JSON check of what it parsed, options) and returns it as the outbox keeps it. The payload kept
 * is the one given (the schema's input), so that the router, validating it again with the same
 * catalog, routes exactly what was checked here.
 *
 * @throws {ValidationError} naming the first bad field; nothing is written then.
 */
export function toOutboxEntry(
  name: unknown,
  payload: unknown,
  options: unknown,
  catalog: Catalog | undefined,
): OutboxEntry {
  if (!isEventName(name)) assertEventName(name, 'name')
  if (!isPlainObject(payload)) {
    throw new ValidationError('event', [
      { path: 'payload', message: `expected a plain JSON object, got ${describe(payload)}` },
    ])
  }
  // Written as JSON, so it must be JSON; with a catalog, what it parses must be too (as in emit()).
  assertJsonData(payload, 'payload', 'event')
  if (catalog) assertJsonData(catalog.validatePayload(name, payload), 'payload', 'event')
  const given = options === undefined ? NO_OPTIONS : readEmitOptions(options)
  const id = given.id === undefined ? generateId() : parseInput(idSchema, given.id, 'event', 'options.id')
  const tenant =
    given.tenant === undefined ? null : parseInput(tenantSchema, given.tenant, 'event', 'options.tenant')
  const occurredAt = new Date(toEpochMs(given.occurredAt)).toISOString()
  return { id, tenant, name, payload: JSON.stringify(payload), occurredAt }
}
