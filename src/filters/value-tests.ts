import { compareByCodePoint, needsCodePointOrder } from './code-point-order.js'
import { deepEqual } from './deep-equal.js'
import type { FilterValue } from './filter.js'
import type { ComparisonOperator } from './filter-operators.js'
import type { TextTest } from './literal-pattern.js'
import type { Predicate } from './predicates.js'

/**
 * Tests of one value, without looking inside arrays (MongoDB's `matchesSingleElement`). The
 * path resolver decides which values to feed them; `undefined` stands for a missing field.
 */

/** Equality with a literal; `null` also matches a missing field, as in MongoDB. */
export function equalsTest(literal: FilterValue): Predicate {
  if (literal === null) return (value) => value === null || value === undefined
  if (typeof literal !== 'object') return (value) => value === literal
  return (value) => typeof value === 'object' && value !== null && deepEqual(value, literal)
}

/** Equality with any of `literals` (`$in`). Primitives are looked up in a `Set`. */
export function inTest(literals: readonly FilterValue[]): Predicate {
  const primitives = new Set<unknown>()
  const composites: FilterValue[] = []
  let matchesNull = false
  for (const literal of literals) {
    if (literal === null) matchesNull = true
    else if (typeof literal === 'object') composites.push(literal)
    else primitives.add(literal)
  }
  if (composites.length === 0) {
    return (value) => (value === null || value === undefined ? matchesNull : primitives.has(value))
  }
  return (value) => {
    if (value === null || value === undefined) return matchesNull
    if (typeof value !== 'object') return primitives.has(value)
    for (const composite of composites) if (deepEqual(value, composite)) return true
    return false
  }
}

/**
 * `$gt`, `$gte`, `$lt`, `$lte` within MongoDB's type brackets: numbers only compare with numbers,
 * strings with strings (by code point), booleans with booleans (`false < true`).
 */
export function comparisonTest(operator: ComparisonOperator, operand: number | string | boolean): Predicate {
  if (typeof operand === 'number') {
    switch (operator) {
      case '$gt':
        return (value) => typeof value === 'number' && value > operand
      case '$gte':
        return (value) => typeof value === 'number' && value >= operand
      case '$lt':
        return (value) => typeof value === 'number' && value < operand
      case '$lte':
        return (value) => typeof value === 'number' && value <= operand
    }
  }
  if (typeof operand === 'string') {
    if (needsCodePointOrder(operand)) {
      const order = orderTest(operator)
      return (value) => typeof value === 'string' && order(compareByCodePoint(value, operand))
    }
    switch (operator) {
      case '$gt':
        return (value) => typeof value === 'string' && value > operand
      case '$gte':
        return (value) => typeof value === 'string' && value >= operand
      case '$lt':
        return (value) => typeof value === 'string' && value < operand
      case '$lte':
        return (value) => typeof value === 'string' && value <= operand
    }
  }
  const order = orderTest(operator)
  const rank = Number(operand)
  return (value) => typeof value === 'boolean' && order(Number(value) - rank)
}

/** `$regex`: strings in which `pattern`, compiled for RE2, finds a match. */
export function regexTest(pattern: TextTest): Predicate {
  return (value) => typeof value === 'string' && pattern(value)
}

/** `$size`: arrays of exactly `length` elements. */
export function sizeTest(length: number): Predicate {
  return (value) => Array.isArray(value) && value.length === length
}

/** `$exists: true`: any value, `null` included; only a missing field fails. */
export const existsTest: Predicate = (value) => value !== undefined

/**
 * `$elemMatch`: arrays with at least one element passing `element`. With `documentsOnly` (a
 * filter over fields, `{ sku: 'A1' }`) only elements that are objects are tried, as in MongoDB.
 */
export function elemMatchTest(element: Predicate, documentsOnly: boolean): Predicate {
  return (value) => {
    if (!Array.isArray(value)) return false
    for (const item of value) {
      if (documentsOnly && (typeof item !== 'object' || item === null)) continue
      if (element(item)) return true
    }
    return false
  }
}

function orderTest(operator: ComparisonOperator): (difference: number) => boolean {
  switch (operator) {
    case '$gt':
      return (difference) => difference > 0
    case '$gte':
      return (difference) => difference >= 0
    case '$lt':
      return (difference) => difference < 0
    case '$lte':
      return (difference) => difference <= 0
  }
}
