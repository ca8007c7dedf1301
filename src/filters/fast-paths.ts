import type { ComparisonOperator } from './filter-operators.js'
import { isPlainKey } from './path.js'
import type { Predicate } from './predicates.js'

/**
 * A condition common enough to deserve a fused closure: equality with a string, number or
 * boolean; `$in` a list of those; a comparison with a number. None of them matches a missing
 * field, which the closures below rely on.
 */
export type FastTest =
  | { readonly kind: 'equals'; readonly literal: string | number | boolean }
  | { readonly kind: 'in'; readonly values: ReadonlySet<unknown> }
  | { readonly kind: 'compare'; readonly operator: ComparisonOperator; readonly operand: number }

type Fields = Readonly<Record<string, unknown>>

/**
 * For a one- or two-component path of plain keys (`status`, `customer.tier`), a closure that
 * reads the value and tests it inline, without the calls of the general path walk: every
 * subscription's filter runs on every event, and these shapes are most of them. Whenever an
 * array shows up it hands over to `general` (the `compilePath` result), so the two always
 * agree. `undefined` when the path is not of this shape.
 */
export function compileFastPath(path: string, fast: FastTest, general: Predicate): Predicate | undefined {
  const keys = path.split('.')
  if (keys.length > 2 || !keys.every(isPlainKey)) return undefined
  const [first, second] = keys as [string, string | undefined]
  // Plain keys read `undefined` on primitives, so only `null` and `undefined` need a guard.
  // One-key closures read inline: in a micro-benchmark, calling `read` cost as much as the test.
  const read = (document: unknown): unknown => {
    if (document == null) return undefined
    const parent = (document as Fields)[first]
    if (second === undefined) return parent
    if (typeof parent !== 'object' || parent === null) return undefined
    return Array.isArray(parent) ? parent : (parent as Fields)[second]
  }
  switch (fast.kind) {
    case 'equals': {
      const { literal } = fast
      return second === undefined
        ? (document) => {
            const value = document == null ? undefined : (document as Fields)[first]
            return value === literal || (Array.isArray(value) && general(document))
          }
        : (document) => {
            const value = read(document)
            return value === literal || (Array.isArray(value) && general(document))
          }
    }
    case 'in': {
      const { values } = fast
      return second === undefined
        ? (document) => {
            const value = document == null ? undefined : (document as Fields)[first]
            return values.has(value) || (Array.isArray(value) && general(document))
          }
        : (document) => {
            const value = read(document)
            return values.has(value) || (Array.isArray(value) && general(document))
          }
    }
    case 'compare': {
      // One closure for the four operators: the bounds of the accepted interval.
      const { operator, operand } = fast
      const low = operator === '$gt' || operator === '$gte' ? operand : Number.NEGATIVE_INFINITY
      const high = operator === '$lt' || operator === '$lte' ? operand : Number.POSITIVE_INFINITY
      const lowIncluded = operator !== '$gt'
      const highIncluded = operator !== '$lt'
      return (document) => {
        const value =
          second === undefined ? (document == null ? undefined : (document as Fields)[first]) : read(document)
        if (typeof value !== 'number') return Array.isArray(value) && general(document)
        return (
          (value > low || (lowIncluded && value === low)) &&
          (value < high || (highIncluded && value === high))
        )
      }
    }
  }
}
