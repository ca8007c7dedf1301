import { z } from 'zod'
import { parseInput } from '../../errors/parse-input.js'

/** Where the Redis server is, as fields (what ioredis takes, restricted to what can cross to the store's thread). */
export interface RedisConnectionOptions {
  /** @default '127.0.0.1' */
  host?: string
  /** @default 6379 */
  port?: number
  /** Redis ACL user. @default none */
  username?: string
  /** Never shown in an error, a log or an event. @default none */
  password?: string
  /** Database index. @default 0 */
  db?: number
  /** Connect over TLS (`rediss://`), with Node's default certificate checks. @default false */
  tls?: boolean
}

/** What {@link redisStore} takes. */
export interface RedisStoreOptions {
  /**
   * The Redis server: a `redis://` or `rediss://` URL (`redis://:password@host:6379/0`), or its
   * fields. A single server, a primary, or Sentinel-free replication; not a Redis Cluster. The
   * password is never shown in an error, log or event.
   */
  connection: string | RedisConnectionOptions
  /**
   * Prefix of every key and channel. Routers that share a prefix are one fleet: they share
   * pending deliveries, dead letters, health and configuration.
   * @default 'eventrouter'
   */
  prefix?: string
  /**
   * Longest a store call waits for Redis (a write from `emit()`, a claim) before it fails with a
   * `StoreError`. `emit()` never waits longer than this for an unreachable Redis.
   * @default 1000
   */
  commandTimeoutMs?: number
  /** Longest `open()` (in `router.start()`) waits to connect before it fails with a `StoreError`. @default 5000 */
  connectTimeoutMs?: number
  /**
   * How long the deliveries a process holds stay claimed after it stops renewing them (it died):
   * then another process of the fleet takes them over. The lease is renewed every third of it.
   * @default 10000
   */
  leaseMs?: number
}

/** {@link RedisStoreOptions} after validation, with defaults: what the store's thread is given. */
export interface ResolvedRedisStoreOptions {
  readonly connection: string | RedisConnectionOptions
  readonly prefix: string
  readonly commandTimeoutMs: number
  readonly connectTimeoutMs: number
  readonly leaseMs: number
  /** The server as messages name it: host, port and database, never a user or password. */
  readonly location: string
}

/** The defaults of {@link RedisStoreOptions}. */
export const REDIS_STORE_DEFAULTS = {
  /** {@link RedisStoreOptions.prefix}: keys and channels start with `eventrouter`. */
  prefix: 'eventrouter',
  /** {@link RedisStoreOptions.commandTimeoutMs}: 1 second. */
  commandTimeoutMs: 1000,
  /** {@link RedisStoreOptions.connectTimeoutMs}: 5 seconds. */
  connectTimeoutMs: 5000,
  /** {@link RedisStoreOptions.leaseMs}: 10 seconds. */
  leaseMs: 10_000,
} as const

const urlSchema = z.string().refine((value) => /^rediss?:\/\//.test(value) && URL.canParse(value), {
  // Never the URL itself: it may hold a password.
  message: 'expected a redis:// or rediss:// URL',
})
const fieldsSchema = z.strictObject({
  host: z.string().min(1).optional(),
  port: z.number().int().min(1).max(65_535).optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  db: z.number().int().min(0).optional(),
  tls: z.boolean().optional(),
})
const milliseconds = (min: number) => z.number().int().min(min).max(2_147_483_647).optional()
const schema = z.strictObject({
  connection: z.union([urlSchema, fieldsSchema], 'expected a redis:// URL or connection fields'),
  prefix: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'expected 1-64 letters, digits or `_ . : -`')
    .optional(),
  commandTimeoutMs: milliseconds(1),
  connectTimeoutMs: milliseconds(1),
  leaseMs: milliseconds(1000),
})

/** Validates options and applies defaults. Throws `ValidationError` naming the option (never a password). */
export function resolveRedisStoreOptions(options: RedisStoreOptions): ResolvedRedisStoreOptions {
  parseInput(schema, options, 'Redis store options')
  const { connection } = options
  return {
    connection: typeof connection === 'string' ? connection : { ...connection },
    prefix: options.prefix ?? REDIS_STORE_DEFAULTS.prefix,
    commandTimeoutMs: options.commandTimeoutMs ?? REDIS_STORE_DEFAULTS.commandTimeoutMs,
    connectTimeoutMs: options.connectTimeoutMs ?? REDIS_STORE_DEFAULTS.connectTimeoutMs,
    leaseMs: options.leaseMs ?? REDIS_STORE_DEFAULTS.leaseMs,
    location: describeLocation(connection),
  }
}

/** `redis://host:port/db`, without user or password. */
export function describeLocation(connection: string | RedisConnectionOptions): string {
  if (typeof connection === 'string') {
    const url = new URL(connection)
    const db = url.pathname.length > 1 ? url.pathname : '/0'
    return `${url.protocol}//${url.hostname}:${url.port || '6379'}${db}`
  }
  const scheme = connection.tls ? 'rediss' : 'redis'
  return `${scheme}://${connection.host ?? '127.0.0.1'}:${connection.port ?? 6379}/${connection.db ?? 0}`
}
