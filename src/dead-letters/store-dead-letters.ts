import type { Store } from '../stores/store.js'
import type { StoreWriter } from '../stores/store-writer.js'
import type { DeadLetterStore } from './dead-letter-store.js'

/**
 * The dead letters of the router's store, seen as a {@link DeadLetterStore}: what
 * `router.deadLetters` lists and discards when the host passed no `deadLetterStore` of its own.
 * Listing first writes what is batched, so a letter is listed as soon as it was reported.
 */
export function storeDeadLetters(store: Store, writer: StoreWriter): DeadLetterStore {
  return {
    add: (letter) => writer.now([{ type: 'putDeadLetter', letter }], `keep dead letter ${letter.id}`),
    list: async (query) => {
      await writer.flush()
      return store.listDeadLetters(query)
    },
    remove: (ids) =>
      writer.now(
        ids.map((id) => ({ type: 'deleteDeadLetter', id })),
        'remove dead letters',
      ),
  }
}
