import { randomUUID } from 'node:crypto'
import { EventEmitter } from 'eventemitter3'
import type { Redis } from 'ioredis'
import type { DeadLetter, ResolvedDeadLetterQuery } from '../../dead-letters/dead-letter.js'
import { StoreError } from '../../errors/store-error.js'
import type {
  AcceptedEvent,
  ClaimedDeliveries,
  DeliveryRecord,
  IntegrationHealth,
  PendingSummary,
  ProbeClaim,
  ReleaseSlot,
  StartLimits,
  Store,
  StoreChange,
  StoredConfiguration,
  StoreOperation,
} from '../store.js'
import type { BridgeNotice } from './bridge-protocol.js'
import { encodeOperations } from './encode-operations.js'
import { FleetLimiter } from './fleet-limiter.js'
import { createRedisClient, loadIoredis } from './redis-connection.js'
import {
  type RedisStoreOptions,
  type ResolvedRedisStoreOptions,
  resolveRedisStoreOptions,
} from './redis-store-options.js'
import { BridgeFailure, SyncBridge } from './sync-bridge.js'

/** What a {@link RedisStore} tells its listeners. */
export interface RedisStoreEvents {
  /** The connection to Redis was lost: every call fails fast with a `StoreError` until it is back. */
  disconnected: [
    info: {
      /** What happened, for a log line; never holds the password. */
      readonly reason: string
    },
  ]
  /** The connection is back; the store goes on by itself. */
  reconnected: []
  /** Deliveries to claim were written to these queues (by any process of the fleet) or given back by a process that died. */
  work: [queues: readonly string[]]
  /** A process of the fleet changed the configuration (`by` is its owner id; this store's is {@link RedisStore.owner}). */
  config: [
    info: {
      /** The owner id of the process that changed it. */
      readonly by: string
    },
  ]
  /** A process of the fleet changed integration health: a circuit, a pause (`by` is its owner id). */
  health: [
    info: {
      /** The owner id of the process that changed it. */
      readonly by: string
    },
  ]
}

type State = 'created' | 'opening' | 'open' | 'closed'

/** How much longer than `commandTimeoutMs` a call may wait for its thread before giving up itself. */
const THREAD_MARGIN_MS = 250
/** Time allowed for the store's thread to start, on top of `connectTimeoutMs`. */
const THREAD_START_MS = 15_000

/**
 * A {@link Store} on Redis, shared by every router of a fleet that uses the same server and
 * `prefix`:
 *
 * ```ts
 * import { redisStore } from 'eventrouter/stores/redis'
 * const store = redisStore({ connection: process.env.REDIS_URL })
 * ```
 *
 * - Pending deliveries, dead letters, health and configuration live in Redis. Each write is one
 *   Lua script, which Redis runs alone: a batch is kept whole or not at all.
 * - Claims belong to the process that made them and are kept alive by its heartbeat: when a
 *   process dies, its claims are given back after `leaseMs`, and another process of the fleet
 *   makes their attempts again with the same delivery ids (at least once).
 * - Methods other than `open()` and `close()` are synchronous: the store talks to Redis from a
 *   thread of its own and waits for the answer, for at most `commandTimeoutMs`. So `emit()`
 *   returns once Redis has kept its deliveries, or throws a `StoreError` within that time.
 * - Each integration's pacing holds for the whole fleet: its attempts in flight (`concurrency`,
 *   see `Store.takeSlot`) with redis-semaphore, its starts (`perSecond`, `perMinute`) with
 *   rate-limiter-flexible, and a 429 or 503 with `Retry-After` pauses it in every process (see
 *   `Store.takeStart`). A slot held by a process that died is free again once the attempt
 *   timeout (`timeoutMs` of the router) and a second have passed. A process opens three
 *   connections, however many integrations and tenants it serves: calls and notices (the
 *   store's thread), and pacing.
 * - Each integration's circuit breaker holds for the whole fleet: health changes are announced
 *   on a channel (`health`) and every process adopts them within a few ms (an open circuit parks
 *   deliveries in every process, a closed one resumes them), and one process sends the probe
 *   (`Store.claimProbe`, a key that expires after the cool-down). The consecutive failures that
 *   open it are counted by the fleet too (`Store.countFailures`).
 * - Writes that leave deliveries to claim are announced on a channel (`work`), and configuration
 *   and health changes too (`config`, `health`): see {@link RedisStoreEvents}.
 *
 * Needs the `ioredis`, `rate-limiter-flexible` and `redis-semaphore` packages (optional peers:
 * `npm install ioredis rate-limiter-flexible redis-semaphore`).
 */
export function redisStore(options: RedisStoreOptions): RedisStore {
  return new RedisStore(options)
}

/** The store {@link redisStore} makes. */
export class RedisStore extends EventEmitter<RedisStoreEvents> implements Store {
  readonly durable = true
  /** This store's owner id: names its claims and its heartbeat in Redis, and the processes' notices. */
  readonly owner: string = randomUUID()
  /** The key prefix: routers with the same server and prefix are one fleet. */
  readonly prefix: string
  readonly #options: ResolvedRedisStoreOptions
  #bridge: SyncBridge | undefined
  /** The pacing connection and its limiter, used from this thread without blocking it. */
  #pacing: { readonly redis: Redis; readonly limiter: FleetLimiter } | undefined
  #state: State = 'created'

