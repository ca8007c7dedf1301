import { isPlainObject } from '../shared/is-plain-object.js'

/** A node of a JSON Schema (draft 2020-12) as `z.toJSONSchema` produces it. */
export type JsonSchema = boolean | { readonly [key: string]: unknown }

/** A JSON value kind, JSON Schema's `type` names. */
export type ValueKind = 'string' | 'number' | 'integer' | 'boolean' | 'null' | 'object' | 'array'

/** A scalar allowed by an `enum` or `const`. */
export type EnumValue = string | number | boolean | null

/**
 * What a schema node allows, with its unions (`anyOf`, `oneOf`), references and intersections
 * flattened: the question filters ask is "can this field hold a value of that kind?".
 */
export interface Shape {
  /** Anything goes (`{}`, `true`, an unrepresentable zod type): nothing below it is checked. */
  readonly any: boolean
  /** The kinds of value allowed. */
  readonly kinds: ReadonlySet<ValueKind>
  /** The values allowed when every non-null alternative lists them (`enum`, `const`). */
  readonly values: readonly EnumValue[] | undefined
  /** The `format` shared by every string alternative (`date-time`, `email`...). */
  readonly format: string | undefined
  readonly description: string | undefined
  /** Named properties of the object alternatives. */
  readonly properties: ReadonlyMap<string, PropertyShape>
  /** Schemas of other properties (records, loose objects); empty when objects are closed. */
  readonly otherProperties: readonly JsonSchema[]
  /** Schemas of the elements of the array alternatives. */
  readonly items: readonly JsonSchema[]
  /** `$ref` targets followed to reach this node, so walks can stop on recursive schemas. */
  readonly refs: ReadonlySet<string>
}

/** A named property: its schemas, and whether an object may lack it. */
export interface PropertyShape {
  readonly schemas: readonly JsonSchema[]
  readonly optional: boolean
}

const KINDS: ReadonlySet<string> = new Set<ValueKind>([
  'string',
  'number',
  'integer',
  'boolean',
  'null',
  'object',
  'array',
])
const MAX_REF_DEPTH = 64
type Node = { readonly [key: string]: unknown }

/** Reads {@link Shape}s out of one JSON Schema document, resolving its local `$ref`s. */
export class ShapeReader {
  readonly #root: JsonSchema

  constructor(root: JsonSchema) {
    this.#root = root
  }

