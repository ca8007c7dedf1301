import { z } from 'zod'
import type { Adapter } from '../adapters/adapter.js'
import type { Catalog } from '../catalog/catalog.js'
import type { DeadLetterStore } from '../dead-letters/dead-letter-store.js'
import { memoryDeadLetterStore } from '../dead-letters/memory-dead-letter-store.js'
import { type CircuitBreakerOptions, DEFAULT_CIRCUIT_BREAKER } from '../delivery/circuit-breaker.js'
import { DEFAULT_RETRY_OPTIONS, type RetryOptions } from '../delivery/retry-options.js'
import { ConflictError } from '../errors/conflict-error.js'
import { parseInput } from '../errors/parse-input.js'
import { kyTransport } from '../transport/ky-transport.js'
import type { Transport } from '../transport/transport.js'

/** Options of `new EventRouter()`. */
export interface EventRouterOptions<C extends Catalog | undefined = undefined> {
  /** The adapters integrations can use, registered by their `type`. */
  adapters: readonly Adapter<unknown>[]
  /**
   * The events this router knows (see `defineCatalog`). With a catalog, `emit()` is typed
   * by event name, payloads are validated, unknown names are rejected, and filters are
   * checked against each event's schema when subscriptions are saved.
   * @default undefined: any name and JSON payload are accepted
   */
  catalog?: C
  /**
   * What the outgoing event name is built from, after the subscription's prefix: the
   * catalog `title` (`Loyalty Wallet Coins Rewarded`) or the event `name`
   * (`Loyalty wallet.coins_rewarded`). Without a catalog it is always the name.
   * @default 'title'
   */
  outgoingName?: 'title' | 'name'
  /**
   * Sends the requests adapters build.
   * @default kyTransport() (ky over global fetch, with the SSRF guard on: see
   * docs/network-security.md), closed by `router.close()`; a transport you pass is yours to close
   */
  transport?: Transport
  /**
   * TTL of one attempt in ms: the attempt is aborted and counts as failed (retryable) after it.
   * @default 10000
   */
  timeoutMs?: number
  /**
   * Retry policy; fields not given keep their default.
   * @default { retries: 5, factor: 2, minTimeout: 1000, maxTimeout: 30000, randomize: true, throttledRetries: 10 }
   */
  retry?: Partial<RetryOptions>
  /**
   * Most deliveries pending at once (queued, in flight, waiting to retry), which bounds
   * the memory the router holds. What happens when an event would exceed it is `backpressure`.
   * @default 10000
   */
  maxPending?: number
  /**
   * What `emit()` does when `maxPending` is reached: `'throw'` a `BackpressureError` and
   * dispatch nothing, or `'deadLetter'`: accept the event and store the deliveries that do not
   * fit as dead letters (reason `backpressure`). `emitAsync()` always waits for room instead.
   * @default 'throw'
   */
  backpressure?: 'throw' | 'deadLetter'
  /**
   * The circuit breaker of each integration: after `failureThreshold` consecutive deliveries
   * ran out of retries its deliveries are parked as dead letters, and after `coolDownMs` one
   * probe delivery decides whether to resume; with `replayParked`, the oldest parked delivery is
   * that probe and the parked ones are redelivered when it succeeds. `false` turns it off.
   * @default { failureThreshold: 5, coolDownMs: 60000, replayParked: true }
   */
  circuitBreaker?: Partial<CircuitBreakerOptions> | false
  /**
   * Where failed and parked deliveries are kept (`router.deadLetters`).
   * @default memoryDeadLetterStore()
   */
  deadLetterStore?: DeadLetterStore
}

/** Options after defaults and validation. */
export interface ResolvedOptions {
  readonly adapters: ReadonlyMap<string, Adapter<unknown>>
  readonly catalog: Catalog | undefined
  readonly outgoingName: 'title' | 'name'
  readonly transport: Transport
  /** The router made the default transport: close() releases its sockets. */
  readonly ownsTransport: boolean
  readonly timeoutMs: number
  readonly retry: Readonly<RetryOptions>
  readonly maxPending: number
  readonly backpressure: 'throw' | 'deadLetter'
  readonly circuitBreaker: Readonly<CircuitBreakerOptions> | false
  readonly deadLetterStore: DeadLetterStore
}

const positive = z.number().positive().finite()
const nonNegative = z.number().min(0).finite()
const optionsSchema = z.object({
  adapters: z.array(z.object({ type: z.string() }).loose(), 'expected an array of adapters'),
  transport: z.object({ send: z.function() }).loose().optional(),
  catalog: z
    .object(
      { has: z.function(), validatePayload: z.function(), checkFilter: z.function() },
      'expected a catalog made by defineCatalog()',
    )
    .loose()
    .optional(),
  outgoingName: z.enum(['title', 'name']).optional(),
  timeoutMs: positive.max(2_147_483_647).optional(),
  retry: z
    .strictObject({
      retries: z.number().int().min(0).max(100).optional(),
      factor: z.number().min(1).finite().optional(),
      minTimeout: nonNegative.optional(),
      maxTimeout: nonNegative.optional(),
      randomize: z.boolean().optional(),
      throttledRetries: z.number().int().min(0).max(1000).optional(),
    })
    .optional(),
  maxPending: z.number().int().min(1).max(10_000_000).optional(),
  backpressure: z.enum(['throw', 'deadLetter']).optional(),
  circuitBreaker: z
    .union([
      z.literal(false),
      z.strictObject({
        failureThreshold: z.number().int().min(1).max(1_000_000).optional(),
        coolDownMs: nonNegative.max(2_147_483_647).optional(),
        replayParked: z.boolean().optional(),
      }),
    ])
    .optional(),
  deadLetterStore: z
    .object(
      { add: z.function(), list: z.function(), remove: z.function() },
      'expected a dead-letter store with add, list and remove',
    )
    .loose()
    .optional(),
})

/** Validates options and applies defaults. Throws `ValidationError` naming the option. */
export function resolveOptions(options: EventRouterOptions<Catalog | undefined>): ResolvedOptions {
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
    catalog: options.catalog,
    outgoingName: options.outgoingName ?? 'title',
    transport: options.transport ?? kyTransport(),
    ownsTransport: options.transport === undefined,
    timeoutMs: options.timeoutMs ?? 10_000,
    retry: Object.freeze(retry),
    maxPending: options.maxPending ?? 10_000,
    backpressure: options.backpressure ?? 'throw',
    circuitBreaker:
      options.circuitBreaker === false
        ? false
        : Object.freeze({ ...DEFAULT_CIRCUIT_BREAKER, ...options.circuitBreaker }),
    deadLetterStore: options.deadLetterStore ?? memoryDeadLetterStore(),
  }
}
