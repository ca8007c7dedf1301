import { z } from 'zod'
import { classifyHttpResponse } from '../delivery/classify-http-response.js'
import { type Pacing, pacingSchema } from '../delivery/pacing.js'
import type { Adapter, AdapterDefinition } from './adapter.js'

/**
 * Defines an adapter. The config type is inferred from `configSchema`, so `buildRequest`
 * and `classifyResponse` receive a typed config.
 *
 * @example
 * const pingAdapter = defineAdapter({
 *   type: 'ping',
 *   configSchema: z.object({ url: z.url() }),
 *   buildRequest: ({ event, config }) => ({
 *     method: 'POST', url: config.url, headers: { 'content-type': 'application/json' },
 *     body: JSON.stringify({ name: event.outgoingName }),
 *   }),
 * })
 */
export function defineAdapter<Schema extends z.ZodType>(
  definition: AdapterDefinition<Schema>,
): Adapter<z.output<Schema>> {
  if (typeof definition.type !== 'string' || !/^[a-z][a-z0-9_-]{0,63}$/.test(definition.type)) {
    throw new TypeError(
      `Expected adapter \`type\` to be a lower-case name like \`webhook\`, got \`${String(definition.type)}\`.`,
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
    configSchema: definition.configSchema as z.ZodType<z.output<Schema>>,
    secretFields: Object.freeze([...(definition.secretFields ?? [])]),
    buildRequest: definition.buildRequest,
    classifyResponse: definition.classifyResponse ?? classifyHttpResponse,
  })
}
