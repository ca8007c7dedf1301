import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  type DeadLetter,
  type DeadLetterStore,
  type DeliveryFailed,
  type EmitReceipt,
  EventRouter,
  type EventRouterError,
  type EventRouterOptions,
  memoryDeadLetterStore,
  webhookAdapter,
} from '../../src/index.js'
import { MockTransport } from '../../src/testing/index.js'
import { apiAdapter, INSTANT_RETRY } from '../factories.js'
import { envInt } from '../support/escaped-errors.js'
import { heapUsedAfterGc, MB } from '../support/heap.js'
import { readStoreFile, STORES, type StoreUnderTest, storeFiles } from '../support/stores-under-test.js'

// Sizes of the memory checks; raise them for a soak (BACKPRESSURE_PENDING=20000 ...).
const PENDING = envInt('BACKPRESSURE_PENDING', 2000)
const REFUSED = envInt('BACKPRESSURE_REFUSED', 20_000)

/** Lets the microtask that starts queued deliveries run. */
const flush = () => new Promise((resolve) => setImmediate(resolve))

const files = storeFiles('eventrouter-backpressure-')

/**
 * A started router on a fresh store of `kind` (as `createRouter()` of test/factories.ts makes
 * one: the webhook and api adapters, instant retries, one unsigned webhook integration `crm`),
 * and its SQLite file when it has one.
 */
async function startedRouter(kind: StoreUnderTest, options: Partial<EventRouterOptions>) {
  const fresh = files.fresh(kind)
  const router = new EventRouter({
    adapters: [webhookAdapter(), apiAdapter],
    retry: INSTANT_RETRY,
    ...fresh.options,
    ...options,
  })
  await router.start()
  router.integrations.add({
    id: 'crm',
    type: 'webhook',
    config: { url: 'https://crm.example/hooks', signing: false },
  })
  return { router, path: fresh.path }
}

/**
 * A router whose destinations never answer (a TTL of an hour): every accepted delivery stays
 * pending. `a.b` goes to two integrations, `one.only` to one.
 */
async function silentRouter(kind: StoreUnderTest, options: Partial<EventRouterOptions> = {}) {
  const transport = new MockTransport().respondWith({ hang: true })
  const { router } = await startedRouter(kind, { transport, timeoutMs: 3_600_000, ...options })
  router.integrations.add({
    id: 'mail',
    type: 'webhook',
    config: { url: 'https://mail.example/hooks', signing: false },
  })
  router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
  router.subscriptions.create({ event: 'a.b', integrationId: 'mail' })
  router.subscriptions.create({ event: 'one.only', integrationId: 'crm' })
  const failed: DeliveryFailed[] = []
  const lettered: DeadLetter[] = []
  const errors: EventRouterError[] = []
  router.on('deliveryFailed', (result) => {
    failed.push(result)
  })
  router.on('deliveryDeadLettered', (letter) => {
    lettered.push(letter)
  })
  router.on('error', (error) => {
    errors.push(error)
  })
  return { router, transport, failed, lettered, errors }
}

