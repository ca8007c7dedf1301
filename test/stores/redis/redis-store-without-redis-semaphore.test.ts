import { describe, expect, it, vi } from 'vitest'
import { StoreError } from '../../../src/errors/store-error.js'
import { redisStore } from '../../../src/stores/redis/index.js'
import { REDIS_URL, redisForTests, uniquePrefix } from '../../support/redis.js'

// As when the optional peer is not installed: any import of it fails.
vi.mock('redis-semaphore', () => {
  throw Object.assign(new Error("Cannot find package 'redis-semaphore' imported from eventrouter"), {
    code: 'ERR_MODULE_NOT_FOUND',
  })
})

const reachable = await redisForTests()

describe.skipIf(!reachable)('redisStore without the redis-semaphore package', () => {
  it('open() fails with a StoreError that says to install it', async () => {
    const store = redisStore({ connection: REDIS_URL, prefix: uniquePrefix('no-semaphore') })
    const error = await store.open().catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(StoreError)
    expect((error as StoreError).message).toMatch(
      /^Could not open the Redis store at .*: the `redis-semaphore` package is not installed \(.*\): run `npm install redis-semaphore`\.$/,
    )
    await store.close()
  })
})
