import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Redis } from 'ioredis'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { EventRouter, webhookAdapter } from '../../../src/index.js'
import { RedisStore } from '../../../src/stores/redis/index.js'
import { failuresKey } from '../../../src/stores/redis/redis-keys.js'
import { FAILURES_TTL_MS } from '../../../src/stores/redis/redis-scripts.js'
import type { ClaimedDeliveries } from '../../../src/stores/store.js'
import { undiciTransport } from '../../../src/transport/undici/index.js'
import { coinsRewarded } from '../../factories.js'
import { deletePrefix, REDIS_URL, redisForTests, uniquePrefix } from '../../support/redis.js'

const reachable = await redisForTests()
const KEY = { id: 'k1', key: randomBytes(32) }
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const EVENT = 'wallet.coins_rewarded'
const prefixes: string[] = []
afterAll(async () => {
  if (reachable) await Promise.all(prefixes.map((prefix) => deletePrefix(prefix)))
})

/** A destination on 127.0.0.1 that answers 500 to every request, and counts them. */
async function failingReceiver() {
  let received = 0
  const server = createServer((request, response) => {
    request.resume()
    request.on('end', () => {
      received++
      response.writeHead(500).end()
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received: () => received,
    close: () => {
      server.closeAllConnections()
      return new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** A Redis store whose process can be told to claim nothing: which router makes each attempt is the test's to say. */
class GatedRedisStore extends RedisStore {
  claiming = true

  override claimDue(queue: string, now: number, limit: number): ClaimedDeliveries {
    return this.claiming ? super.claimDue(queue, now, limit) : { records: [], nextDueAt: null }
  }
}

/** A router of the fleet: its own store on `prefix` (as another process would have), its own transport. */
function member(prefix: string) {
  const store = new GatedRedisStore({ connection: REDIS_URL, prefix, commandTimeoutMs: 2000 })
  const transport = undiciTransport({ allowedAddresses: ['127.0.0.1'] })
  const router = new EventRouter({
    adapters: [webhookAdapter()],
    transport,
    store,
    secrets: { keys: [KEY] },
    retry: { retries: 0, minTimeout: 0, maxTimeout: 0, randomize: false },
    // A long cool-down: no probe while the test looks.
    circuitBreaker: { failureThreshold: 4, coolDownMs: 600_000, replayParked: true },
  })
  const seen = { failed: 0, suspended: [] as number[] }
  router.on('deliveryFailed', () => seen.failed++)
  router.on('integrationSuspended', ({ consecutiveFailures }) => seen.suspended.push(consecutiveFailures))
  return { router, store, transport, seen }
}

const WAIT = { timeout: 15_000, interval: 20 }

describe.skipIf(!reachable)('one failure count for a fleet of routers sharing a redisStore() prefix', () => {
  it('2 failures delivered by each of two routers open the circuit (failureThreshold 4) in both', async () => {
    const prefix = uniquePrefix('fleet-failures')
    prefixes.push(prefix)
    const a = member(prefix)
    const b = member(prefix)
    const receiver = await failingReceiver()
    const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 })
    try {
      await redis.connect()
      // Both routers run from the start: B reads no health record of A's failures at start().
      b.store.claiming = false
      await Promise.all([
        a.router.start({ syncIntervalMs: 60_000 }),
        b.router.start({ syncIntervalMs: 60_000 }),
      ])
      a.router.integrations.add({
        id: 'crm',
        type: 'webhook',
        config: { url: `${receiver.origin}/hooks`, secret: SECRET },
      })
      a.router.subscriptions.create({ id: 'sub', event: EVENT, integrationId: 'crm' })
      await vi.waitFor(() => expect(b.router.subscriptions.get('sub')).toBeDefined(), WAIT)

      // A makes the first two failures (B claims nothing).
      for (const receipt of [a.router.emit(EVENT, coinsRewarded()), a.router.emit(EVENT, coinsRewarded())]) {
        expect((await receipt.settled)[0]).toMatchObject({ status: 'failed', reason: 'retries_exhausted' })
      }
      expect(a.seen.failed).toBe(2)
      expect(a.router.stats().integrations[0]?.circuit).toBe('closed')

      // Then B makes the next two (A claims nothing).
      a.store.claiming = false
      b.store.claiming = true
      expect(b.router.stats().integrations[0]?.circuit).toBe('closed')
      for (const receipt of [b.router.emit(EVENT, coinsRewarded()), b.router.emit(EVENT, coinsRewarded())]) {
        expect((await receipt.settled)[0]).toMatchObject({ status: 'failed', reason: 'retries_exhausted' })
      }
      expect([a.seen.failed, b.seen.failed]).toEqual([2, 2])
      expect(receiver.received()).toBe(4)

      // B's second failure is the fleet's fourth: the circuit opens there, and A adopts it.
      expect(b.seen.suspended).toEqual([4])
      expect(b.router.stats().integrations[0]?.circuit).toBe('open')
      await vi.waitFor(() => expect(a.router.stats().integrations[0]?.circuit).toBe('open'), WAIT)
      expect(a.seen.suspended).toEqual([4])

      // The count lives in Redis, expiring a day after the last failure.
      const key = failuresKey(prefix, '/crm')
      expect(await redis.get(key)).toBe('4')
      const ttl = await redis.pttl(key)
      expect(ttl).toBeGreaterThan(0)
      expect(ttl).toBeLessThanOrEqual(FAILURES_TTL_MS)

      // Removing the integration deletes its health, and its count with it.
      a.router.subscriptions.remove('sub')
      a.router.integrations.remove('crm')
      await vi.waitFor(async () => expect(await redis.exists(key)).toBe(0), WAIT)
    } finally {
      redis.disconnect()
      await Promise.all([a.router.close(), b.router.close()])
      await Promise.all([a.transport.close(), b.transport.close(), receiver.close()])
    }
  })
})