describe.each(STORES)('EventRouter backpressure (a destination that never answers, $name store)', (kind) => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it("policy 'throw': pending never exceeds maxPending; a refused emit dispatches nothing", async () => {
    const { router, transport, failed, lettered, errors } = await silentRouter(kind, { maxPending: 25 })
    const accepted: EmitReceipt[] = []
    const refused: unknown[] = []
    // A steady stream, one event per turn of the event loop.
    for (let index = 0; index < 200; index++) {
      const before = { pending: router.pendingCount, requests: transport.requests.length }
      try {
        accepted.push(router.emit('a.b', { index }))
      } catch (error) {
        refused.push(error)
        // Refused: nothing changed, nothing will be sent.
        expect(router.pendingCount).toBe(before.pending)
        await flush()
        expect(transport.requests).toHaveLength(before.requests)
      }
      await flush()
      expect(router.pendingCount).toBeLessThanOrEqual(25)
    }
    // 12 events (24 deliveries) fit; the 13th needs 2 more than the 1 left.
    expect(accepted).toHaveLength(12)
    expect(refused).toHaveLength(188)
    for (const error of refused) {
      expect(error).toMatchObject({
        name: 'BackpressureError',
        code: 'ERR_BACKPRESSURE',
        pending: 24,
        maxPending: 25,
        requested: 2,
      })
    }
    expect(router.pendingCount).toBe(24)
    expect(transport.requests).toHaveLength(24)
    expect(new Set(transport.requests.map((request) => request.json<{ id: string }>().id))).toEqual(
      new Set(accepted.map((receipt) => receipt.eventId)),
    )
    // An event that needs exactly the room left is accepted.
    router.emit('one.only', {})
    await flush()
    expect(router.pendingCount).toBe(25)
    expect(() => router.emit('one.only', {})).toThrow(expect.objectContaining({ pending: 25, requested: 1 }))
    expect(failed).toEqual([])
    expect(lettered).toEqual([])
    expect(errors).toEqual([])
    expect(await router.deadLetters.list()).toEqual([])
    await router.close({ timeoutMs: 0 })
  })

  it("policy 'throw': room frees as deliveries end, and refused events never reach the destination", async () => {
    vi.useFakeTimers()
    // Every attempt times out after 1 s and is not retried: deliveries end at the TTL.
    const { router, transport, failed } = await silentRouter(kind, {
      maxPending: 10,
      timeoutMs: 1000,
      retry: { retries: 0 },
      circuitBreaker: false,
    })
    let accepted = 0
    let refused = 0
    for (let tick = 0; tick < 400; tick++) {
      try {
        accepted += router.emit('a.b', { tick }).deliveries.length
      } catch (error) {
        expect(error).toMatchObject({ code: 'ERR_BACKPRESSURE' })
        refused++
      }
      expect(router.pendingCount).toBeLessThanOrEqual(10)
      await vi.advanceTimersByTimeAsync(25)
    }
    await vi.advanceTimersByTimeAsync(1000)
    await router.onIdle()
    expect(refused).toBeGreaterThan(0)
    expect(accepted).toBeGreaterThan(10)
    // Exactly one attempt per accepted delivery reached the transport, none for refused ones.
    expect(transport.requests).toHaveLength(accepted)
    expect(failed).toHaveLength(accepted)
    expect(failed.every((result) => result.reason === 'retries_exhausted' && result.attempts === 1)).toBe(
      true,
    )
    await router.close()
  })

  it("policy 'throw': the heap holds maxPending deliveries, and refused emits add nothing to it", async () => {
    const { router, transport } = await silentRouter(kind, { maxPending: PENDING })
    router.integrations.update('crm', { pacing: { concurrency: 64 } })
    router.integrations.update('mail', { pacing: { concurrency: 64 } })
    const empty = await heapUsedAfterGc()
    for (let index = 0; index < PENDING / 2; index++) router.emit('a.b', { index, note: 'x'.repeat(200) })
    await flush()
    expect(router.pendingCount).toBe(PENDING)
    const full = await heapUsedAfterGc()
    let refused = 0
    for (let index = 0; index < REFUSED; index++) {
      try {
        router.emit('a.b', { index, note: 'x'.repeat(200) })
      } catch {
        refused++
      }
      if (index % 1000 === 0) await flush()
    }
    await flush()
    const after = await heapUsedAfterGc()
    expect(refused).toBe(REFUSED)
    expect(router.pendingCount).toBe(PENDING)
    expect(transport.requests).toHaveLength(128)
    const perPending = (full - empty) / PENDING
    console.info(
      `backpressure heap: ${PENDING} pending held ${((full - empty) / MB).toFixed(1)} MB (${Math.round(perPending)} B each); ${REFUSED} refused emits then added ${((after - full) / MB).toFixed(2)} MB`,
    )
    // A pending delivery costs a few KB; a refused emit may cost at most 100 B for good (2 MB
    // of slack at the defaults, well above the gc noise of a few hundred KB).
    expect(after - full).toBeLessThan(Math.max(2 * MB, REFUSED * 100))
    await router.close({ timeoutMs: 0 })
  })

  it("policy 'deadLetter': pending never exceeds maxPending; overflow becomes backpressure dead letters", async () => {
    const { router, transport, failed, lettered, errors } = await silentRouter(kind, {
      maxPending: 25,
      backpressure: 'deadLetter',
    })
    const receipts: EmitReceipt[] = []
    for (let index = 0; index < 100; index++) {
      receipts.push(router.emit('a.b', { index }))
      expect(router.pendingCount).toBeLessThanOrEqual(25)
      await flush()
      expect(router.pendingCount).toBeLessThanOrEqual(25)
    }
    expect(router.pendingCount).toBe(25)
    expect(transport.requests).toHaveLength(25)
    const letters = await router.deadLetters.list()
    expect(letters).toHaveLength(200 - 25)
    expect(lettered).toHaveLength(175)
    expect(failed).toHaveLength(175)
    expect(errors).toEqual([])
    for (const letter of letters) {
      expect(letter).toMatchObject({
        reason: 'backpressure',
        history: [],
        error: { code: 'ERR_BACKPRESSURE', status: null },
        redeliveries: 0,
      })
    }
    expect(failed.every((result) => result.attempts === 0 && result.reason === 'backpressure')).toBe(true)
    // The 13th event had room for one of its two deliveries: the first was queued.
    const split = receipts[12] as EmitReceipt
    const sent = new Set(transport.requests.map((request) => request.headers['webhook-id']))
    expect(split.deliveries.map((delivery) => sent.has(delivery.id))).toEqual([true, false])
    await expect(receipts[50]?.settled).resolves.toMatchObject([
      { status: 'failed', reason: 'backpressure' },
      { status: 'failed', reason: 'backpressure' },
    ])
    // Dead letters and sent deliveries are disjoint, and together they are every delivery.
    const letterIds = new Set(letters.map((letter) => letter.id))
    expect([...sent].filter((id) => letterIds.has(id as string))).toEqual([])
    expect(sent.size + letterIds.size).toBe(200)
    await router.close({ timeoutMs: 0 })
  })

  it("policy 'deadLetter' with a bounded store: what the store cannot keep is reported, not kept", async () => {
    const { router, errors } = await silentRouter(kind, {
      maxPending: 10,
      backpressure: 'deadLetter',
      deadLetterStore: memoryDeadLetterStore({ maxLetters: 50 }),
    })
    for (let index = 0; index < 500; index++) {
      router.emit('a.b', { index })
      expect(router.pendingCount).toBeLessThanOrEqual(10)
    }
    expect(await router.deadLetters.list()).toHaveLength(50)
    expect(errors).toHaveLength(1000 - 10 - 50)
    expect(errors.every((error) => error.code === 'ERR_DEAD_LETTER_STORE')).toBe(true)
    await router.close({ timeoutMs: 0 })
  })

  // Regression: refused deliveries were counted in pendingCount until their letter was stored,
  // so a slow store let pendingCount pass maxPending and refuse everything after.
  it("policy 'deadLetter' with an asynchronous store: pending never exceeds maxPending", async () => {
    vi.useFakeTimers()
    const memory = memoryDeadLetterStore()
    const slowStore: DeadLetterStore = {
      add: (letter) => new Promise<void>((resolve) => setTimeout(() => resolve(memory.add(letter)), 50)),
      list: (query) => memory.list(query),
      remove: (ids) => memory.remove(ids),
    }
    const { router } = await silentRouter(kind, {
      maxPending: 10,
      backpressure: 'deadLetter',
      deadLetterStore: slowStore,
    })
    let highest = 0
    for (let index = 0; index < 100; index++) {
      router.emit('a.b', { index })
      highest = Math.max(highest, router.pendingCount)
      await vi.advanceTimersByTimeAsync(1)
    }
    expect(highest).toBeLessThanOrEqual(10)
  })
})

