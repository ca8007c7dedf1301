import type { Redis, RedisOptions } from 'ioredis'
import type { ResolvedRedisStoreOptions } from './redis-store-options.js'

/** The ioredis client class, loaded on first use: `ioredis` is an optional peer. */
export async function loadIoredis(): Promise<typeof import('ioredis').Redis> {
  try {
    return (await import('ioredis')).Redis
  } catch (error) {
    throw new Error(
      `the \`ioredis\` package is not installed (${(error as Error).message}): run \`npm install ioredis\``,
    )
  }
}

/**
 * A connection of the store, not connected yet (`lazyConnect`), named `connectionName` in
 * `CLIENT LIST`. Commands fail fast while it is disconnected instead of queueing (emit() must not
 * wait for a reconnection), and it reconnects for ever, backing off to 2 s between tries.
 */
export function createRedisClient(
  RedisClass: typeof import('ioredis').Redis,
  options: ResolvedRedisStoreOptions,
  connectionName: string,
): Redis {
  const settings: RedisOptions = {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs,
    connectTimeout: options.connectTimeoutMs,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
    connectionName,
  }
  const { connection } = options
  return typeof connection === 'string'
    ? new RedisClass(connection, settings)
    : new RedisClass({
        ...settings,
        ...(connection.host === undefined ? {} : { host: connection.host }),
        ...(connection.port === undefined ? {} : { port: connection.port }),
        ...(connection.username === undefined ? {} : { username: connection.username }),
        ...(connection.password === undefined ? {} : { password: connection.password }),
        ...(connection.db === undefined ? {} : { db: connection.db }),
        ...(connection.tls ? { tls: {} } : {}),
      })
}
