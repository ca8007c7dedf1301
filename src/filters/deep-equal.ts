import { isPlainObject } from '../shared/is-plain-object.js'
import type { FilterValue } from './filter.js'

/**
 * Whether a payload value equals a filter literal: same primitive (`0` equals `-0`), or arrays
 * of equal elements in the same order, or plain objects with the same keys and equal values.
 *
 * Key order does not matter, unlike MongoDB where `{ a: 1, b: 2 }` and `{ b: 2, a: 1 }` differ:
 * payload key order is an accident of how the host built the object, not data. Properties
 * holding `undefined` count as absent, as in JSON. Recursion follows the literal, whose depth
 * `parseFilter` bounds, so a cyclic payload cannot loop.
 */
export function deepEqual(value: unknown, literal: FilterValue): boolean {
  if (value === literal) return true
  if (typeof literal !== 'object' || literal === null) return false
  if (Array.isArray(literal)) {
    if (!Array.isArray(value) || value.length !== literal.length) return false
    for (let index = 0; index < literal.length; index++) {
      if (!deepEqual(value[index], literal[index] as FilterValue)) return false
    }
    return true
  }
  if (!isPlainObject(value)) return false
  const entries = literal as { readonly [key: string]: FilterValue }
  let expectedKeys = 0
  for (const key in entries) {
    if (!Object.hasOwn(entries, key)) continue
    expectedKeys++
    if (!Object.hasOwn(value, key) || !deepEqual(value[key], entries[key] as FilterValue)) return false
  }
  let actualKeys = 0
  for (const key in value) if (Object.hasOwn(value, key) && value[key] !== undefined) actualKeys++
  return actualKeys === expectedKeys
}
