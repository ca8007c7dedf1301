import type { DeadLetter, ResolvedDeadLetterQuery } from './dead-letter.js'

/**
 * Where dead letters are kept. The default, {@link memoryDeadLetterStore}, keeps them in
 * memory; implement this interface to persist them (a database table keyed by `id`). Each
 * method may return a promise. A store whose `add` throws or rejects does not lose the
 * letter silently: the router reports it on `error` as a `DeadLetterStoreError` carrying it.
 */
export interface DeadLetterStore {
  /** Stores a letter; replaces a letter with the same `id`. */
  add(letter: DeadLetter): void | Promise<void>
  /** The letters matching `query`, oldest first, at most `query.limit`. */
  list(query: ResolvedDeadLetterQuery): readonly DeadLetter[] | Promise<readonly DeadLetter[]>
  /** Removes the letters with these ids (ids not stored are ignored). */
  remove(ids: readonly string[]): void | Promise<void>
}
