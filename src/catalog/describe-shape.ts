import type { Shape, ShapeReader, ValueKind } from './schema-shape.js'

const SINGULAR: Record<Exclude<ValueKind, 'null'>, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'a boolean',
  object: 'an object',
  array: 'an array',
}
const PLURAL: Record<Exclude<ValueKind, 'null'>, string> = {
  string: 'strings',
  number: 'numbers',
  integer: 'integers',
  boolean: 'booleans',
  object: 'objects',
  array: 'arrays',
}
const MAX_LISTED_VALUES = 10

/**
 * Names what a field holds, for messages such as "`coins` is an integer": `a string`,
 * `an ISO 8601 date-time string`, `one of \`upgrade\`, \`downgrade\``, `an array of strings`...
 * (`null` is left out: it never makes a filter wrong).
 */
export function describeShape(shape: Shape, reader: ShapeReader): string {
  if (shape.any) return 'of any type'
  if (shape.values !== undefined)
    return `one of ${listValues(shape.values.filter((value) => value !== null))}`
  const parts = kindsOf(shape).map((kind) => {
    if (kind === 'string' && isDate(shape)) return `an ISO 8601 ${shape.format} string`
    if (kind !== 'array') return SINGULAR[kind]
    const element = reader.element(shape)
    return element === undefined || element.any ? 'an array' : `an array of ${plural(element)}`
  })
  return parts.length === 0 ? 'always null' : parts.join(' or ')
}

/** True for an ISO 8601 date-time or date string field. */
export function isDate(shape: Shape): boolean {
  return shape.format === 'date-time' || shape.format === 'date'
}

/** `\`a\`, \`b\``, shortened after a few values. */
export function listValues(values: readonly unknown[]): string {
  const listed = values.slice(0, MAX_LISTED_VALUES).map((value) => `\`${String(value)}\``)
  if (values.length > MAX_LISTED_VALUES) listed.push(`... (${values.length} values)`)
  return listed.join(', ')
}

function plural(shape: Shape): string {
  if (shape.values !== undefined)
    return `${listValues(shape.values.filter((value) => value !== null))} values`
  const kinds = kindsOf(shape)
  if (kinds.length === 0) return 'nulls'
  return kinds
    .map((kind) => (kind === 'string' && isDate(shape) ? `ISO 8601 ${shape.format} strings` : PLURAL[kind]))
    .join(' or ')
}

/** The non-null kinds, `integer` folded into `number` when both are allowed. */
function kindsOf(shape: Shape): Exclude<ValueKind, 'null'>[] {
  const kinds = [...shape.kinds].filter((kind): kind is Exclude<ValueKind, 'null'> => kind !== 'null')
  return kinds.includes('number') ? kinds.filter((kind) => kind !== 'integer') : kinds
}
