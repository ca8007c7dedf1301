import type { RoutedEvent } from '../events/routed-event.js'
import type { TraceContext } from '../observability/trace-context.js'
import type { DeliveryRecord, DeliveryRecordEvent } from '../stores/store.js'
import type { Delivery } from './delivery.js'
import type { RetryOptions } from './retry-options.js'

/** What a new pending delivery is made of. */
export interface NewDelivery {
  readonly delivery: Delivery
  /** The queue it waits in (see `queueOf`). */
  readonly queue: string
  readonly event: DeliveryRecordEvent
  /** Times it was redelivered from the dead letters. @default 0 */
  readonly redeliveries?: number
  /** The span active when it was made (telemetry), kept in the record. @default none */
  readonly traceContext?: TraceContext | undefined
}

/** A pending delivery as `emit()` (or a redelivery) makes it: due now, nothing attempted. */
export function newDeliveryRecord(
  input: NewDelivery,
  retry: Readonly<RetryOptions>,
  now: number,
): DeliveryRecord {
  const record: DeliveryRecord = {
    id: input.delivery.id,
    tenant: input.delivery.tenant,
    queue: input.queue,
    delivery: input.delivery,
    event: input.event,
    attempts: 0,
    retriesUsed: 0,
    throttledUsed: 0,
    history: [],
    notBefore: now,
    jitter: retry.randomize ? 1 + Math.random() : 1,
    redeliveries: input.redeliveries ?? 0,
    createdAt: now,
    firstAttemptAt: null,
  }
  return input.traceContext === undefined ? record : { ...record, traceContext: input.traceContext }
}

/**
 * The record as claimed for its next attempt: that attempt is counted now, before it is made, so
 * that a crash mid-attempt cannot make it uncounted. An attempt already counted without an outcome
 * (in flight when a process died, or counted before a retry wait) is the one made, not a new one.
 */
export function claimedForAttempt(record: DeliveryRecord, now: number): DeliveryRecord {
  const counted = record.attempts > record.history.length
  if (counted && record.firstAttemptAt !== null) return record
  return {
    ...record,
    attempts: counted ? record.attempts : record.history.length + 1,
    firstAttemptAt: record.firstAttemptAt ?? now,
  }
}

/** The event as adapters see it, for one delivery. */
export function routedEventOf(record: DeliveryRecord): RoutedEvent {
  const { event } = record
  return {
    id: event.id,
    name: event.name,
    outgoingName: event.outgoingName,
    payload: event.payload,
    occurredAt: new Date(event.occurredAt),
  }
}