  /** The shape of the document's root. */
  root(): Shape {
    return this.shape([this.#root])
  }

  /** The shape of a value any of `schemas` allows. */
  shape(schemas: readonly JsonSchema[]): Shape {
    const refs = new Set<string>()
    const alternatives = schemas.flatMap((schema) => this.#alternatives(schema, refs, 0))
    const shape = buildShape(alternatives, refs)
    const [single] = schemas
    const description =
      schemas.length === 1 && isPlainObject(single) && typeof single.description === 'string'
        ? single.description
        : shape.description
    return { ...shape, description }
  }

  /** The shape of property `key` of an object of this shape, or `undefined` when it has none. */
  property(shape: Shape, key: string): Shape | undefined {
    if (shape.any) return shape
    if (!shape.kinds.has('object')) return undefined
    const property = shape.properties.get(key)
    if (property !== undefined) return this.shape(property.schemas)
    return shape.otherProperties.length > 0 ? this.shape(shape.otherProperties) : undefined
  }

  /** The shape of the elements of an array of this shape, or `undefined` when it is no array. */
  element(shape: Shape): Shape | undefined {
    if (shape.any) return shape
    if (!shape.kinds.has('array')) return undefined
    return this.shape(shape.items.length > 0 ? shape.items : [true])
  }

  /** The alternatives of a node: `anyOf`/`oneOf` options, `$ref` targets, merged `allOf` parts. */
  #alternatives(schema: JsonSchema, refs: Set<string>, depth: number): Node[] {
    if (schema === true) return [{}]
    if (!isPlainObject(schema)) return []
    if (depth > MAX_REF_DEPTH) return [{}]
    if (typeof schema.$ref === 'string') {
      refs.add(schema.$ref)
      return this.#alternatives(this.#resolve(schema.$ref), refs, depth + 1)
    }
    const options = [schema.anyOf, schema.oneOf].find(Array.isArray) as JsonSchema[] | undefined
    if (options !== undefined) return options.flatMap((option) => this.#alternatives(option, refs, depth + 1))
    if (Array.isArray(schema.allOf)) {
      const parts = (schema.allOf as JsonSchema[]).flatMap((part) =>
        this.#alternatives(part, refs, depth + 1),
      )
      return [mergeAll(parts)]
    }
    return [schema]
  }

  /** A local JSON pointer (`#`, `#/$defs/Customer`); anything else allows anything. */
  #resolve(ref: string): JsonSchema {
    if (!ref.startsWith('#')) return true
    let node: unknown = this.#root
    for (const token of ref.slice(1).split('/').slice(1)) {
      const key = decodeURIComponent(token).replaceAll('~1', '/').replaceAll('~0', '~')
      node = isPlainObject(node) && Object.hasOwn(node, key) ? node[key] : true
    }
    return node === false ? false : isPlainObject(node) ? node : true
  }
}

/** An `allOf`, approximated as one alternative with every part's constraints. */
function mergeAll(parts: Node[]): Node {
  const properties: Record<string, unknown> = {}
  const required: unknown[] = []
  for (const part of parts) {
    if (isPlainObject(part.properties)) Object.assign(properties, part.properties)
    if (Array.isArray(part.required)) required.push(...part.required)
  }
  const typed = parts.find((part) => part.type !== undefined || part.enum !== undefined)
  return { ...typed, ...(Object.keys(properties).length > 0 ? { type: 'object', properties, required } : {}) }
}

function buildShape(alternatives: readonly Node[], refs: ReadonlySet<string>): Shape {
  const kinds = new Set<ValueKind>()
  const properties = new Map<string, { schemas: JsonSchema[]; optional: boolean; seen: number }>()
  const otherProperties: JsonSchema[] = []
  const items: JsonSchema[] = []
  let any = false
  let values: EnumValue[] | undefined = []
  const formats = new Set<string | undefined>()
  let description: string | undefined
  let objects = 0
  for (const node of alternatives) {
    description ??= typeof node.description === 'string' ? node.description : undefined
    const listed = listedValues(node)
    const nodeKinds = kindsOf(node, listed)
    if (nodeKinds.size === 0) any = true
    for (const kind of nodeKinds) kinds.add(kind)
    if (listed !== undefined) values?.push(...listed)
    else if (!(nodeKinds.size === 1 && nodeKinds.has('null'))) values = undefined
    if (nodeKinds.has('string')) formats.add(typeof node.format === 'string' ? node.format : undefined)
    if (nodeKinds.has('array')) {
      if (Array.isArray(node.prefixItems)) items.push(...(node.prefixItems as JsonSchema[]))
      if (node.items !== undefined) items.push(node.items as JsonSchema)
      else if (!Array.isArray(node.prefixItems)) items.push(true)
    }
    if (!nodeKinds.has('object')) continue
    objects++
    const required = new Set(Array.isArray(node.required) ? node.required : [])
    for (const [key, schema] of Object.entries(isPlainObject(node.properties) ? node.properties : {})) {
      const entry = properties.get(key) ?? { schemas: [], optional: false, seen: 0 }
      entry.schemas.push(schema as JsonSchema)
      entry.optional ||= !required.has(key)
      entry.seen++
      properties.set(key, entry)
    }
    if (node.additionalProperties === undefined) otherProperties.push(true)
    else if (node.additionalProperties !== false)
      otherProperties.push(node.additionalProperties as JsonSchema)
    if (isPlainObject(node.patternProperties)) {
      otherProperties.push(...(Object.values(node.patternProperties) as JsonSchema[]))
    }
  }
  const shapeProperties = new Map<string, PropertyShape>()
  for (const [key, { schemas, optional, seen }] of properties) {
    // A property missing from one object alternative may be missing from the payload.
    shapeProperties.set(key, { schemas, optional: optional || seen < objects })
  }
  const [format] = formats.size === 1 ? formats : [undefined]
  return {
    any,
    kinds,
    values: any || values?.length === 0 ? undefined : values,
    format,
    description,
    properties: shapeProperties,
    otherProperties,
    items,
    refs,
  }
}

function listedValues(node: Node): EnumValue[] | undefined {
  if (Object.hasOwn(node, 'const')) return isEnumValue(node.const) ? [node.const] : undefined
  if (Array.isArray(node.enum)) return node.enum.every(isEnumValue) ? node.enum : undefined
  return undefined
}

/** The kinds a node allows; empty when it does not constrain the kind (anything goes). */
function kindsOf(node: Node, listed: readonly EnumValue[] | undefined): Set<ValueKind> {
  const types = (Array.isArray(node.type) ? node.type : [node.type]).filter(
    (type): type is ValueKind => typeof type === 'string' && KINDS.has(type),
  )
  if (types.length > 0) return new Set(types)
  if (listed !== undefined) return new Set(listed.map(kindOfValue))
  if (node.properties !== undefined || node.additionalProperties !== undefined) return new Set(['object'])
  if (node.items !== undefined || node.prefixItems !== undefined) return new Set(['array'])
  return new Set()
}

function kindOfValue(value: EnumValue): ValueKind {
  if (value === null) return 'null'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value === 'string' ? 'string' : 'boolean'
}

function isEnumValue(value: unknown): value is EnumValue {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value)
}
