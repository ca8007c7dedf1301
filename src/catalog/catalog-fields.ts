import type { StandardSchemaV1 } from '@standard-schema/spec'
import type { CatalogField, CatalogFieldType } from './catalog.js'
import { schemaModel } from './schema-model.js'
import type { Shape, ShapeReader } from './schema-shape.js'

interface FieldList {
  readonly fields: readonly CatalogField[]
  /** Every dotted path that names something, objects included, for "did you mean" hints. */
  readonly paths: readonly string[]
}

const lists = new WeakMap<StandardSchemaV1, FieldList>()
const NO_FIELDS: FieldList = Object.freeze({ fields: Object.freeze([]), paths: Object.freeze([]) })

/**
 * The fields filters can test in payloads of `schema`, for a dashboard's filter builder: every
 * leaf, array and free-form map (`z.record`), as dotted paths; the fields of objects inside an
 * array as `items.sku` (filters look into each element). Fields that JSON Schema cannot type
 * (transforms, `z.any()`) are left out; recursive schemas are walked once.
 *
 * The list comes from the schema's JSON Schema: zod 4's, or the Standard JSON Schema of another
 * validator. A validator without JSON Schema (valibot on its own, zod 3) has no fields: `[]`.
 *
 * @example
 * catalogFields(z.strictObject({ coins: z.int(), customer: z.strictObject({ tier: z.enum(['gold']) }) }))
 * // [{ path: 'coins', type: 'integer', optional: false, nullable: false },
 * //  { path: 'customer.tier', type: 'string', enum: ['gold'], optional: false, nullable: false }]
 */
export function catalogFields(schema: StandardSchemaV1): CatalogField[] {
  return [...fieldList(schema).fields]
}

/** Every dotted path of `schema`'s payloads that names a value, objects included. */
export function fieldPaths(schema: StandardSchemaV1): readonly string[] {
  return fieldList(schema).paths
}

function fieldList(schema: StandardSchemaV1): FieldList {
  let list = lists.get(schema)
  if (list === undefined) {
    const model = schemaModel(schema)
    if (model === undefined) return NO_FIELDS
    const { reader, root } = model
    const fields: CatalogField[] = []
    const paths: string[] = []
    walkProperties(reader, root, '', false, new Set(), fields, paths)
    list = { fields: Object.freeze(fields.map((field) => Object.freeze(field))), paths: Object.freeze(paths) }
    lists.set(schema, list)
  }
  return list
}

function walkProperties(
  reader: ShapeReader,
  shape: Shape,
  prefix: string,
  optional: boolean,
  refs: ReadonlySet<string>,
  fields: CatalogField[],
  paths: string[],
): void {
  for (const [key, property] of shape.properties) {
    const child = reader.shape(property.schemas)
    if (isRepeat(child, refs)) continue
    const path = prefix === '' ? key : `${prefix}.${key}`
    const childRefs = new Set([...refs, ...child.refs])
    visit(reader, child, path, optional || property.optional, childRefs, fields, paths)
  }
}

function visit(
  reader: ShapeReader,
  shape: Shape,
  path: string,
  optional: boolean,
  refs: ReadonlySet<string>,
  fields: CatalogField[],
  paths: string[],
): void {
  const type = fieldType(shape)
  if (type === undefined) return
  paths.push(path)
  const nullable = shape.kinds.has('null')
  if (type === 'object' && shape.properties.size > 0) {
    walkProperties(reader, shape, path, optional || nullable, refs, fields, paths)
    return
  }
  const field: { -readonly [K in keyof CatalogField]: CatalogField[K] } = { path, type, optional, nullable }
  if (shape.format !== undefined && shape.kinds.has('string')) field.format = shape.format
  const values = shape.values?.filter(isNotNull)
  if (values !== undefined && values.length > 0) field.enum = values
  if (shape.description !== undefined) field.description = shape.description
  if (type === 'array') {
    const element = reader.element(shape)
    const itemType = element === undefined ? undefined : fieldType(element)
    if (itemType !== undefined) field.itemType = itemType
    const itemValues = element?.values?.filter(isNotNull)
    if (itemValues !== undefined && itemValues.length > 0) field.enum = itemValues
    fields.push(field)
    if (element === undefined || itemType !== 'object' || isRepeat(element, refs)) return
    const elementRefs = new Set([...refs, ...element.refs])
    walkProperties(reader, element, path, optional || nullable, elementRefs, fields, paths)
    return
  }
  fields.push(field)
}

/** The type a filter builder shows: the first non-null kind (`number` for integer-or-number). */
function fieldType(shape: Shape): CatalogFieldType | undefined {
  if (shape.any) return undefined
  const kinds = [...shape.kinds].filter((kind) => kind !== 'null')
  if (kinds.includes('integer') && kinds.includes('number')) return 'number'
  const [kind] = kinds
  if (kind === 'string' && (shape.format === 'date-time' || shape.format === 'date')) return 'date'
  return kind
}

/** True when `shape` was reached through a `$ref` an ancestor came from: a recursive schema, listed once. */
function isRepeat(shape: Shape, ancestorRefs: ReadonlySet<string>): boolean {
  for (const ref of shape.refs) if (ancestorRefs.has(ref)) return true
  return false
}

function isNotNull<T>(value: T | null): value is T {
  return value !== null
}
