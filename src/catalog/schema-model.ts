import { z } from 'zod'
import { type Shape, ShapeReader } from './schema-shape.js'

/** The shapes of one payload schema, read from its output JSON Schema; built once, cached. */
export interface SchemaModel {
  /** Reads shapes out of the output JSON Schema. */
  readonly reader: ShapeReader
  /** The payload's shape. */
  readonly root: Shape
}

const models = new WeakMap<z.ZodType, SchemaModel>()

/**
 * The JSON Schema (draft 2020-12) of a payload schema. `output` describes the parsed payload,
 * which is what filters and destinations see. Zod types that JSON Schema cannot express
 * (transforms, `z.date()`...) become `{}`, "anything", rather than throwing.
 */
export function toPayloadJsonSchema(
  schema: z.ZodType,
  io: 'input' | 'output' = 'output',
): Record<string, unknown> {
  return z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >
}

/** The {@link SchemaModel} of a zod schema, built on first use. */
export function schemaModel(schema: z.ZodType): SchemaModel {
  let model = models.get(schema)
  if (model === undefined) {
    const reader = new ShapeReader(toPayloadJsonSchema(schema))
    model = Object.freeze({ reader, root: reader.root() })
    models.set(schema, model)
  }
  return model
}
