import { afterAll, describe, it } from 'vitest'
import { type RedisStore, redisStore } from '../../../src/stores/redis/index.js'
import type { Store } from '../../../src/stores/store.js'
import { storeContractCases } from '../../../src/testing/index.js'
import { deletePrefix, REDIS_URL, redisForTests, uniquePrefix } from '../../support/redis.js'

const reachable = await redisForTests()
const prefixes: string[] = []

afterAll(async () => {
  if (reachable) await Promise.all(prefixes.map((prefix) => deletePrefix(prefix)))
})

function fresh(): Store {
  const prefix = uniquePrefix('contract')
  prefixes.push(prefix)
  return redisStore({ connection: REDIS_URL, prefix })
}

// A second store on the same prefix: what another process, or this one restarted, opens.
const reopen = (store: Store) => redisStore({ connection: REDIS_URL, prefix: (store as RedisStore).prefix })

describe.skipIf(!reachable)('redisStore() passes the store contract', () => {
  for (const contractCase of storeContractCases(fresh, { reopen, durable: true })) {
    it(contractCase.name, () => contractCase.run())
  }
})
