import { z } from 'zod'
import type { Adapter } from '../adapters/adapter.js'
import type { AdapterFieldKind, AdapterFieldView, AdapterView } from './admin-api-types.js'

type JsonSchema = Readonly<Record<string, unknown>>

/**
 * An adapter's config form: one field per top-level property of its `configSchema` (as JSON
 * Schema, input side), each marked secret when the adapter lists it in `secretFields`.
 * Properties the page cannot edit as one input (objects, arrays, unions) are `json` fields; a
 * schema whose properties do not show (a custom or Standard Schema validator) is `freeform`.
 */
export function describeAdapter(adapter: Adapter<unknown>): AdapterView {
  const secret = new Set(adapter.secretFields)
  let schema: JsonSchema | null = null
  try {
    // Transforms and refinements have no JSON Schema form: `unrepresentable: 'any'` makes them `{}`.
    schema = z.toJSONSchema(adapter.configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema
  } catch {
    schema = null
  }
  const freeform = !isRecord(schema?.properties)
  const properties = isRecord(schema?.properties) ? schema.properties : {}
  const required = new Set(Array.isArray(schema?.required) ? (schema.required as unknown[]) : [])
  const fields = Object.entries(properties).map(([name, property]): AdapterFieldView => {
    const field = isRecord(property) ? property : {}
    const values = Array.isArray(field.enum) ? (field.enum as (string | number | boolean)[]) : undefined
    return {
      name,
      kind: values ? 'enum' : kindOf(field),
      required: required.has(name),
      secret: secret.has(name),
      ...(values ? { enum: values } : {}),
      ...(typeof field.description === 'string' ? { description: field.description } : {}),
      schema: field,
    }
  })
  // A secret field the schema does not show (a custom schema) still gets a write-only input.
  for (const name of secret) {
    if (!(name in properties))
      fields.push({ name, kind: 'string', required: false, secret: true, schema: {} })
  }
  return { type: adapter.type, fields, schema, freeform }
}

function kindOf(field: JsonSchema): AdapterFieldKind {
  const { type } = field
  if (type === 'string' || type === 'number' || type === 'integer' || type === 'boolean') return type
  // `secret: string | string[]` (a webhook secret during a rotation): one string is the usual case.
  const options = Array.isArray(field.anyOf) ? field.anyOf : []
  if (options.some((option) => isRecord(option) && option.type === 'string')) return 'string'
  return 'json'
}

function isRecord(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
