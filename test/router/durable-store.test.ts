import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  EventRouter,
  type EventRouterOptions,
  memoryStore,
  RouterNotStartedError,
  type Store,
  StoreError,
  ValidationError,
  webhookAdapter,
} from '../../src/index.js'
import { sqliteStore } from '../../src/stores/sqlite/index.js'
import { MockTransport } from '../../src/testing/index.js'
import { coinsRewarded } from '../factories.js'
import { tempDirectory } from '../support/temp-directory.js'

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const KEY = { id: 'k1', key: randomBytes(32) }

let directory = ''
let files = 0
beforeAll(async () => {
  directory = await tempDirectory('eventrouter-durable-')
})
afterAll(async () => {
  await rm(directory, { recursive: true, force: true })
})
const tempPath = () => join(directory, `router-${++files}.db`)

function routerOn(path: string, transport: MockTransport, options: Partial<EventRouterOptions> = {}) {
  return new EventRouter({
    adapters: [webhookAdapter()],
    transport,
    store: sqliteStore({ path }),
    secrets: { keys: [KEY] },
    retry: { retries: 5, minTimeout: 0, maxTimeout: 0, randomize: false },
    ...options,
  })
}

function configure(router: EventRouter) {
  router.integrations.add({
    id: 'crm',
    type: 'webhook',
    config: { url: 'https://crm.example/hooks', secret: SECRET },
  })
  return router.subscriptions.create({ id: 'sub', event: 'wallet.coins_rewarded', integrationId: 'crm' })
}

