import type { Redis } from 'ioredis'
import type { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible'
import type { ReleaseSlot, StartLimits } from '../store.js'
import { pauseKey, rateKeyPrefix, slotsKey } from './redis-keys.js'

type RateLimiterClass = typeof import('rate-limiter-flexible').RateLimiterRedis
type SemaphoreClass = typeof import('redis-semaphore').Semaphore

/**
 * How long to wait before asking again for a slot when every one is held: a slot given back is
 * not announced, so the waiting attempts poll (at most the process's concurrency of them).
 */
const SLOT_RETRY_MS = 20

/** Sets an integration's pause unless a longer one is already set: `SET PX` only when it extends it. */
const PAUSE_SCRIPT = `
local left = redis.call('pttl', KEYS[1])
if left < tonumber(ARGV[1]) then redis.call('set', KEYS[1], '1', 'PX', ARGV[1]) end
return 0`

/** `rate-limiter-flexible`, loaded on first use: it is an optional peer, as `ioredis` is. */
async function loadRateLimiter(): Promise<RateLimiterClass> {
  try {
    return (await import('rate-limiter-flexible')).RateLimiterRedis
  } catch (error) {
    throw new Error(
      `the \`rate-limiter-flexible\` package is not installed (${(error as Error).message}): run \`npm install rate-limiter-flexible\``,
    )
  }
}

/** `redis-semaphore`, loaded on first use: it is an optional peer, as `ioredis` is. */
async function loadSemaphore(): Promise<SemaphoreClass> {
  try {
    return (await import('redis-semaphore')).Semaphore
  } catch (error) {
    throw new Error(
      `the \`redis-semaphore\` package is not installed (${(error as Error).message}): run \`npm install redis-semaphore\``,
    )
  }
}

/**
 * The fleet's pacing of every integration, on one connection whatever their number: the starts
 * per second and per minute are counted in Redis by rate-limiter-flexible (one window key per
 * integration and limit), a pause is one key that expires with it, and the attempts in flight
 * are the slots of a redis-semaphore (one sorted set per integration). Every process of the
 * fleet asks the same keys, so the limits hold for the fleet as a whole.
 *
 * Per-second windows are fixed one-second windows: granted at once, a window's starts would go
 * out in a burst, and two bursts a little over a second apart make nearly twice the limit in the
 * second between them. So the n-th start granted in a window is held until n/limit of the way
 * into it: any second sees about the limit, however the windows fall.
 */
export class FleetLimiter {
  readonly #redis: Redis
  readonly #prefix: string
  readonly #RateLimiter: RateLimiterClass
  readonly #Semaphore: SemaphoreClass
  /** One limiter per window length and number of starts; integrations with the same limit share it. */
  readonly #limiters = new Map<string, RateLimiterRedis>()

  private constructor(
    redis: Redis,
    prefix: string,
    RateLimiter: RateLimiterClass,
    Semaphore: SemaphoreClass,
  ) {
    this.#redis = redis
    this.#prefix = prefix
    this.#RateLimiter = RateLimiter
    this.#Semaphore = Semaphore
  }

  /** A limiter on `redis` (a connection of its own: calls wait on it asynchronously). */
  static async create(redis: Redis, prefix: string): Promise<FleetLimiter> {
    const [RateLimiter, Semaphore] = await Promise.all([loadRateLimiter(), loadSemaphore()])
    return new FleetLimiter(redis, prefix, RateLimiter, Semaphore)
  }

  /** See `Store.takeSlot`: the slot's release when granted, or the ms to wait before asking again. */
  async slot(key: string, limit: number, holdMs: number): Promise<ReleaseSlot | number> {
    const semaphore = new this.#Semaphore(this.#redis, slotsKey(this.#prefix, key), limit, {
      lockTimeout: Math.max(1, Math.ceil(holdMs)),
      // One try, no polling inside the library: the router waits (and can be stopped meanwhile).
      acquireAttemptsLimit: 1,
      acquireTimeout: Math.max(1, Math.ceil(holdMs)),
      retryInterval: 0,
      // No refresh timer: the slot expires `holdMs` after it was taken, also when its process lives.
      refreshInterval: 0,
    })
    if (!(await semaphore.tryAcquire())) return SLOT_RETRY_MS
    return () => semaphore.release()
  }

  /** See `Store.takeStart`: 0 when the start is granted, or the ms to wait before asking again. */
  async take(key: string, limits: StartLimits): Promise<number> {
    const pausedMs = await this.#redis.pttl(pauseKey(this.#prefix, key))
    if (pausedMs > 0) return pausedMs
    let spreadMs = 0
    if (limits.perSecond !== null) {
      const taken = await this.#consume(this.#limiter(1, limits.perSecond), key)
      if (taken.waitMs > 0) return taken.waitMs
      const intoWindow = 1000 - taken.windowLeftMs
      spreadMs = Math.ceil(((taken.nth - 1) * 1000) / limits.perSecond - intoWindow)
    }
    if (limits.perMinute !== null) {
      const taken = await this.#consume(this.#limiter(60, limits.perMinute), key)
      if (taken.waitMs > 0) return taken.waitMs
    }
    if (spreadMs <= 0) return 0
    await new Promise((resolve) => setTimeout(resolve, spreadMs))
    // A pause set while this start waited its turn holds it too (its window's place is lost).
    return Math.max(0, await this.#redis.pttl(pauseKey(this.#prefix, key)))
  }

  /** See `Store.pauseStarts`. */
  async pause(key: string, ms: number): Promise<void> {
    const px = String(Math.max(1, Math.ceil(ms)))
    await this.#redis.eval(PAUSE_SCRIPT, 1, pauseKey(this.#prefix, key), px)
  }

  /** One start from `limiter`: granted (`waitMs` 0) as the window's `nth`, or the ms to wait. */
  async #consume(
    limiter: RateLimiterRedis,
    key: string,
  ): Promise<{ readonly waitMs: number; readonly nth: number; readonly windowLeftMs: number }> {
    try {
      const granted = await limiter.consume(key, 1)
      return { waitMs: 0, nth: granted.consumedPoints, windowLeftMs: granted.msBeforeNext }
    } catch (outcome) {
      // Over the limit, the limiter rejects with its result (not an Error): how long to wait.
      if (outcome instanceof Error) throw outcome
      const refused = outcome as RateLimiterRes
      return { waitMs: Math.max(1, refused.msBeforeNext), nth: refused.consumedPoints, windowLeftMs: 0 }
    }
  }

  #limiter(seconds: number, points: number): RateLimiterRedis {
    const name = `${seconds}:${points}`
    let limiter = this.#limiters.get(name)
    if (limiter === undefined) {
      limiter = new this.#RateLimiter({
        storeClient: this.#redis,
        keyPrefix: rateKeyPrefix(this.#prefix, seconds, points),
        points,
        duration: seconds,
        rejectIfRedisNotReady: true,
      })
      this.#limiters.set(name, limiter)
    }
    return limiter
  }
}
