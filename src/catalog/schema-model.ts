import type { StandardSchemaV1 } from '@standard-schema/spec'
import { z } from 'zod'
import { describeValue } from '../shared/describe-value.js'
import { isPlainObject } from '../shared/is-plain-object.js'
import { hasStandardJsonSchema, isZod4Schema } from '../shared/standard-schema.js'
import { type Shape, ShapeReader } from './schema-shape.js'

/** The shapes of one payload schema, read from its output JSON Schema; built once, cached. */
export interface SchemaModel {
  /** Reads shapes out of the output JSON Schema. */
  readonly reader: ShapeReader
  /** The payload's shape. */
  readonly root: Shape
}

/** `null`: the schema has no JSON Schema, so there is nothing to model. */
const models = new WeakMap<StandardSchemaV1, SchemaModel | null>()

/**
 * The JSON Schema (draft 2020-12) of a payload schema, or `undefined` when its validator offers
 * none. `output` describes the parsed payload, which is what filters and destinations see.
 *
 * - zod 4: `z.toJSONSchema`; zod types that JSON Schema cannot express (transforms, `z.date()`...)
 *   become `{}`, "anything", rather than throwing.
 * - other validators: their Standard JSON Schema converter (`~standard.jsonSchema`), which may
 *   throw for what it cannot express; `undefined` for validators without one (valibot on its
 *   own, zod 3).
 */
export function toPayloadJsonSchema(
  schema: StandardSchemaV1,
  io: 'input' | 'output' = 'output',
): Record<string, unknown> | undefined {
  if (isZod4Schema(schema)) {
    return z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Record<
      string,
      unknown
    >
  }
  if (!hasStandardJsonSchema(schema)) return undefined
  const json: unknown = schema['~standard'].jsonSchema[io]({ target: 'draft-2020-12' })
  if (!isPlainObject(json)) {
    throw new TypeError(
      `its Standard JSON Schema converter returned ${describeValue(json)}, not a JSON Schema`,
    )
  }
  return json
}

/**
 * The {@link SchemaModel} of a payload schema, built on first use; `undefined` for a schema
 * without JSON Schema. Throws what the schema's JSON Schema converter throws.
 */
export function schemaModel(schema: StandardSchemaV1): SchemaModel | undefined {
  let model = models.get(schema)
  if (model === undefined) {
    const json = toPayloadJsonSchema(schema)
    if (json === undefined) {
      model = null
    } else {
      const reader = new ShapeReader(json)
      model = Object.freeze({ reader, root: reader.root() })
    }
    models.set(schema, model)
  }
  return model ?? undefined
}