describe('a router on a durable store', () => {
  it('needs secrets to be said, and start() before use', async () => {
    expect(
      () => new EventRouter({ adapters: [webhookAdapter()], store: sqliteStore({ path: tempPath() }) }),
    ).toThrow(expect.objectContaining({ field: 'secrets' }))
    const router = routerOn(tempPath(), new MockTransport())
    expect(() => router.emit('wallet.coins_rewarded', coinsRewarded())).toThrow(RouterNotStartedError)
    expect(() => configure(router)).toThrow(RouterNotStartedError)
    expect(router.integrations.list()).toEqual([])
    await router.start()
    expect(router.start()).toBe(router.start())
    configure(router)
    await router.close()
  })

  it('keeps the configuration across a restart, secrets encrypted at rest', async () => {
    const path = tempPath()
    const first = routerOn(path, new MockTransport())
    await first.start()
    configure(first)
    first.integrations.update('crm', { name: 'CRM', pacing: { concurrency: 4 } })
    first.subscriptions.update('sub', { filter: { coins: { $gte: 100 } }, eventNamePrefix: 'Loyalty ' })
    first.events.disable('review.created')
    const snapshot = first.toJSON({ includeSecrets: true })
    await first.close()
    // Not in the file in any readable form.
    expect(readFileSync(path).includes(Buffer.from(SECRET))).toBe(false)
    expect(readFileSync(path).includes(Buffer.from('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'))).toBe(false)

    const transport = new MockTransport()
    const second = routerOn(path, transport)
    await second.start()
    expect(second.toJSON({ includeSecrets: true })).toEqual(snapshot)
    // Used as created, without being created again.
    const [result] = await second.emit('wallet.coins_rewarded', coinsRewarded({ coins: 150 })).settled
    expect(result).toMatchObject({ status: 'succeeded' })
    expect(transport.requests[0]?.headers['webhook-signature']).toMatch(/^v1,/)
    expect(transport.requests[0]?.json()).toMatchObject({ type: 'Loyalty wallet.coins_rewarded' })
    expect(second.events.isEnabled('review.created')).toBe(false)
    await second.close()
  })

  it('refuses a wrong key at start() without saying the secret, and rotates to a new first key', async () => {
    const path = tempPath()
    const first = routerOn(path, new MockTransport())
    await first.start()
    configure(first)
    await first.close()

    const wrong = routerOn(path, new MockTransport(), {
      secrets: { keys: [{ id: 'k1', key: randomBytes(32) }] },
    })
    const refused = await wrong.start().catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(ValidationError)
    expect((refused as ValidationError).field).toBe('integrations.0.secrets')
    expect(String(refused)).not.toContain(SECRET)
    await wrong.close()

    const next = { id: 'k2', key: randomBytes(32) }
    const rotating = routerOn(path, new MockTransport(), { secrets: { keys: [next, KEY] } })
    await rotating.start()
    await rotating.close()
    // Sealed again with k2: k1 can go.
    const rotated = routerOn(path, new MockTransport(), { secrets: { keys: [next] } })
    await rotated.start()
    expect(rotated.toJSON({ includeSecrets: true }).integrations[0]?.config).toMatchObject({ secret: SECRET })
    await rotated.close()
  })

  it('resolves secrets from the host when they are kept out of the store', async () => {
    const path = tempPath()
    const resolve = (owner: { integrationId: string }) => ({
      secret: owner.integrationId === 'crm' ? SECRET : '',
    })
    const first = routerOn(path, new MockTransport(), { secrets: { resolve } })
    await first.start()
    configure(first)
    await first.close()
    expect(readFileSync(path).includes(Buffer.from('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'))).toBe(false)
    const second = routerOn(path, new MockTransport(), { secrets: { resolve } })
    await second.start()
    expect(second.toJSON({ includeSecrets: true }).integrations[0]?.config).toMatchObject({ secret: SECRET })
    await second.close()
  })

  it('leaves what waits to retry in the store at close(), and the next start() goes on with the same ids and counts', async () => {
    const path = tempPath()
    const failing = new MockTransport().respondWith(503)
    const first = routerOn(path, failing, {
      retry: { retries: 5, minTimeout: 60_000, maxTimeout: 60_000, randomize: false },
    })
    await first.start()
    configure(first)
    const failures: unknown[] = []
    first.on('deliveryFailed', (result) => {
      failures.push(result)
    })
    const receipt = first.emit('wallet.coins_rewarded', coinsRewarded())
    await until(() => failing.requests.length === 1)
    await first.close({ timeoutMs: 1000 })
    expect(failures).toEqual([])

    const healthy = new MockTransport()
    const second = routerOn(path, healthy)
    const succeeded: unknown[] = []
    second.on('deliverySucceeded', (result) => {
      succeeded.push(result)
    })
    await second.start()
    // Still pending, waiting out its 60 s backoff from the record's notBefore; not dead-lettered.
    expect(second.pendingCount).toBe(1)
    expect(await second.deadLetters.list()).toEqual([])
    await second.close()
    expect(healthy.requests).toHaveLength(0)
    expect(receipt.deliveries).toHaveLength(1)
  })

  it('goes on with a pending delivery whose retry is due, counting the attempts of both processes', async () => {
    const path = tempPath()
    const failing = new MockTransport().respondWith(503)
    const first = routerOn(path, failing, {
      retry: { retries: 5, minTimeout: 50, maxTimeout: 50, randomize: false },
    })
    await first.start()
    configure(first)
    const receipt = first.emit('wallet.coins_rewarded', coinsRewarded())
    await until(() => failing.requests.length >= 2)
    await first.close({ timeoutMs: 1000 })
    const sentBefore = failing.requests.length

    const healthy = new MockTransport()
    const second = routerOn(path, healthy)
    const results: { attempts: number; delivery: { id: string }; history: readonly unknown[] }[] = []
    second.on('deliverySucceeded', (result) => {
      results.push(result)
    })
    await second.start()
    await second.onIdle()
    expect(results).toHaveLength(1)
    expect(results[0]?.delivery.id).toBe(receipt.deliveries[0]?.id)
    expect(healthy.requests[0]?.headers['webhook-id']).toBe(receipt.deliveries[0]?.id)
    expect(results[0]?.attempts).toBe(sentBefore + 1)
    expect(results[0]?.history).toHaveLength(sentBefore + 1)
    expect(second.pendingCount).toBe(0)
    await second.close()
  })

  it('delivers what was queued but never attempted when the next process starts', async () => {
    const path = tempPath()
    const first = routerOn(path, new MockTransport())
    await first.start()
    configure(first)
    // Accepted, then close() before the first claim: it stays queued in the store.
    const receipt = first.emit('wallet.coins_rewarded', coinsRewarded())
    await first.close()
    const transport = new MockTransport()
    const second = routerOn(path, transport)
    await second.start()
    await second.onIdle()
    expect(transport.requests.map((request) => request.headers['webhook-id'])).toEqual([
      receipt.deliveries[0]?.id,
    ])
    await second.close()
  })

  it('keeps dead letters across a restart and redelivers them with their ids', async () => {
    const path = tempPath()
    const first = routerOn(path, new MockTransport().respondWith(410))
    await first.start()
    configure(first)
    const [failed] = await first.emit('wallet.coins_rewarded', coinsRewarded()).settled
    expect(failed?.status).toBe('failed')
    await first.close()

    const transport = new MockTransport()
    const second = routerOn(path, transport)
    await second.start()
    const letters = await second.deadLetters.list()
    expect(letters.map((letter) => letter.id)).toEqual([failed?.delivery.id])
    expect(second.integrations.get('crm')?.enabled).toBe(false)
    second.integrations.enable('crm')
    const receipt = await second.deadLetters.redeliver(letters.map((letter) => letter.id))
    expect(await receipt.settled).toMatchObject([{ status: 'succeeded' }])
    expect(await second.deadLetters.list()).toEqual([])
    await second.close()
  })

  it('refuses a second router on the same file with a StoreError', async () => {
    const path = tempPath()
    const first = routerOn(path, new MockTransport())
    await first.start()
    // A short wait for the lock: the first router holds it for its whole life.
    const second = routerOn(path, new MockTransport(), { store: sqliteStore({ path, busyTimeoutMs: 50 }) })
    const refused = await second.start().catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(StoreError)
    expect(String(refused)).toMatch(/in use/)
    await first.close()
  })
})

