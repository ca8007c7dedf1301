import { randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { afterAll, describe, expect, it } from 'vitest'
import { EventRouter, StoreError, webhookAdapter } from '../../../src/index.js'
import { redisStore } from '../../../src/stores/redis/index.js'
import { MockTransport } from '../../../src/testing/index.js'
import { coinsRewarded } from '../../factories.js'
import {
  deletePrefix,
  pingRedis,
  REDIS_URL,
  redisForTests,
  startOwnRedis,
  uniquePrefix,
} from '../../support/redis.js'
import { tempDirectory } from '../../support/temp-directory.js'

const reachable = await redisForTests()
const KEY = { id: 'k1', key: randomBytes(32) }
const prefixes: string[] = []
afterAll(async () => {
  if (reachable) await Promise.all(prefixes.map((prefix) => deletePrefix(prefix)))
})

function routerOn(connection: string, transport: MockTransport, prefix = uniquePrefix('router')) {
  prefixes.push(prefix)
  return new EventRouter({
    adapters: [webhookAdapter()],
    transport,
    store: redisStore({ connection, prefix, commandTimeoutMs: 500, connectTimeoutMs: 2000 }),
    secrets: { keys: [KEY] },
    retry: { retries: 5, minTimeout: 0, maxTimeout: 0, randomize: false },
  })
}

function configure(router: EventRouter) {
  router.integrations.add({
    id: 'crm',
    type: 'webhook',
    config: { url: 'https://crm.example/hooks', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
  })
  router.subscriptions.create({ id: 'sub', event: 'wallet.coins_rewarded', integrationId: 'crm' })
}

/** Polls `check` until it holds, for at most `ms`. */
async function eventually(check: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe.skipIf(!reachable)('a router on redisStore()', () => {
  it('keeps its configuration and deliveries in Redis, delivers, and a second router sees the configuration', async () => {
    const transport = new MockTransport()
    const prefix = uniquePrefix('router')
    const router = routerOn(REDIS_URL, transport, prefix)
    await router.start()
    configure(router)
    const receipt = router.emit('wallet.coins_rewarded', coinsRewarded())
    const [result] = await receipt.settled
    expect(result?.status).toBe('succeeded')
    expect(transport.requests).toHaveLength(1)
    await router.close()

    const again = routerOn(REDIS_URL, new MockTransport(), prefix)
    await again.start()
    expect(again.integrations.list().map((item) => item.id)).toEqual(['crm'])
    expect(again.subscriptions.list().map((item) => item.id)).toEqual(['sub'])
    expect(again.pendingCount).toBe(0)
    await again.close()
  })

  it('Redis stopped mid-run: emit() throws a StoreError within the timeout, and works again once Redis is back', async () => {
    const directory = await tempDirectory('eventrouter-redis-')
    let server = await startOwnRedis(directory)
    const { port } = server
    try {
      const router = routerOn(`redis://127.0.0.1:${port}/0`, new MockTransport())
      const errors: unknown[] = []
      router.on('error', (error) => errors.push(error))
      await router.start()
      configure(router)
      await router.emit('wallet.coins_rewarded', coinsRewarded()).settled

      server.process.kill('SIGKILL')
      await eventually(async () => !(await pingRedis(port)))
      let thrown: unknown
      try {
        router.emit('wallet.coins_rewarded', coinsRewarded())
      } catch (error) {
        thrown = error
      }
      expect(thrown).toBeInstanceOf(StoreError)
      expect((thrown as StoreError).code).toBe('ERR_STORE')
      // Nothing half-written: the refused emit left no pending delivery. (How long it waited is the
      // bridge's bounded Atomics.wait, commandTimeoutMs plus a margin: a speed, not asserted here.)
      expect(router.pendingCount).toBe(0)

      server = await startOwnRedis(directory, port)
      // The store reconnects by itself: emit() works again, and the delivery goes out.
      let receipt: ReturnType<typeof router.emit> | undefined
      await eventually(() => {
        try {
          receipt = router.emit('wallet.coins_rewarded', coinsRewarded())
          return true
        } catch (error) {
          expect(error).toBeInstanceOf(StoreError)
          return false
        }
      })
      const [result] = await (receipt as NonNullable<typeof receipt>).settled
      expect(result?.status).toBe('succeeded')
      await router.close()
    } finally {
      server.process.kill('SIGKILL')
      await rm(directory, { recursive: true, force: true })
    }
  })
})
