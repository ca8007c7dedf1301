import type { StandardSchemaV1 } from '@standard-schema/spec'
import { z } from 'zod'
import { classifyHttpResponse } from '../delivery/classify-http-response.js'
import { type Pacing, pacingSchema } from '../delivery/pacing.js'
import { describeValue } from '../shared/describe-value.js'
import { isStandardSchema, isZod4Schema, type SchemaOutput, toZodSchema } from '../shared/standard-schema.js'
import type { Adapter, AdapterDefinition } from './adapter.js'
import { defineBatching } from './define-batching.js'

/**
 * Defines an adapter. The config type is inferred from `configSchema`, so `buildRequest`
 * and `classifyResponse` receive a typed config.
 *
 * `configSchema` is a zod 4 schema, or any Standard Schema v1 validator (valibot, arktype,
 * zod 3...). zod 4 schemas are used as they are; another validator's schema is run through its
 * `~standard.validate`: its issues reach the host as a `ValidationError` with one issue per
 * field (`config.<path>`) and the validator's own messages. It must validate synchronously
 * (`integrations.add()` returns at once): a Promise is reported as an invalid config.
 *
 * @example
 * const pingAdapter = defineAdapter({
 *   type: 'ping',
 *   configSchema: z.object({ url: z.url() }), // or v.object({ url: v.pipe(v.string(), v.url()) })
 *   buildRequest: ({ event, config }) => ({
 *     method: 'POST', url: config.url, headers: { 'content-type': 'application/json' },
 *     body: JSON.stringify({ name: event.outgoingName }),
 *   }),
 * })
 */
export function defineAdapter<Schema extends StandardSchemaV1>(
  definition: AdapterDefinition<Schema>,
): Adapter<SchemaOutput<Schema>> {
  if (typeof definition.type !== 'string' || !/^[a-z][a-z0-9_-]{0,63}$/.test(definition.type)) {
    throw new TypeError(
      `Expected adapter \`type\` to be a lower-case name like \`webhook\`, got \`${String(definition.type)}\`.`,
    )
  }
  const { configSchema } = definition
  if (!isZod4Schema(configSchema) && !isStandardSchema(configSchema)) {
    throw new TypeError(
      `Expected adapter \`configSchema\` of \`${definition.type}\` to be a zod 4 schema or a Standard Schema v1 ` +
        `validator (valibot, arktype, zod 3.24+), got ${describeValue(configSchema)}.`,
    )
  }
  const pacing = pacingSchema.safeParse(definition.pacing ?? {})
  if (!pacing.success) {
    throw new TypeError(
      `Invalid adapter \`pacing\` of \`${definition.type}\`: ${z.prettifyError(pacing.error)}`,
    )
  }
  return Object.freeze({
    type: definition.type,
    pacing: Object.freeze(pacing.data as Pacing),
    configSchema: toZodSchema(configSchema as StandardSchemaV1<unknown, SchemaOutput<Schema>>),
    secretFields: Object.freeze([...(definition.secretFields ?? [])]),
    buildRequest: definition.buildRequest,
    classifyResponse: definition.classifyResponse ?? classifyHttpResponse,
    ...(definition.batching === undefined
      ? {}
      : { batching: defineBatching<SchemaOutput<Schema>>(definition.type, definition.batching) }),
  })
}
