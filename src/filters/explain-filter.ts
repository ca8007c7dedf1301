import { compileFilter } from './compile-filter.js'
import type { Filter, FilterValue } from './filter.js'

/** The first top-level clause of a filter that a payload fails. */
export interface FailedClause {
  /** The clause's key: a field path such as `customer.tier`, or `$or`, `$and`, `$nor`. */
  readonly path: string
  /** The clause's condition as written in the filter. */
  readonly condition: FilterValue
  /** The value found at `path` in the payload (`undefined` when absent or for `$or`/`$and`/`$nor`). */
  readonly actual: unknown
}

/**
 * Tells which top-level clause of `filter` the payload fails, or `undefined` when it
 * matches. A filter is the conjunction of its top-level clauses, so the first clause that
 * fails on its own is the reason the whole filter fails. Slow path, for dry runs only:
 * it compiles each clause.
 */
export function explainFilter(filter: Filter, payload: unknown): FailedClause | undefined {
  for (const [path, condition] of Object.entries(filter)) {
    if (compileFilter({ [path]: condition })(payload)) continue
    return { path, condition, actual: path.startsWith('$') ? undefined : valuesAt(payload, path.split('.')) }
  }
  return undefined
}

// The value at a dotted path; across arrays of objects, the list of values found.
function valuesAt(value: unknown, keys: readonly string[]): unknown {
  if (keys.length === 0) return value
  const [key, ...rest] = keys as [string, ...string[]]
  if (Array.isArray(value) && !/^\d+$/.test(key)) {
    const found = value.map((item) => valuesAt(item, keys)).filter((item) => item !== undefined)
    return found.length === 0 ? undefined : found.flat()
  }
  if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined
  return valuesAt((value as Record<string, unknown>)[key], rest)
}
