import { z } from 'zod'
import { classifyHttpResponse } from '../delivery/classify-http-response.js'
import { type Pacing, pacingSchema } from '../delivery/pacing.js'
import { describeValue } from '../shared/describe-value.js'
import type { TransportResponse } from '../transport/transport.js'
import type { AdapterBatching, AdapterBatchingDefinition } from './adapter-batching.js'

/** Linger time of a batch that is not full, when the adapter and the integration set none, in ms. */
export const DEFAULT_LINGER_MS = 100

/** Longest linger time an adapter or integration may set, in ms. */
export const MAX_LINGER_MS = 60_000

const limitsSchema = z.strictObject({
  maxItems: z.number().int().min(1).max(100_000),
  maxBytes: z
    .number()
    .int()
    .min(1)
    .max(1024 * 1024 * 1024),
  lingerMs: z.number().int().min(0).max(MAX_LINGER_MS).optional(),
  pacing: pacingSchema.optional(),
})

const FUNCTIONS = ['buildItem', 'buildRequest'] as const

/**
 * The batching of an adapter as {@link defineAdapter} keeps it: validated, defaults applied,
 * frozen. Throws a `TypeError` naming the adapter and the field that is wrong.
 */
export function defineBatching<Config>(
  type: string,
  definition: AdapterBatchingDefinition<Config>,
): AdapterBatching<Config> {
  if (definition === null || typeof definition !== 'object') {
    throw new TypeError(
      `Expected adapter \`batching\` of \`${type}\` to be an object, got ${describeValue(definition)}.`,
    )
  }
  const { buildItem, buildRequest, classifyResponse, ...limits } = definition
  for (const name of FUNCTIONS) {
    if (typeof definition[name] !== 'function') {
      throw new TypeError(
        `Expected adapter \`batching.${name}\` of \`${type}\` to be a function, got ${describeValue(definition[name])}.`,
      )
    }
  }
  if (classifyResponse !== undefined && typeof classifyResponse !== 'function') {
    throw new TypeError(
      `Expected adapter \`batching.classifyResponse\` of \`${type}\` to be a function, got ${describeValue(classifyResponse)}.`,
    )
  }
  const parsed = limitsSchema.safeParse(limits)
  if (!parsed.success) {
    throw new TypeError(`Invalid adapter \`batching\` of \`${type}\`: ${z.prettifyError(parsed.error)}`)
  }
  return Object.freeze({
    maxItems: parsed.data.maxItems,
    maxBytes: parsed.data.maxBytes,
    lingerMs: parsed.data.lingerMs ?? DEFAULT_LINGER_MS,
    pacing: Object.freeze({ ...(parsed.data.pacing ?? {}) } as Pacing),
    buildItem,
    buildRequest,
    classifyResponse: classifyResponse ?? ((response: TransportResponse) => classifyHttpResponse(response)),
  })
}
