import { randomBytes } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { EventRouter, SettledElsewhereError, type Store, webhookAdapter } from '../../../src/index.js'
import { redisStore } from '../../../src/stores/redis/index.js'
import { MockTransport } from '../../../src/testing/index.js'
import { coinsRewarded } from '../../factories.js'
import { eventually } from '../../support/eventually.js'
import { deletePrefix, REDIS_URL, redisForTests, uniquePrefix } from '../../support/redis.js'

const reachable = await redisForTests()
const KEY = { id: 'k1', key: randomBytes(32) }
const prefixes: string[] = []
afterAll(async () => {
  if (reachable) await Promise.all(prefixes.map((prefix) => deletePrefix(prefix)))
})

function routerOn(
  prefix: string,
  transport: MockTransport,
  store: Store = redisStore({ connection: REDIS_URL, prefix, commandTimeoutMs: 1000 }),
) {
  return new EventRouter({
    adapters: [webhookAdapter()],
    transport,
    store,
    secrets: { keys: [KEY] },
    retry: { retries: 5, minTimeout: 0, maxTimeout: 0, randomize: false },
  })
}

/** A webhook integration `crm` and a subscription `sub` to it, made in `router`. */
function configure(router: EventRouter) {
  router.integrations.add({
    id: 'crm',
    type: 'webhook',
    config: { url: 'https://crm.example/hooks', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
  })
  router.subscriptions.create({ id: 'sub', event: 'wallet.coins_rewarded', integrationId: 'crm' })
}

describe.skipIf(!reachable)('routers sharing a redisStore() prefix (a fleet)', () => {
  it('a subscription created in one process routes events emitted in another; its removal too', async () => {
    const prefix = uniquePrefix('fleet')
    prefixes.push(prefix)
    const first = routerOn(prefix, new MockTransport())
    const transport = new MockTransport()
    const second = routerOn(prefix, transport)
    await first.start()
    await second.start({ syncIntervalMs: 50 })
    configure(first)
    await eventually(() => second.subscriptions.get('sub') !== undefined)
    expect(second.integrations.get('crm')?.config.secret).toBe('[REDACTED]')

    const [result] = await second.emit('wallet.coins_rewarded', coinsRewarded()).settled
    expect(result?.status).toBe('succeeded')
    expect(transport.requests).toHaveLength(1)

    first.subscriptions.remove('sub')
    first.events.disable('wallet.coins_rewarded')
    await eventually(() => second.subscriptions.get('sub') === undefined)
    await eventually(() => !second.events.isEnabled('wallet.coins_rewarded'))
    await Promise.all([first.close(), second.close()])
  })

  it('start({ deliver: false }) emits only: a worker delivers, and the receipt says another process settled it', async () => {
    const prefix = uniquePrefix('fleet')
    prefixes.push(prefix)
    const webTransport = new MockTransport()
    const web = routerOn(prefix, webTransport)
    const workerTransport = new MockTransport()
    const worker = routerOn(prefix, workerTransport)
    await web.start({ deliver: false, syncIntervalMs: 50 })
    await worker.start({ syncIntervalMs: 50 })
    configure(web)
    await eventually(() => worker.subscriptions.get('sub') !== undefined)

    const receipts = Array.from({ length: 20 }, () => web.emit('wallet.coins_rewarded', coinsRewarded()))
    const outcomes = await Promise.allSettled(receipts.map((receipt) => receipt.settled))
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected')
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(SettledElsewhereError)
    }
    expect(webTransport.requests).toHaveLength(0)
    const ids = new Set(receipts.flatMap((receipt) => receipt.deliveries.map((delivery) => delivery.id)))
    expect(new Set(workerTransport.requests.map((request) => request.headers['webhook-id']))).toEqual(ids)
    await eventually(() => web.pendingCount === 0)
    await web.onIdle()
    await Promise.all([web.close(), worker.close()])
  })

  it('a delivery of an integration another process just added waits for the configuration, never parked as unknown', async () => {
    const prefix = uniquePrefix('fleet')
    prefixes.push(prefix)
    const web = routerOn(prefix, new MockTransport())
    // The worker reads the configuration 300 ms late: the work notice comes first, so it claims a
    // delivery of an integration it does not know yet.
    const slow = redisStore({ connection: REDIS_URL, prefix, commandTimeoutMs: 1000 })
    let lagging = false
    const lagged = new Proxy(slow, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver)
        if (typeof value !== 'function') return value
        if (property === 'loadConfiguration') {
          return async () => {
            if (lagging) await new Promise((resolve) => setTimeout(resolve, 300))
            return target.loadConfiguration()
          }
        }
        return value.bind(target)
      },
    })
    const transport = new MockTransport()
    const worker = routerOn(prefix, transport, lagged)
    await web.start({ deliver: false, syncIntervalMs: 50 })
    await worker.start({ syncIntervalMs: 50 })
    lagging = true
    configure(web)
    const receipt = web.emit('wallet.coins_rewarded', coinsRewarded())
    await eventually(() => transport.requests.length === 1)
    expect(transport.requests[0]?.headers['webhook-id']).toBe(receipt.deliveries[0]?.id)
    expect(await worker.deadLetters.list()).toEqual([])
    await Promise.all([web.close(), worker.close()])
  })

  it('follows a record written back as it was once read, after a change made here', async () => {
    const prefix = uniquePrefix('fleet')
    prefixes.push(prefix)
    const first = routerOn(prefix, new MockTransport())
    const second = routerOn(prefix, new MockTransport())
    const raw = redisStore({ connection: REDIS_URL, prefix, commandTimeoutMs: 1000 })
    await first.start()
    await second.start({ syncIntervalMs: 50 })
    await raw.open()
    configure(first)
    await eventually(() => second.subscriptions.get('sub')?.enabled === true)
    const original = raw.loadConfiguration().subscriptions.find((item) => item.id === 'sub')
    // Changed here, then written back elsewhere exactly as `second` once read it (a restore):
    // the same stored form as before, but no longer what `second` holds.
    second.subscriptions.disable('sub')
    await eventually(() => first.subscriptions.get('sub')?.enabled === false)
    raw.write([{ type: 'putSubscription', subscription: original as NonNullable<typeof original> }])
    await eventually(() => second.subscriptions.get('sub')?.enabled === true)
    await raw.close()
    await Promise.all([first.close(), second.close()])
  })

  it('refuses unknown or bad start options, naming them', async () => {
    const router = routerOn(uniquePrefix('fleet'), new MockTransport())
    await expect(router.start({ deliver: 'no' as unknown as boolean })).rejects.toThrow(/deliver/)
    await expect(router.start({ syncIntervalMs: 1 })).rejects.toThrow(/syncIntervalMs/)
    await expect(router.start({ delivr: false } as never)).rejects.toThrow(/did you mean `deliver`/i)
  })
})