describe('a store that fails', () => {
  it('makes emit() throw a StoreError and dispatch nothing; a configuration change fails and changes nothing', async () => {
    let fail = false
    const inner = memoryStore()
    const store: Store = {
      ...bound(inner),
      write: (operations) => {
        if (fail) throw new Error('disk full')
        return inner.write(operations)
      },
    }
    const transport = new MockTransport()
    const router = new EventRouter({ adapters: [webhookAdapter()], transport, store })
    configure(router)
    fail = true
    expect(() => router.integrations.update('crm', { name: 'renamed' })).toThrow(StoreError)
    expect(router.integrations.get('crm')?.name).toBeNull()
    expect(() => router.subscriptions.remove('sub')).toThrow(StoreError)
    expect(router.subscriptions.get('sub')).toBeDefined()
    await router.close()
  })

  it('on a durable store, emit() throws the StoreError itself and nothing is pending', async () => {
    const path = tempPath()
    const store = sqliteStore({ path })
    let fail = false
    const failing: Store = {
      ...bound(store),
      durable: true,
      write: (operations) => {
        if (fail) throw new StoreError('write', 'disk full')
        return store.write(operations)
      },
    }
    const transport = new MockTransport()
    const router = new EventRouter({
      adapters: [webhookAdapter()],
      transport,
      store: failing,
      secrets: 'plaintext',
    })
    await router.start()
    configure(router)
    fail = true
    expect(() => router.emit('wallet.coins_rewarded', coinsRewarded())).toThrow(StoreError)
    expect(router.pendingCount).toBe(0)
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(transport.requests).toEqual([])
    fail = false
    await router.close()
  })
})

/** The store's methods bound to it, to build a store that overrides some. */
function bound(store: Store): Store {
  return {
    durable: store.durable,
    open: () => store.open(),
    close: () => store.close(),
    write: (operations) => store.write(operations),
    loadConfiguration: () => store.loadConfiguration(),
    loadHealth: () => store.loadHealth(),
    pendingSummary: () => store.pendingSummary(),
    claimDue: (integrationId, now, limit) => store.claimDue(integrationId, now, limit),
    getDeliveries: (ids) => store.getDeliveries(ids),
    listDeadLetters: (query) => store.listDeadLetters(query),
    getAcceptedEvent: (tenant, eventId) => store.getAcceptedEvent(tenant, eventId),
  }
}

async function until(condition: () => boolean): Promise<void> {
  for (let tries = 0; tries < 500 && !condition(); tries++)
    await new Promise((resolve) => setTimeout(resolve, 10))
  expect(condition()).toBe(true)
}
