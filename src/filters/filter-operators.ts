/**
 * The operator vocabulary of the filter language (see docs/filters.md). Shared by the
 * parser, which rejects anything else, and the compiler.
 */

/** Operators applied to a field: `{ coins: { $gte: 100 } }`. */
export const FIELD_OPERATORS = [
  '$eq',
  '$ne',
  '$gt',
  '$gte',
  '$lt',
  '$lte',
  '$in',
  '$nin',
  '$exists',
  '$regex',
  '$options',
  '$size',
  '$all',
  '$elemMatch',
  '$not',
] as const

/** A field operator such as `$gte`. */
export type FieldOperator = (typeof FIELD_OPERATORS)[number]

/** Operators that combine whole filters: `{ $or: [{ tier: 'gold' }, { coins: { $gt: 500 } }] }`. */
export const LOGICAL_OPERATORS = ['$and', '$or', '$nor'] as const

/** A logical operator such as `$or`. */
export type LogicalOperator = (typeof LOGICAL_OPERATORS)[number]

/** Field operators whose operand is compared in MongoDB's type brackets. */
export type ComparisonOperator = '$gt' | '$gte' | '$lt' | '$lte'

const fieldOperators: ReadonlySet<string> = new Set(FIELD_OPERATORS)
const logicalOperators: ReadonlySet<string> = new Set(LOGICAL_OPERATORS)

/** True for a key that names an operator slot (starts with `$`), known or not. */
export function isOperatorKey(key: string): boolean {
  return key.startsWith('$')
}

/** True for `$eq`, `$gte`, `$elemMatch`... */
export function isFieldOperator(key: string): key is FieldOperator {
  return fieldOperators.has(key)
}

/** True for `$and`, `$or` and `$nor`. */
export function isLogicalOperator(key: string): key is LogicalOperator {
  return logicalOperators.has(key)
}

/**
 * True when a field's condition is an operator object (`{ $gt: 1 }`) rather than a literal to
 * compare with (`{ city: 'Paris' }`): it has at least one `$` key.
 */
export function isOperatorObject(value: object): boolean {
  for (const key of Object.keys(value)) if (isOperatorKey(key)) return true
  return false
}

/**
 * True when an `$elemMatch` operand applies operators to each element (`{ $gt: 1, $lt: 5 }`)
 * rather than a filter to each element that is an object (`{ sku: 'A1', qty: { $gt: 1 } }`).
 * MongoDB's rule: it has an operator key that is not a logical one.
 */
export function isElementOperatorObject(value: object): boolean {
  for (const key of Object.keys(value)) if (isOperatorKey(key) && !isLogicalOperator(key)) return true
  return false
}
