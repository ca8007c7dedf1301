import type { CatalogFieldView } from '../admin-api-types.js'

/**
 * The filter editor's rows and the filter JSON they stand for: pure functions, so the page and
 * the tests share them. A row is one condition on one field; the filter is their conjunction.
 */

/** Operators the editor offers as rows (anything else is edited as JSON). */
export const OPERATORS = [
  { value: 'eq', label: 'is', mongo: '$eq' },
  { value: 'ne', label: 'is not', mongo: '$ne' },
  { value: 'gt', label: '>', mongo: '$gt' },
  { value: 'gte', label: '≥', mongo: '$gte' },
  { value: 'lt', label: '<', mongo: '$lt' },
  { value: 'lte', label: '≤', mongo: '$lte' },
  { value: 'in', label: 'is one of', mongo: '$in' },
  { value: 'nin', label: 'is none of', mongo: '$nin' },
  { value: 'exists', label: 'exists', mongo: '$exists' },
  { value: 'regex', label: 'matches', mongo: '$regex' },
] as const

/** One operator of a row. */
export type Operator = (typeof OPERATORS)[number]['value']

/** One row: a field path, an operator and the value as typed (lists comma-separated). */
export interface Condition {
  readonly field: string
  readonly operator: Operator
  readonly value: string
}

const BY_MONGO = new Map<string, Operator>(OPERATORS.map((operator) => [operator.mongo, operator.value]))
const MONGO = new Map<Operator, string>(OPERATORS.map((operator) => [operator.value, operator.mongo]))

/** The filter the rows stand for. Rows without a field are left out. */
export function conditionsToFilter(
  conditions: readonly Condition[],
  fieldOf: (path: string) => CatalogFieldView | undefined,
): Record<string, unknown> {
  const byField = new Map<string, Condition[]>()
  for (const condition of conditions) {
    const field = condition.field.trim()
    if (field === '') continue
    byField.set(field, [...(byField.get(field) ?? []), condition])
  }
  const filter: Record<string, unknown> = {}
  for (const [field, rows] of byField) {
    const type = fieldOf(field)
    const only = rows[0] as Condition
    // `{ "customer.tier": "gold" }` reads best: implicit equality when it is the field's only row.
    const value =
      rows.length === 1 && only.operator === 'eq'
        ? operand(only, type)
        : Object.fromEntries(rows.map((row) => [MONGO.get(row.operator) as string, operand(row, type)]))
    Object.defineProperty(filter, field, { value, enumerable: true, writable: true, configurable: true })
  }
  return filter
}

/**
 * The rows of a filter, or `undefined` when it uses what rows cannot show (`$or`, `$elemMatch`,
 * an object or array compared as a whole): the page then edits it as JSON only.
 */
export function filterToConditions(filter: unknown): Condition[] | undefined {
  if (!isRecord(filter)) return undefined
  const conditions: Condition[] = []
  for (const [field, condition] of Object.entries(filter)) {
    if (field.startsWith('$')) return undefined
    if (isScalar(condition)) {
      conditions.push({ field, operator: 'eq', value: formatScalar(condition) })
      continue
    }
    if (!isRecord(condition)) return undefined
    const entries = Object.entries(condition)
    if (entries.length === 0) return undefined
    for (const [mongo, operandValue] of entries) {
      const operator = BY_MONGO.get(mongo)
      if (operator === undefined) return undefined
      const value = formatOperand(operator, operandValue)
      if (value === undefined) return undefined
      conditions.push({ field, operator, value })
    }
  }
  return conditions
}

/**
 * The typed text as JSON, by the field's type: a number field gets a number, a string field a
 * string (`1042` stays text for an order number). For a field the catalog does not know, text
 * that reads as a number, `true`, `false` or `null` is taken as such.
 */
export function parseScalar(text: string, field: CatalogFieldView | undefined): unknown {
  const trimmed = text.trim()
  const type = field?.itemType ?? field?.type
  if (trimmed === 'null' && (field === undefined || field.nullable)) return null
  if (type === 'number' || type === 'integer') return isNumeric(trimmed) ? Number(trimmed) : text
  if (type === 'boolean') return trimmed === 'true' ? true : trimmed === 'false' ? false : text
  if (field?.enum !== undefined) {
    const match = field.enum.find((value) => String(value) === trimmed)
    return match === undefined ? text : match
  }
  if (field === undefined) {
    if (isNumeric(trimmed)) return Number(trimmed)
    if (trimmed === 'true' || trimmed === 'false') return trimmed === 'true'
  }
  return text
}

function operand(condition: Condition, field: CatalogFieldView | undefined): unknown {
  switch (condition.operator) {
    case 'exists':
      return condition.value.trim() !== 'false'
    case 'regex':
      return condition.value
    case 'in':
    case 'nin':
      return condition.value
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== '')
        .map((part) => parseScalar(part, field))
    default:
      return parseScalar(condition.value, field)
  }
}

function formatOperand(operator: Operator, value: unknown): string | undefined {
  if (operator === 'exists') return typeof value === 'boolean' ? String(value) : undefined
  if (operator === 'regex') return typeof value === 'string' ? value : undefined
  if (operator === 'in' || operator === 'nin') {
    // A value holding a comma would not survive the comma-separated text.
    if (!Array.isArray(value) || !value.every((item) => isScalar(item) && !String(item).includes(','))) {
      return undefined
    }
    return value.map((item) => formatScalar(item as string | number | boolean | null)).join(', ')
  }
  return isScalar(value) ? formatScalar(value) : undefined
}

function formatScalar(value: string | number | boolean | null): string {
  return value === null ? 'null' : String(value)
}

function isScalar(value: unknown): value is string | number | boolean | null {
  return (
    value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
  )
}

function isNumeric(text: string): boolean {
  return /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(text)
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
