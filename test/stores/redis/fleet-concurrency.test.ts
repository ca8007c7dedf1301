import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import { EventRouter, type ReleaseSlot, SettledElsewhereError, webhookAdapter } from '../../../src/index.js'
import { type RedisStore, redisStore } from '../../../src/stores/redis/index.js'
import { undiciTransport } from '../../../src/transport/undici/index.js'
import { coinsRewarded } from '../../factories.js'
import { eventually } from '../../support/eventually.js'
import { deletePrefix, REDIS_URL, redisForTests, uniquePrefix } from '../../support/redis.js'

const reachable = await redisForTests()
const KEY = { id: 'k1', key: randomBytes(32) }
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const prefixes: string[] = []
afterAll(async () => {
  if (reachable) await Promise.all(prefixes.map((prefix) => deletePrefix(prefix)))
})

/**
 * A receiver on 127.0.0.1 that holds each request open for `holdMs`, then answers 200: counts
 * the deliveries it got (by `webhook-id`) and the most requests open at once.
 */
async function holdingReceiver(holdMs: number) {
  let open = 0
  const counts = { deliveries: new Set<string>(), maxOpen: 0 }
  const server: Server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      counts.deliveries.add(String(req.headers['webhook-id']))
      open++
      counts.maxOpen = Math.max(counts.maxOpen, open)
      setTimeout(() => {
        open--
        res.end('ok')
      }, holdMs)
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    origin: `http://127.0.0.1:${port}`,
    counts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

function storeOn(prefix: string): RedisStore {
  return redisStore({ connection: REDIS_URL, prefix, commandTimeoutMs: 1000 })
}

describe.skipIf(!reachable)('pacing.concurrency across a fleet (redisStore)', () => {
  it('two routers on one prefix never have more attempts in flight than the concurrency, together', async () => {
    const prefix = uniquePrefix('concurrency')
    prefixes.push(prefix)
    const receiver = await holdingReceiver(40)
    const transports = [
      undiciTransport({ allowedAddresses: ['127.0.0.1'] }),
      undiciTransport({ allowedAddresses: ['127.0.0.1'] }),
    ]
    const routers = transports.map(
      (transport) =>
        new EventRouter({
          adapters: [webhookAdapter()],
          transport,
          store: storeOn(prefix),
          secrets: { keys: [KEY] },
          retry: { retries: 5, minTimeout: 0, maxTimeout: 0, randomize: false },
        }),
    )
    const [first, second] = routers as [EventRouter, EventRouter]
    // 60 deliveries: more than a router claims at once (2 × concurrency + 16), so both get some.
    const byRouter = { first: 0, second: 0 }
    first.on('deliverySucceeded', () => byRouter.first++)
    second.on('deliverySucceeded', () => byRouter.second++)
    await first.start({ syncIntervalMs: 50 })
    await second.start({ syncIntervalMs: 50 })
    first.integrations.add({
      id: 'crm',
      type: 'webhook',
      config: { url: `${receiver.origin}/hooks`, secret: SECRET },
      pacing: { concurrency: 2 },
    })
    first.subscriptions.create({ id: 'sub', event: 'wallet.coins_rewarded', integrationId: 'crm' })
    await eventually(async () => second.subscriptions.get('sub') !== undefined)

    // Either router may make a delivery's attempt: the other's receipt then says it was settled elsewhere.
    const outcomes = await Promise.all(
      Array.from({ length: 60 }, (_, index) =>
        (index % 2 === 0 ? first : second).emit('wallet.coins_rewarded', coinsRewarded()).settled.then(
          ([result]) => result?.status,
          (error: unknown) => (error instanceof SettledElsewhereError ? 'elsewhere' : error),
        ),
      ),
    )
    expect(outcomes.filter((outcome) => outcome !== 'succeeded' && outcome !== 'elsewhere')).toEqual([])
    expect(receiver.counts.deliveries.size).toBe(60)
    // Both routers made attempts: otherwise one process's own concurrency would pass this alone.
    expect(byRouter.first > 0 && byRouter.second > 0).toBe(true)
    expect(receiver.counts.maxOpen).toBe(2)

    await Promise.all(routers.map((router) => router.close()))
    await Promise.all(transports.map((transport) => transport.close()))
    await receiver.close()
  })

  it('takeSlot grants `limit` slots across stores on one prefix, and a slot given back is free at once', async () => {
    const prefix = uniquePrefix('concurrency')
    prefixes.push(prefix)
    const stores = [storeOn(prefix), storeOn(prefix)] as const
    await Promise.all(stores.map((store) => store.open()))
    const [one, other] = stores
    const first = await one.takeSlot('crm', 2, 10_000)
    const second = await other.takeSlot('crm', 2, 10_000)
    expect(first).toBeTypeOf('function')
    expect(second).toBeTypeOf('function')
    expect(await one.takeSlot('crm', 2, 10_000)).toBeGreaterThan(0)
    // Another integration's slots are its own.
    const elsewhere = await other.takeSlot('billing', 2, 10_000)
    expect(elsewhere).toBeTypeOf('function')

    await (first as ReleaseSlot)()
    // A second call gives nothing back twice.
    await (first as ReleaseSlot)()
    const third = await other.takeSlot('crm', 2, 10_000)
    expect(third).toBeTypeOf('function')
    expect(await one.takeSlot('crm', 2, 10_000)).toBeGreaterThan(0)

    for (const slot of [second, third, elsewhere]) await (slot as ReleaseSlot)()
    await Promise.all(stores.map((store) => store.close()))
  })

  it('a slot held by a store that went away without giving it back is free again after its hold time', async () => {
    const prefix = uniquePrefix('concurrency')
    prefixes.push(prefix)
    const gone = storeOn(prefix)
    const alive = storeOn(prefix)
    await Promise.all([gone.open(), alive.open()])
    expect(await gone.takeSlot('crm', 1, 300)).toBeTypeOf('function')
    // The process dies holding it: the slot is never given back.
    await gone.close()
    expect(await alive.takeSlot('crm', 1, 300)).toBeGreaterThan(0)

    let taken: ReleaseSlot | number = 0
    await eventually(async () => {
      taken = await alive.takeSlot('crm', 1, 300)
      return typeof taken === 'function'
    })
    await (taken as unknown as ReleaseSlot)()
    await alive.close()
  })

  it('takeSlot on a closed store fails with a StoreError (the router then goes on under its own concurrency)', async () => {
    const store = storeOn(uniquePrefix('concurrency'))
    await store.open()
    await store.close()
    await expect(store.takeSlot('crm', 1, 300)).rejects.toMatchObject({ name: 'StoreError' })
  })
})
