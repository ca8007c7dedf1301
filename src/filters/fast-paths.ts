import { FAST_PATH_COPIES, type FastPathSpec } from './fast-path-copies.js'
import type { ComparisonOperator } from './filter-operators.js'
import { isPlainKey } from './path.js'
import type { Predicate } from './predicates.js'

/**
 * A condition common enough to deserve a fused closure: equality with a string, number or
 * boolean; `$in` a list of those; a number range (one comparison, or several on the same path
 * intersected: `{ $gte: 100, $lte: 20000 }`). None of them matches a missing field, which the
 * closures rely on.
 */
export type FastTest =
  | { readonly kind: 'equals'; readonly literal: string | number | boolean }
  | { readonly kind: 'in'; readonly values: ReadonlySet<unknown> }
  | { readonly kind: 'range'; readonly range: NumberRange }

/** The numbers a comparison (or several) accepts: between `low` and `high`, each maybe included. */
export interface NumberRange {
  readonly low: number
  readonly lowIncluded: boolean
  readonly high: number
  readonly highIncluded: boolean
}

/** `$gt: 1` is `]1, +∞]`, `$lte: 5` is `[-∞, 5]`. */
export function rangeOf(operator: ComparisonOperator, operand: number): NumberRange {
  const lower = operator === '$gt' || operator === '$gte'
  return {
    low: lower ? operand : Number.NEGATIVE_INFINITY,
    lowIncluded: operator !== '$gt',
    high: lower ? Number.POSITIVE_INFINITY : operand,
    highIncluded: operator !== '$lt',
  }
}

/** The numbers both ranges accept. */
export function intersectRanges(a: NumberRange, b: NumberRange): NumberRange {
  const [low, lowIncluded] =
    a.low === b.low
      ? [a.low, a.lowIncluded && b.lowIncluded]
      : a.low > b.low
        ? [a.low, a.lowIncluded]
        : [b.low, b.lowIncluded]
  const [high, highIncluded] =
    a.high === b.high
      ? [a.high, a.highIncluded && b.highIncluded]
      : a.high < b.high
        ? [a.high, a.highIncluded]
        : [b.high, b.highIncluded]
  return { low, lowIncluded, high, highIncluded }
}

const EMPTY: ReadonlySet<unknown> = new Set()
/** Which copy each field path runs on; bounded by the number of copies. */
const copyOfPath = new Map<string, number>()

/**
 * For a one- or two-key path of plain keys (`status`, `customer.tier`), a closure that reads the
 * value and tests it inline, without the calls of the general path walk: every subscription's
 * filter runs on every event, and these shapes are most of them. Whenever an array shows up it
 * hands over to `general` (the `compilePath` result for the same, non-negated condition), so the
 * two always agree; `negated` (`$ne`, `$nin`) negates the whole answer. `undefined` when the path
 * is not of this shape.
 */
export function compileFastPath(
  path: string,
  fast: FastTest,
  general: Predicate,
  negated = false,
): Predicate | undefined {
  const keys = path.split('.')
  if (keys.length > 2 || !keys.every(isPlainKey)) return undefined
  const range = fast.kind === 'range' ? fast.range : rangeOf('$gte', 0)
  const spec: FastPathSpec = {
    first: keys[0]!,
    second: keys[1],
    kind: fast.kind === 'equals' ? 0 : fast.kind === 'in' ? 1 : 2,
    literal: fast.kind === 'equals' ? fast.literal : undefined,
    values: fast.kind === 'in' ? fast.values : EMPTY,
    low: range.low,
    lowIncluded: range.lowIncluded,
    high: range.high,
    highIncluded: range.highIncluded,
    negated,
    general,
  }
  return FAST_PATH_COPIES[copyFor(path)]!(spec)
}

/**
 * The same path always gets the same copy, so a copy's reads see one field name however many
 * filters use it. The first paths seen get a copy each; once all are taken, paths share them by
 * hash (slower, never wrong), and the table stops growing whatever paths filters bring.
 */
function copyFor(path: string): number {
  const known = copyOfPath.get(path)
  if (known !== undefined) return known
  if (copyOfPath.size < FAST_PATH_COPIES.length) {
    const copy = copyOfPath.size
    copyOfPath.set(path, copy)
    return copy
  }
  let hash = 0
  for (let index = 0; index < path.length; index++) hash = (hash * 31 + path.charCodeAt(index)) | 0
  return (hash >>> 0) % FAST_PATH_COPIES.length
}
