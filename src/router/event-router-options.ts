import { z } from 'zod'
import type { Adapter } from '../adapters/adapter.js'
import type { Catalog } from '../catalog/catalog.js'
import type { DeadLetterStore } from '../dead-letters/dead-letter-store.js'
import { type CircuitBreakerOptions, DEFAULT_CIRCUIT_BREAKER } from '../delivery/circuit-breaker.js'
import { DEFAULT_RETRY_OPTIONS, type RetryOptions } from '../delivery/retry-options.js'
import { ConflictError } from '../errors/conflict-error.js'
import { parseInput } from '../errors/parse-input.js'
import { ValidationError } from '../errors/validation-error.js'
import type { Logger } from '../observability/logger.js'
import type { Telemetry } from '../observability/telemetry.js'
import { assertNoForbiddenKeys } from '../shared/json-data.js'
import { memoryStore } from '../stores/memory/index.js'
import type { SecretsAtRest } from '../stores/secret-sealer.js'
import type { Store } from '../stores/store.js'
import { kyTransport } from '../transport/ky/index.js'
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
   * that probe and the parked ones are redelivered when it succeeds. On a store that counts
   * failures for a fleet (`Store.countFailures`, as `redisStore()` has), the consecutive failures
   * are those of every process together. `false` turns it off.
   * @default { failureThreshold: 5, coolDownMs: 60000, replayParked: true }
   */
  circuitBreaker?: Partial<CircuitBreakerOptions> | false
  /**
   * Where failed and parked deliveries are kept (`router.deadLetters`), when they should not go to
   * `store`. A separate store cannot share a transaction with the pending deliveries: a crash
   * between the two writes may keep a delivery both pending and dead-lettered.
   * @default the `store`'s dead letters
   */
  deadLetterStore?: DeadLetterStore
  /**
   * Where everything that must not be lost is kept: pending deliveries (queued, waiting to retry),
   * dead letters, integration health, and the configuration (integrations, subscriptions, event
   * switches). With a durable store such as `sqliteStore()` (`eventrouter/stores/sqlite`), call
   * `await router.start()` before using the router: it loads the configuration and goes on with
   * what a previous process left pending; `close()` then leaves queued and retrying deliveries in
   * the store for the next start. See docs/durability.md.
   * @default memoryStore(): in this process's memory, lost when it exits
   */
  store?: Store
  /**
   * How a durable store keeps integration secrets (API keys, webhook secrets):
   * `{ keys: [{ id, key }] }` encrypts them with AES-256-GCM (the first key seals, every key
   * opens: put a new key first to rotate), `{ resolve }` keeps them out of the store and asks you at
   * `start()`, `'plaintext'` writes them as they are. Required with a durable store: plain text
   * only when you ask for it.
   * @default none (a memory store keeps nothing)
   */
  secrets?: SecretsAtRest
  /**
   * How long an event id given to `emit()` (`options.id`) is remembered: emitting it again within
   * that time makes no new deliveries and returns the first ones (`receipt.duplicate`), so a relay
   * that retries after a crash sends nothing twice.
   * @default 86400000 (24 hours)
   */
  eventIdRetentionMs?: number
  /**
   * Limits per tenant (`router.tenant(id)`, `emit(..., { tenant })`), so that one merchant can
   * neither starve the others nor grow without bound. See docs/tenants.md.
   * @default { maxPending: ceil(maxPending / 10) } and no quota
   */
  tenants?: TenantLimits & {
    /** Limits of particular tenants (a merchant's plan), over these defaults field by field. */
    limits?: (tenant: string) => TenantLimits | undefined
  }
  /**
   * OpenTelemetry traces and metrics: `openTelemetry()` from `eventrouter/telemetry` (which needs
   * `@opentelemetry/api`), or any {@link Telemetry}. A span per delivery, a child span per attempt
   * (HTTP client conventions), linked to the span active at `emit()`, and delivery metrics. See
   * docs/observability.md.
   * @default none: no trace context is captured and no telemetry code is loaded
   */
  telemetry?: Telemetry
  /**
   * Where the router logs integration state changes, throttling, failed deliveries and errors
   * outside a delivery: any object with `debug`, `info`, `warn` and `error` taking
   * `(fields, message)` (pino as it is, console; see {@link Logger}). Fields never hold a secret.
   * @default none: silent
   */
  logger?: Logger
}

/** What one tenant may use. */
export interface TenantLimits {
  /**
   * Most deliveries of the tenant's events pending at once, within the router's `maxPending`: its
   * share, which leaves room for the other tenants whatever its burst. `null` for no share of its own.
   * @default ceil(maxPending / 10)
   */
  maxPending?: number | null
  /** Most integrations the tenant may have. @default no limit */
  maxIntegrations?: number | null
  /** Most subscriptions the tenant may have. @default no limit */
  maxSubscriptions?: number | null
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
  /** The host's own dead-letter store, if it passed one. */
  readonly deadLetterStore: DeadLetterStore | undefined
  readonly store: Store
  readonly secrets: SecretsAtRest | undefined
  readonly eventIdRetentionMs: number
  /** A tenant's limits, defaults applied (the platform has none but `maxPending`). */
  readonly tenantLimits: (tenant: string | null) => Readonly<Required<TenantLimits>>
  readonly telemetry: Telemetry | undefined
  readonly logger: Logger | undefined
}

