import { describeValue } from '../../shared/describe-value.js'
import type { StoreOperation } from '../store.js'
import type { SqliteStatements } from './sqlite-queries.js'
import { tenantKey } from './sqlite-schema.js'

/**
 * Applies one operation of a `write()` batch, inside the batch's transaction. Throws a
 * `TypeError` naming the field when a value the store keys or indexes on has the wrong type
 * (the caller rolls the whole batch back), and whatever the driver throws.
 */
export function applyOperation(statements: SqliteStatements, operation: StoreOperation): void {
  switch (operation.type) {
    case 'putDelivery': {
      const { record } = operation
      statements
        .get('putDelivery')
        .run(
          text(record.id, 'record.id'),
          text(record.queue, 'record.queue'),
          flag(operation.claimed, 'claimed'),
          time(record.notBefore, 'record.notBefore'),
          JSON.stringify(record),
        )
      return
    }
    case 'deleteDelivery':
      statements.get('deleteDelivery').run(text(operation.id, 'id'))
      return
    case 'putDeadLetter': {
      const { letter } = operation
      statements
        .get('putDeadLetter')
        .run(
          text(letter.id, 'letter.id'),
          tenant(letter.delivery?.tenant, 'letter.delivery.tenant'),
          text(letter.delivery?.integrationId, 'letter.delivery.integrationId'),
          text(letter.reason, 'letter.reason'),
          isoTime(letter.deadLetteredAt, 'letter.deadLetteredAt'),
          JSON.stringify(letter),
        )
      return
    }
    case 'deleteDeadLetter':
      statements.get('deleteDeadLetter').run(text(operation.id, 'id'))
      return
    case 'putHealth': {
      const { health } = operation
      statements
        .get('putHealth')
        .run(
          tenant(health.tenant, 'health.tenant'),
          text(health.integrationId, 'health.integrationId'),
          JSON.stringify(health),
        )
      return
    }
    case 'deleteHealth':
      statements
        .get('deleteHealth')
        .run(tenant(operation.tenant, 'tenant'), text(operation.integrationId, 'integrationId'))
      return
    case 'putIntegration': {
      const { integration } = operation
      statements
        .get('putIntegration')
        .run(
          tenant(integration.tenant, 'integration.tenant'),
          text(integration.id, 'integration.id'),
          JSON.stringify(integration),
        )
      return
    }
    case 'deleteIntegration':
      statements.get('deleteIntegration').run(tenant(operation.tenant, 'tenant'), text(operation.id, 'id'))
      return
    case 'putSubscription': {
      const { subscription } = operation
      statements
        .get('putSubscription')
        .run(
          tenant(subscription.tenant, 'subscription.tenant'),
          text(subscription.id, 'subscription.id'),
          JSON.stringify(subscription),
        )
      return
    }
    case 'deleteSubscription':
      statements.get('deleteSubscription').run(tenant(operation.tenant, 'tenant'), text(operation.id, 'id'))
      return
    case 'putEventSwitch': {
      // Only the events switched off are kept: switching one on forgets it.
      const statement = flag(operation.enabled, 'enabled') === 1 ? 'enableEvent' : 'disableEvent'
      statements.get(statement).run(tenant(operation.tenant, 'tenant'), text(operation.name, 'name'))
      return
    }
    case 'putAcceptedEvent': {
      const { event } = operation
      statements
        .get('putAcceptedEvent')
        .run(
          tenant(event.tenant, 'event.tenant'),
          text(event.eventId, 'event.eventId'),
          time(event.acceptedAt, 'event.acceptedAt'),
          JSON.stringify(event),
        )
      return
    }
    case 'pruneAcceptedEvents':
      statements.get('pruneAcceptedEvents').run(time(operation.before, 'before'))
      return
    default: {
      const type: unknown = (operation as { type?: unknown }).type
      throw new TypeError(`unknown operation type ${typeof type === 'string' ? `\`${type}\`` : String(type)}`)
    }
  }
}

function text(value: unknown, field: string): string {
  if (typeof value === 'string') return value
  throw new TypeError(`expected \`${field}\` to be a string, got ${describeValue(value)}`)
}

function tenant(value: unknown, field: string): string {
  if (value === null || typeof value === 'string') return tenantKey(value)
  throw new TypeError(`expected \`${field}\` to be a string or null, got ${describeValue(value)}`)
}

function time(value: unknown, field: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value
  throw new TypeError(`expected \`${field}\` to be a finite number (epoch ms), got ${describeValue(value)}`)
}

function isoTime(value: unknown, field: string): number {
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN
  if (Number.isFinite(ms)) return ms
  throw new TypeError(`expected \`${field}\` to be an ISO-8601 timestamp, got ${describeValue(value)}`)
}

function flag(value: unknown, field: string): 0 | 1 {
  if (typeof value === 'boolean') return value ? 1 : 0
  throw new TypeError(`expected \`${field}\` to be a boolean, got ${describeValue(value)}`)
}