  constructor(options: RedisStoreOptions) {
    super()
    this.#options = resolveRedisStoreOptions(options)
    this.prefix = this.#options.prefix
  }

  /** Where the store is, as messages say it: `redis://host:port/db`, never a password. */
  get location(): string {
    return this.#options.location
  }

  async open(): Promise<void> {
    const operation = `open the Redis store at ${this.#where()}`
    if (this.#state !== 'created') {
      throw new StoreError(
        operation,
        `the store was already ${this.#state === 'closed' ? 'closed' : 'opened'}`,
      )
    }
    this.#state = 'opening'
    const bridge = new SyncBridge(
      new URL(`./redis-store-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url),
      { options: this.#options, owner: this.owner },
      (notice) => this.#notice(notice),
    )
    try {
      await bridge.callAsync('open', [], this.#options.connectTimeoutMs + THREAD_START_MS)
      this.#pacing = await this.#openPacing()
    } catch (error) {
      this.#state = 'closed'
      await bridge.callAsync('close', [], this.#options.commandTimeoutMs).catch(() => {})
      await bridge.terminate()
      throw this.#failure(operation, error)
    }
    this.#bridge = bridge
    this.#state = 'open'
  }

  async close(): Promise<void> {
    if (this.#state !== 'open') {
      this.#state = 'closed'
      return
    }
    this.#state = 'closed'
    const bridge = this.#bridge as SyncBridge
    this.#bridge = undefined
    this.#pacing?.redis.disconnect()
    this.#pacing = undefined
    try {
      // Gives back what this process still holds, so that the fleet takes it over at once.
      await bridge.callAsync('close', [], this.#options.commandTimeoutMs + THREAD_MARGIN_MS)
    } catch (error) {
      throw this.#failure(`close the Redis store at ${this.#where()}`, error)
    } finally {
      await bridge.terminate()
    }
  }

  write(operations: readonly StoreOperation[]): void {
    const count = operations.length
    const operation = `write ${count === 1 ? 'an operation' : `${count} operations`} to the Redis store at ${this.#where()}`
    // Refused here, before anything is sent, when the batch holds an operation of unknown type.
    try {
      encodeOperations(operations)
    } catch (error) {
      throw this.#failure(operation, error, 'Nothing of the batch was kept')
    }
    if (count === 0) return
    this.#call(
      operation,
      'write',
      [operations],
      'Nothing of the batch was kept, unless Redis applied it after the time allowed',
    )
  }

  loadConfiguration(): StoredConfiguration {
    return this.#call(`load the configuration from ${this.#where()}`, 'loadConfiguration', [])
  }

  loadHealth(): readonly IntegrationHealth[] {
    return this.#call(`load integration health from ${this.#where()}`, 'loadHealth', [])
  }

  pendingSummary(): readonly PendingSummary[] {
    return this.#call(`read the pending deliveries from ${this.#where()}`, 'pendingSummary', [])
  }

  claimDue(queue: string, now: number, limit: number): ClaimedDeliveries {
    return this.#call(`claim deliveries of queue \`${queue}\` from ${this.#where()}`, 'claimDue', [
      queue,
      now,
      limit,
    ])
  }

  getDeliveries(ids: readonly string[]): readonly DeliveryRecord[] {
    if (ids.length === 0) return []
    return this.#call(`read deliveries from ${this.#where()}`, 'getDeliveries', [ids])
  }

  listDeadLetters(query: ResolvedDeadLetterQuery): readonly DeadLetter[] {
    return this.#call(`list dead letters from ${this.#where()}`, 'listDeadLetters', [query])
  }

  getAcceptedEvent(tenant: string | null, eventId: string): AcceptedEvent | undefined {
    return this.#call(`look up event ${eventId} in ${this.#where()}`, 'getAcceptedEvent', [tenant, eventId])
  }

  /** Takes one start of integration `key` for the whole fleet (see `Store.takeStart`). */
  async takeStart(key: string, limits: StartLimits): Promise<number> {
    return this.#pacingCall(`take a start of integration \`${key}\` from ${this.#where()}`, (limiter) =>
      limiter.take(key, limits),
    )
  }

  /** Pauses integration `key` in every process of the fleet (see `Store.pauseStarts`). */
  async pauseStarts(key: string, ms: number): Promise<void> {
    return this.#pacingCall(`pause integration \`${key}\` in ${this.#where()}`, (limiter) =>
      limiter.pause(key, ms),
    )
  }

  /** Takes one of the `limit` slots of integration `key` in the whole fleet (see `Store.takeSlot`). */
  async takeSlot(key: string, limit: number, holdMs: number): Promise<ReleaseSlot | number> {
    const taken = await this.#pacingCall(
      `take a slot of integration \`${key}\` from ${this.#where()}`,
      (limiter) => limiter.slot(key, limit, holdMs),
    )
    if (typeof taken === 'number') return taken
    const operation = `give back a slot of integration \`${key}\` to ${this.#where()}`
    return async () => {
      try {
        await taken()
      } catch (error) {
        throw this.#failure(operation, error)
      }
    }
  }

  /**
   * Claims the probe of integration `key`'s open circuit for delivery `deliveryId`, for `ms`, in
   * the whole fleet (see `Store.claimProbe`).
   */
  claimProbe(key: string, deliveryId: string, ms: number): ProbeClaim {
    return this.#call(`claim the probe of integration \`${key}\` in ${this.#where()}`, 'claimProbe', [
      key,
      deliveryId,
      ms,
    ])
  }

  /**
   * Adds a failure of integration `key` to the whole fleet's consecutive failures and returns
   * them, or resets them (`healthy`): see `Store.countFailures`.
   */
  countFailures(key: string, outcome: 'failing' | 'healthy'): number {
    const what = outcome === 'failing' ? 'count a failure of' : 'reset the failure count of'
    return this.#call(`${what} integration \`${key}\` in ${this.#where()}`, 'countFailures', [key, outcome])
  }

  /**
   * Follows the fleet (see `Store.watch`): deliveries announced on the work channel, configuration
   * and health changed by another process, and the deliveries and health again after a
   * reconnection (notices sent while this process was disconnected are lost).
   */
  watch(listener: (change: StoreChange) => void): () => void {
    const onWork = (queues: readonly string[]) => listener({ type: 'deliveries', queues })
    const onConfig = ({ by }: { readonly by: string }) => {
      if (by !== this.owner) listener({ type: 'configuration' })
    }
    const onHealth = ({ by }: { readonly by: string }) => {
      if (by !== this.owner) listener({ type: 'health' })
    }
    // After a reconnection the deliveries and health are read again (notices may have been lost);
    // the configuration is not, so that a Redis restarted empty does not wipe this process's.
    // Health read from an empty Redis changes nothing: only records found are adopted.
    const onReconnected = () => {
      listener({ type: 'deliveries', queues: [] })
      listener({ type: 'health' })
    }
    this.on('work', onWork)
    this.on('config', onConfig)
    this.on('health', onHealth)
    this.on('reconnected', onReconnected)
    return () => {
      this.off('work', onWork)
      this.off('config', onConfig)
      this.off('health', onHealth)
      this.off('reconnected', onReconnected)
    }
  }

  async #openPacing(): Promise<{ readonly redis: Redis; readonly limiter: FleetLimiter }> {
    const redis = createRedisClient(await loadIoredis(), this.#options, `eventrouter:${this.owner}:pacing`)
    // Errors are the calls' to report (and reconnection is ioredis's): not an unhandled 'error'.
    redis.on('error', () => {})
    try {
      const limiter = await FleetLimiter.create(redis, this.#options.prefix)
      await redis.connect()
      return { redis, limiter }
    } catch (error) {
      redis.disconnect()
      throw error
    }
  }

  async #pacingCall<T>(operation: string, call: (limiter: FleetLimiter) => Promise<T>): Promise<T> {
    if (this.#state !== 'open' || this.#pacing === undefined) {
      throw new StoreError(
        operation,
        this.#state === 'closed' ? 'the store is closed' : 'the store is not open',
      )
    }
    try {
      return await call(this.#pacing.limiter)
    } catch (error) {
      throw this.#failure(operation, error)
    }
  }

  #call<T>(operation: string, method: string, args: readonly unknown[], outcome?: string): T {
    if (this.#state !== 'open' || this.#bridge === undefined) {
      throw new StoreError(
        operation,
        this.#state === 'closed' ? 'the store is closed' : 'the store is not open',
      )
    }
    try {
      return this.#bridge.call<T>(method, args, this.#options.commandTimeoutMs + THREAD_MARGIN_MS)
    } catch (error) {
      throw this.#failure(operation, error, outcome)
    }
  }

  #failure(operation: string, error: unknown, outcome?: string): StoreError {
    if (error instanceof StoreError) return error
    const reason = (error instanceof Error ? error.message : String(error)).replace(/[.\s]+$/, '')
    const advice =
      error instanceof BridgeFailure && error.kind === 'timeout'
        ? 'Check that Redis is running and reachable; calls fail fast while it is not, and the store reconnects by itself'
        : undefined
    const parts = [reason, advice, outcome].filter((part): part is string => part !== undefined)
    return new StoreError(operation, `${parts.join('. ')}.`, { cause: error })
  }

  #where(): string {
    return `${this.#options.location} (prefix \`${this.#options.prefix}\`)`
  }

  #notice(notice: BridgeNotice): void {
    switch (notice.type) {
      case 'disconnected':
        this.emit('disconnected', { reason: notice.reason })
        return
      case 'reconnected':
        this.emit('reconnected')
        return
      case 'work':
        this.emit('work', notice.queues)
        return
      case 'config':
        this.emit('config', { by: notice.by })
        return
      case 'health':
        this.emit('health', { by: notice.by })
        return
    }
  }
}