describe.each(STORES)('EventRouter.emitAsync under backpressure ($name store)', (kind) => {
  afterEach(() => {
    vi.useRealTimers()
  })

  /** One integration whose every answer takes 1 s: room frees in steps the test controls. */
  async function slowRouter(maxPending: number, backpressure: 'throw' | 'deadLetter' = 'throw') {
    const transport = new MockTransport().respondWith({ status: 200, delayMs: 1000 })
    const { router, path } = await startedRouter(kind, { transport, maxPending, backpressure })
    router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
    return { router, transport, path }
  }

  it('waits for room, and resolves in call order as room frees', async () => {
    vi.useFakeTimers()
    const { router, transport } = await slowRouter(2)
    router.emit('a.b', {}, { id: 'first' })
    router.emit('a.b', {}, { id: 'second' })
    const order: string[] = []
    const waiting = ['w1', 'w2', 'w3'].map((id) =>
      router.emitAsync('a.b', {}, { id }).then((receipt) => {
        // Each resolves only once its delivery fits.
        expect(router.pendingCount).toBeLessThanOrEqual(2)
        order.push(receipt.eventId)
        return receipt
      }),
    )
    await vi.advanceTimersByTimeAsync(999)
    expect(order).toEqual([])
    expect(transport.requests).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(1)
    expect(order).toEqual(['w1', 'w2'])
    await vi.advanceTimersByTimeAsync(1000)
    expect(order).toEqual(['w1', 'w2', 'w3'])
    await Promise.all(waiting)
    await vi.advanceTimersByTimeAsync(1000)
    await router.onIdle()
    expect(transport.requests.map((request) => request.json<{ id: string }>().id)).toEqual([
      'first',
      'second',
      'w1',
      'w2',
      'w3',
    ])
    expect(await router.deadLetters.list()).toEqual([])
  })

  it("waits instead of dead-lettering, even with policy 'deadLetter'", async () => {
    vi.useFakeTimers()
    const { router } = await slowRouter(1, 'deadLetter')
    router.emit('a.b', {})
    const waiting = router.emitAsync('a.b', {})
    await vi.advanceTimersByTimeAsync(1000)
    const receipt = await waiting
    await vi.advanceTimersByTimeAsync(1000)
    await expect(receipt.settled).resolves.toMatchObject([{ status: 'succeeded' }])
    expect(await router.deadLetters.list()).toEqual([])
  })

  it('rejects with RouterClosedError when the router closes while it waits, and dispatches nothing', async () => {
    // setImmediate stays real: a durable store batches the aborted attempt's dead letter for the
    // next turn, which close() waits for (an immediate faked within a tick is not run by advancing).
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] })
    const { router, transport, path } = await slowRouter(1)
    router.emit('a.b', {})
    const waiting = [router.emitAsync('a.b', {}), router.emitAsync('a.b', {})]
    const outcomes = Promise.allSettled(waiting)
    await vi.advanceTimersByTimeAsync(10)
    const closing = router.close({ timeoutMs: 0 })
    await vi.advanceTimersByTimeAsync(0)
    await closing
    for (const outcome of await outcomes) {
      expect(outcome).toMatchObject({
        status: 'rejected',
        reason: { name: 'RouterClosedError', code: 'ERR_ROUTER_CLOSED' },
      })
    }
    expect(transport.requests).toHaveLength(1)
    expect(router.pendingCount).toBe(0)
    // The attempt in flight was aborted and dead-lettered, on a durable store too (nothing else
    // was pending); a closed SQLite store is read from its file.
    if (path === undefined) {
      expect(await router.deadLetters.list()).toMatchObject([{ reason: 'shutdown' }])
    } else {
      vi.useRealTimers()
      const file = await readStoreFile(path)
      expect(file.letters).toMatchObject([{ reason: 'shutdown' }])
      expect(file.records).toEqual([])
    }
    await expect(router.emitAsync('a.b', {})).rejects.toMatchObject({ name: 'RouterClosedError' })
  })
})