const positive = z.number().positive().finite()
const nonNegative = z.number().min(0).finite()
const optionsSchema = z.strictObject({
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
  store: z
    .object(
      {
        durable: z.boolean(),
        open: z.function(),
        close: z.function(),
        write: z.function(),
        loadConfiguration: z.function(),
        claimDue: z.function(),
      },
      'expected a store such as memoryStore() or sqliteStore()',
    )
    .loose()
    .optional(),
  secrets: z
    .union(
      [
        z.literal('plaintext'),
        z.strictObject({ keys: z.array(z.object({ id: z.string(), key: z.unknown() })) }),
        z.strictObject({ resolve: z.function() }),
      ],
      "expected { keys: [{ id, key }] }, { resolve } or 'plaintext'",
    )
    .optional(),
  eventIdRetentionMs: z.number().int().min(0).optional(),
  tenants: z
    .strictObject({
      maxPending: z.number().int().min(1).nullable().optional(),
      maxIntegrations: z.number().int().min(0).nullable().optional(),
      maxSubscriptions: z.number().int().min(0).nullable().optional(),
      limits: z.function().optional(),
    })
    .optional(),
  telemetry: z
    .object(
      { captureContext: z.function(), attach: z.function() },
      "expected telemetry such as openTelemetry() from 'eventrouter/telemetry'",
    )
    .loose()
    .optional(),
  // A host's logger (pino, winston, console) has many more members: only these four are needed.
  logger: z
    .object(
      { debug: z.function(), info: z.function(), warn: z.function(), error: z.function() },
      'expected a logger with debug, info, warn and error methods',
    )
    .loose()
    .optional(),
})

const tenantLimitsSchema = z.strictObject({
  maxPending: z.number().int().min(1).nullable().optional(),
  maxIntegrations: z.number().int().min(0).nullable().optional(),
  maxSubscriptions: z.number().int().min(0).nullable().optional(),
})

const NO_LIMITS: Readonly<Required<TenantLimits>> = Object.freeze({
  maxPending: null,
  maxIntegrations: null,
  maxSubscriptions: null,
})

/** Validates options and applies defaults. Throws `ValidationError` naming the option. */
export function resolveOptions(options: EventRouterOptions<Catalog | undefined>): ResolvedOptions {
  parseInput(optionsSchema, options, 'EventRouter options')
  assertNoForbiddenKeys(options, 'EventRouter options', '')
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
  const store = options.store ?? memoryStore()
  if (store.durable && options.secrets === undefined) {
    throw new ValidationError('EventRouter options', [
      {
        path: 'secrets',
        message:
          "a durable store needs to know how to keep integration secrets: { keys: [{ id, key }] } (encrypted), { resolve } (kept out of the store) or 'plaintext'",
      },
    ])
  }
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
    deadLetterStore: options.deadLetterStore,
    store,
    secrets: options.secrets,
    tenantLimits: tenantLimitsOf(options.tenants, options.maxPending ?? 10_000),
    eventIdRetentionMs: options.eventIdRetentionMs ?? 86_400_000,
    telemetry: options.telemetry,
    logger: options.logger,
  }
}

/** Each tenant's limits: its own (`limits(tenant)`) over the defaults, checked once per call. */
function tenantLimitsOf(
  tenants: EventRouterOptions['tenants'],
  maxPending: number,
): (tenant: string | null) => Readonly<Required<TenantLimits>> {
  const defaults: Readonly<Required<TenantLimits>> = Object.freeze({
    maxPending: tenants?.maxPending === undefined ? Math.ceil(maxPending / 10) : tenants.maxPending,
    maxIntegrations: tenants?.maxIntegrations ?? null,
    maxSubscriptions: tenants?.maxSubscriptions ?? null,
  })
  const limits = tenants?.limits
  return (tenant) => {
    if (tenant === null) return NO_LIMITS
    if (!limits) return defaults
    const own = parseInput(tenantLimitsSchema, limits(tenant) ?? {}, `limits of tenant \`${tenant}\``)
    return {
      maxPending: own.maxPending === undefined ? defaults.maxPending : own.maxPending,
      maxIntegrations: own.maxIntegrations === undefined ? defaults.maxIntegrations : own.maxIntegrations,
      maxSubscriptions: own.maxSubscriptions === undefined ? defaults.maxSubscriptions : own.maxSubscriptions,
    }
  }
}
