import type { DeadLetter } from '../dead-letters/dead-letter.js'
import { EventRouterError } from './event-router-error.js'

/**
 * Reported on the `error` lifecycle event when the dead-letter store refused a letter (its
 * `add` threw or rejected, e.g. the in-memory store is full or the database is down). The
 * letter is attached so the host can keep it some other way.
 */
export class DeadLetterStoreError extends EventRouterError {
  override readonly code = 'ERR_DEAD_LETTER_STORE' as const
  /** The letter that could not be stored. */
  readonly letter: DeadLetter

  constructor(letter: DeadLetter, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause)
    super(
      'ERR_DEAD_LETTER_STORE',
      `Dead letter for delivery ${letter.id} (integration \`${letter.delivery.integrationId}\`) could not be stored: ${why}`,
      { cause },
    )
    this.name = 'DeadLetterStoreError'
    this.letter = letter
  }
}
