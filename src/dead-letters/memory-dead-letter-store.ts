import type { DeadLetter, ResolvedDeadLetterQuery } from './dead-letter.js'
import { matchesQuery } from './dead-letter.js'
import type { DeadLetterStore } from './dead-letter-store.js'

/** Options of {@link memoryDeadLetterStore}. */
export interface MemoryDeadLetterStoreOptions {
  /**
   * Most letters kept. When full, `add` throws, and the router reports the letter it could
   * not keep on `error` (a `DeadLetterStoreError` with the letter): memory stays bounded and
   * nothing is dropped unreported.
   * @default 100000
   */
  maxLetters?: number
}

/** The default dead-letter store: letters in memory, oldest first, lost when the process exits. */
export function memoryDeadLetterStore(options: MemoryDeadLetterStoreOptions = {}): DeadLetterStore {
  const maxLetters = options.maxLetters ?? 100_000
  if (!Number.isSafeInteger(maxLetters) || maxLetters < 1) {
    throw new TypeError(`Expected \`maxLetters\` to be a positive integer, got \`${String(maxLetters)}\`.`)
  }
  const letters = new Map<string, DeadLetter>()
  return {
    add(letter) {
      if (letters.size >= maxLetters && !letters.has(letter.id)) {
        throw new RangeError(`the in-memory dead-letter store is full (maxLetters: ${maxLetters})`)
      }
      // Re-inserted at the end: the order is the order of dead-lettering.
      letters.delete(letter.id)
      letters.set(letter.id, letter)
    },
    list(query: ResolvedDeadLetterQuery) {
      const found: DeadLetter[] = []
      const limit = query.limit ?? Number.POSITIVE_INFINITY
      if (query.ids !== undefined) {
        for (const id of query.ids) {
          const letter = letters.get(id)
          if (letter && matchesQuery(letter, query) && found.length < limit) found.push(letter)
        }
        return found.sort((a, b) => Date.parse(a.deadLetteredAt) - Date.parse(b.deadLetteredAt))
      }
      for (const letter of letters.values()) {
        if (found.length >= limit) break
        if (matchesQuery(letter, query)) found.push(letter)
      }
      return found
    },
    remove(ids) {
      for (const id of ids) letters.delete(id)
    },
  }
}
