import { scopedKey } from '../../shared/scope.js'
import type { StoreOperation } from '../store.js'
import { scopedField, tenantField } from './redis-keys.js'

/** A batch as the write script takes it: one flat list of strings, and whether it touches the configuration or health. */
export interface EncodedBatch {
  readonly args: string[]
  readonly configuration: boolean
  readonly health: boolean
}

const CONFIGURATION: ReadonlySet<string> = new Set<StoreOperation['type']>([
  'putIntegration',
  'deleteIntegration',
  'putSubscription',
  'deleteSubscription',
  'putEventSwitch',
])

/**
 * Encodes `operations` for the write script (`WRITE_SCRIPT`): each as a two-letter type and
 * its arguments. Throws a `TypeError` for an operation of unknown type, before anything is sent.
 */
export function encodeOperations(operations: readonly StoreOperation[]): EncodedBatch {
  const args: string[] = []
  let configuration = false
  let health = false
  for (const operation of operations) {
    if (CONFIGURATION.has(operation.type)) configuration = true
    if (operation.type === 'putHealth' || operation.type === 'deleteHealth') health = true
    switch (operation.type) {
      case 'putIntegration': {
        const { integration } = operation
        args.push('pi', scopedField(integration.tenant, integration.id), JSON.stringify(integration))
        break
      }
      case 'deleteIntegration':
        args.push('di', scopedField(operation.tenant, operation.id))
        break
      case 'putSubscription': {
        const { subscription } = operation
        args.push('ps', scopedField(subscription.tenant, subscription.id), JSON.stringify(subscription))
        break
      }
      case 'deleteSubscription':
        args.push('ds', scopedField(operation.tenant, operation.id))
        break
      case 'putEventSwitch': {
        const { tenant, name, enabled } = operation
        args.push('pe', scopedField(tenant, name), JSON.stringify({ tenant, name }), enabled ? '1' : '0')
        break
      }
      case 'putDelivery': {
        const { record, claimed } = operation
        args.push(
          'pd',
          record.id,
          record.queue,
          score(record.notBefore, 'notBefore'),
          JSON.stringify(record),
          claimed ? '1' : '0',
        )
        break
      }
      case 'deleteDelivery':
        args.push('dd', operation.id)
        break
      case 'putDeadLetter': {
        const { letter } = operation
        const at = Date.parse(letter.deadLetteredAt)
        args.push(
          'pl',
          letter.id,
          JSON.stringify(letter),
          score(at, 'deadLetteredAt'),
          tenantField(letter.delivery.tenant),
        )
        break
      }
      case 'deleteDeadLetter':
        args.push('dl', operation.id)
        break
      case 'putHealth': {
        const { health } = operation
        args.push('ph', scopedField(health.tenant, health.integrationId), JSON.stringify(health))
        break
      }
      case 'deleteHealth':
        // The router's key of the integration too: its fleet failure count goes with its health.
        args.push(
          'dh',
          scopedField(operation.tenant, operation.integrationId),
          scopedKey(operation.tenant, operation.integrationId),
        )
        break
      case 'putAcceptedEvent': {
        const { event } = operation
        args.push(
          'pa',
          scopedField(event.tenant, event.eventId),
          JSON.stringify(event),
          score(event.acceptedAt, 'acceptedAt'),
        )
        break
      }
      case 'pruneAcceptedEvents':
        args.push('pr', score(operation.before, 'before'))
        break
      default:
        throw new TypeError(
          `unknown store operation type \`${String((operation as { type?: unknown }).type)}\``,
        )
    }
  }
  return { args, configuration, health }
}

/** A time as a sorted-set score: finite, or the infinities Redis spells `+inf` and `-inf`. */
export function score(value: number, what: string): string {
  if (value === Number.POSITIVE_INFINITY) return '+inf'
  if (value === Number.NEGATIVE_INFINITY) return '-inf'
  if (!Number.isFinite(value)) throw new TypeError(`\`${what}\` must be a number of epoch ms, got ${value}`)
  return String(value)
}
