export { RedisStore, type RedisStoreEvents, redisStore } from './redis-store.js'
export {
  REDIS_STORE_DEFAULTS,
  type RedisConnectionOptions,
  type RedisStoreOptions,
} from './redis-store-options.js'
