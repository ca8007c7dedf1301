import type { DeliveryFailed } from '../delivery/delivery.js'
import { DeadLetterStoreError } from '../errors/dead-letter-store-error.js'
import type { EventRouterError } from '../errors/event-router-error.js'
import { isoTimestamp } from '../events/iso-timestamp.js'
import type { Notify } from '../shared/notify.js'
import type { DeliveryRecord } from '../stores/store.js'
import type { StoreWriter } from '../stores/store-writer.js'
import type { DeadLetter } from './dead-letter.js'
import type { DeadLetterStore } from './dead-letter-store.js'

/** The lifecycle events the sink sends. */
export interface DeadLetterEvents {
  deliveryDeadLettered: [letter: DeadLetter]
  error: [error: EventRouterError]
}

/**
 * Turns deliveries that failed for good (or were parked) into dead letters and keeps them: in the
 * router's store, in the same write that removes the pending delivery, so a crash keeps one or the
 * other; or in the `deadLetterStore` the host passed, and then the pending delivery is removed. A
 * letter that cannot be kept is reported on `error` as a `DeadLetterStoreError` carrying it.
 */
export class DeadLetterSink {
  readonly #writer: StoreWriter
  readonly #separate: DeadLetterStore | undefined
  readonly #notify: Notify<DeadLetterEvents>

  /** @param separate the host's own dead-letter store, when it passed one */
  constructor(writer: StoreWriter, separate: DeadLetterStore | undefined, notify: Notify<DeadLetterEvents>) {
    this.#writer = writer
    this.#separate = separate
    this.#notify = notify
  }

  /** Keeps the dead letter of `record`; `done` is called once it is kept or reported. */
  keep(record: DeliveryRecord, result: DeliveryFailed, done: () => void): void {
    const letter = toDeadLetter(record, result)
    const stored = () => {
      this.#notify('deliveryDeadLettered', letter)
      done()
    }
    const refused = (error: unknown) => {
      this.#notify('error', new DeadLetterStoreError(letter, error))
      done()
    }
    const removePending = { type: 'deleteDelivery', id: record.id } as const
    const separate = this.#separate
    if (!separate) {
      this.#writer.soon([{ type: 'putDeadLetter', letter }, removePending], 'keep a dead letter', (error) =>
        error ? refused(error) : stored(),
      )
      return
    }
    // The host's store and ours cannot share a transaction: the letter first, then the pending delivery goes.
    const removed = () => this.#writer.soon([removePending], 'remove a settled delivery')
    try {
      const added = separate.add(letter)
      if (isThenable(added)) {
        added.then(
          () => {
            removed()
            stored()
          },
          (error: unknown) => {
            removed()
            refused(error)
          },
        )
        return
      }
      removed()
      stored()
    } catch (error) {
      removed()
      refused(error)
    }
  }
}

/** The dead letter of a failed delivery: plain JSON, with its event and every attempt. */
export function toDeadLetter(record: DeliveryRecord, result: DeliveryFailed): DeadLetter {
  const { delivery } = result
  return {
    id: delivery.id,
    delivery,
    event: {
      tenant: record.event.tenant,
      id: record.event.id,
      name: record.event.name,
      outgoingName: record.event.outgoingName,
      payload: record.event.payload,
      occurredAt: isoTimestamp(record.event.occurredAt),
    },
    reason: result.reason,
    error: { code: result.error.code, message: result.error.message, status: result.error.status ?? null },
    history: result.history,
    deadLetteredAt: new Date().toISOString(),
    redeliveries: record.redeliveries,
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null && typeof value === 'object' && typeof (value as PromiseLike<unknown>).then === 'function'
  )
}
