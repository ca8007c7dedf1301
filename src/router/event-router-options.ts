import { z } from 'zod'
import type { Adapter } from '../adapters/adapter.js'
import { DEFAULT_RETRY_OPTIONS, type RetryOptions } from '../delivery/retry-options.js'
import { ConflictError } from '../errors/conflict-error.js'
import { parseInput } from '../errors/parse-input.js'
import { kyTransport } from '../transport/ky-transport.js'
import type { Transport } from '../transport/transport.js'

/** Options of `new EventRouter()`. */
export interface EventRouterOptions {
  /** The adapters integrations can use, registered by their `type`. */
  adapters: readonly Adapter<unknown>[]
  /**
   * Sends the requests adapters build.
   * @default kyTransport() (ky over global fetch)
   */
  transport?: Transport
  /**
   * TTL of one attempt in ms: the attempt is aborted and counts as failed (retryable) after it.
   * @default 10000
   */
  timeoutMs?: number
  /**
   * Retry policy; fields not given keep their default.
   * @default { retries: 5, factor: 2, minTimeout: 1000, maxTimeout: 30000, randomize: true }
   */
  retry?: Partial<RetryOptions>
}

/** Options after defaults and validation. */
export interface ResolvedOptions {
  readonly adapters: ReadonlyMap<string, Adapter<unknown>>
  readonly transport: Transport
  readonly timeoutMs: number
  readonly retry: Readonly<RetryOptions>
}

const positive = z.number().positive().finite()
const nonNegative = z.number().min(0).finite()
const optionsSchema = z.object({
  adapters: z.array(z.object({ type: z.string() }).loose(), 'expected an array of adapters'),
  transport: z.object({ send: z.function() }).loose().optional(),
  timeoutMs: positive.max(2_147_483_647).optional(),
  retry: z
    .strictObject({
      retries: z.number().int().min(0).max(100).optional(),
      factor: z.number().min(1).finite().optional(),
      minTimeout: nonNegative.optional(),
      maxTimeout: nonNegative.optional(),
      randomize: z.boolean().optional(),
    })
    .optional(),
})

/** Validates options and applies defaults. Throws `ValidationError` naming the option. */
export function resolveOptions(options: EventRouterOptions): ResolvedOptions {
  parseInput(optionsSchema, options, 'EventRouter options')
  const adapters = new Map<string, Adapter<unknown>>()
  for (const [index, adapter] of options.adapters.entries()) {
    if (adapters.has(adapter.type)) {
      throw new ConflictError(
        'ERR_DUPLICATE_ID',
        `adapters.${index}.type`,
        `Two adapters have the type \`${adapter.type}\` (adapters.${index}.type); types must be unique.`,
      )
    }
    adapters.set(adapter.type, adapter)
  }
  const retry = { ...DEFAULT_RETRY_OPTIONS, ...options.retry }
  return {
    adapters,
    transport: options.transport ?? kyTransport(),
    timeoutMs: options.timeoutMs ?? 10_000,
    retry: Object.freeze(retry),
  }
}
