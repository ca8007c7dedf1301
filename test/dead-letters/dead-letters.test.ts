import { describe, expect, it } from 'vitest'
import {
  type DeadLetter,
  type DeadLetterStore,
  DeadLetterStoreError,
  type EventRouterError,
  memoryDeadLetterStore,
} from '../../src/index.js'
import { MockTransport } from '../../src/testing/index.js'
import { createRouter, INSTANT_RETRY } from '../factories.js'

function setup(options: { deadLetterStore?: DeadLetterStore } = {}) {
  const transport = new MockTransport()
  const { router } = createRouter({
    transport,
    retry: { ...INSTANT_RETRY, retries: 2 },
    circuitBreaker: false,
    ...options,
  })
  // An API-style destination (the default classification): its 4xx answers are final.
  router.integrations.add({ id: 'erp', type: 'api', config: { url: 'https://erp.example/' } })
  router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
  router.subscriptions.create({ event: 'a.b', integrationId: 'erp' })
  const errors: EventRouterError[] = []
  router.on('error', (error) => {
    errors.push(error)
  })
  return { router, transport, errors }
}

describe('dead letters', () => {
  it('keeps every final failure with the event, the reason, the last error and the attempt history', async () => {
    const { router, transport } = setup()
    transport.when('https://crm.example').respondWith({ status: 503, body: 'maintenance' })
    const lettered: DeadLetter[] = []
    router.on('deliveryDeadLettered', (letter) => {
      lettered.push(letter)
    })
    const receipt = router.emit('a.b', { coins: 5 }, { id: 'evt-1', occurredAt: '2026-11-28T10:00:00Z' })
    const results = await receipt.settled
    expect(results.map((r) => r.status)).toEqual(['failed', 'succeeded'])
    const [letter] = await router.deadLetters.list()
    expect(lettered).toEqual([letter])
    expect(letter).toEqual({
      id: receipt.deliveries[0]?.id,
      delivery: receipt.deliveries[0],
      event: {
        tenant: null,
        id: 'evt-1',
        name: 'a.b',
        outgoingName: 'a.b',
        payload: { coins: 5 },
        occurredAt: '2026-11-28T10:00:00.000Z',
      },
      reason: 'retries_exhausted',
      error: { code: 'ERR_HTTP_STATUS', message: expect.stringContaining('503'), status: 503 },
      history: [1, 2, 3].map((attempt) =>
        expect.objectContaining({
          attempt,
          status: 503,
          errorCode: 'ERR_HTTP_STATUS',
          responseBodyExcerpt: 'maintenance',
          startedAt: expect.any(Number),
          durationMs: expect.any(Number),
        }),
      ),
      deadLetteredAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      redeliveries: 0,
    })
    // Plain data: a store can persist it as JSON.
    expect(JSON.parse(JSON.stringify(letter))).toEqual(letter)
    await router.close()
  })

  it('lists by integration, reason, time and limit, oldest first', async () => {
    const { router, transport } = setup()
    transport.when('https://crm.example').respondWith(503)
    transport.when('https://erp.example').respondWith(400)
    await router.emit('a.b', {}).settled
    const middle = Date.now()
    await new Promise((resolve) => setTimeout(resolve, 5))
    await router.emit('a.b', {}).settled
    expect(await router.deadLetters.list()).toHaveLength(4)
    expect((await router.deadLetters.list({ integrationId: 'erp' })).map((l) => l.reason)).toEqual([
      'not_retryable',
      'not_retryable',
    ])
    expect(await router.deadLetters.list({ reason: 'retries_exhausted' })).toHaveLength(2)
    expect(await router.deadLetters.list({ since: middle + 1 })).toHaveLength(2)
    expect(
      await router.deadLetters.list({ since: new Date(middle + 1).toISOString(), limit: 1 }),
    ).toHaveLength(1)
    await expect(router.deadLetters.list({ since: 'yesterday' })).rejects.toMatchObject({
      code: 'ERR_VALIDATION',
      field: 'since',
    })
    await expect(router.deadLetters.list({ integration: 'crm' } as never)).rejects.toMatchObject({
      code: 'ERR_VALIDATION',
    })
    await router.close()
  })

  it('redelivers by id with the same delivery id, and removes the letter once delivered', async () => {
    const { router, transport } = setup()
    transport.when('https://crm.example').failTimes(3, 503).respondWith(200)
    const receipt = router.emit('a.b', {})
    await receipt.settled
    const [letter] = await router.deadLetters.list()
    const redelivery = await router.deadLetters.redeliver([letter?.id as string])
    expect(redelivery.deliveries).toEqual([letter?.delivery])
    const [result] = await redelivery.settled
    expect(result).toMatchObject({ status: 'succeeded', delivery: letter?.delivery })
    expect(await router.deadLetters.list()).toEqual([])
    const ids = transport.requests
      .filter((r) => r.url.startsWith('https://crm'))
      .map((r) => r.headers['webhook-id'])
    expect(new Set(ids)).toEqual(new Set([letter?.id]))
    await router.close()
  })

  it('redelivers by query after an outage, and dead-letters again what fails again (counting redeliveries)', async () => {
    const { router, transport } = setup()
    transport.when('https://crm.example').respondWith(503)
    const since = Date.now()
    await Promise.all([router.emit('a.b', {}).settled, router.emit('a.b', {}).settled])
    const again = await router.deadLetters.redeliver({ integrationId: 'crm', since })
    expect(again.deliveries).toHaveLength(2)
    await again.settled
    const letters = await router.deadLetters.list()
    expect(letters.map((l) => l.redeliveries)).toEqual([1, 1])
    expect(letters.map((l) => l.id).sort()).toEqual(again.deliveries.map((d) => d.id).sort())
    await router.close()
  })

  it('rejects unknown ids with NotFoundError naming the position, and redelivers nothing', async () => {
    const { router, transport } = setup()
    transport.when('https://crm.example').respondWith(503)
    await router.emit('a.b', {}).settled
    const [letter] = await router.deadLetters.list()
    const sent = transport.requests.length
    await expect(router.deadLetters.redeliver([letter?.id as string, 'nope'])).rejects.toMatchObject({
      code: 'ERR_NOT_FOUND',
      field: 'ids.1',
    })
    await expect(router.deadLetters.redeliver(['bad id!'])).rejects.toMatchObject({
      code: 'ERR_VALIDATION',
      field: 'ids.0',
    })
    await expect(router.deadLetters.redeliver('all' as never)).rejects.toMatchObject({
      code: 'ERR_VALIDATION',
    })
    expect(await router.deadLetters.list()).toEqual([letter])
    expect(transport.requests).toHaveLength(sent)
    await router.close()
  })

  it('parks a redelivery to a disabled integration again rather than sending it', async () => {
    const { router, transport } = setup()
    transport.when('https://crm.example').respondWith(503)
    await router.emit('a.b', {}).settled
    router.integrations.disable('crm')
    const sent = transport.requests.length
    const again = await router.deadLetters.redeliver({ integrationId: 'crm' })
    expect(await again.settled).toMatchObject([{ status: 'failed', reason: 'integration_disabled' }])
    expect(transport.requests).toHaveLength(sent)
    expect((await router.deadLetters.list()).map((l) => l.reason)).toEqual(['integration_disabled'])
    await router.close()
  })

  it('discards by id or query', async () => {
    const { router, transport } = setup()
    transport.respondWith(503)
    await router.emit('a.b', {}).settled
    const letters = await router.deadLetters.list()
    expect(await router.deadLetters.discard([letters[0]?.id as string])).toBe(1)
    expect(await router.deadLetters.discard({ integrationId: 'erp' })).toBe(1)
    expect(await router.deadLetters.list()).toEqual([])
    await router.close()
  })

  it('reports a letter the store refused on `error`, with the letter, and still settles', async () => {
    const { router, transport, errors } = setup({ deadLetterStore: memoryDeadLetterStore({ maxLetters: 1 }) })
    // Final answers at the first attempt, in order: the webhook's 410 Gone (a webhook retries
    // a 400), then the API's 400.
    transport.when('https://crm.example').respondWith(410)
    transport.respondWith(400)
    const results = await router.emit('a.b', {}).settled
    expect(results.map((r) => r.status)).toEqual(['failed', 'failed'])
    await router.onIdle()
    expect(errors).toHaveLength(1)
    expect(errors[0]).toBeInstanceOf(DeadLetterStoreError)
    expect(errors[0]).toMatchObject({
      code: 'ERR_DEAD_LETTER_STORE',
      letter: { id: results[1]?.delivery.id },
      message: expect.stringContaining('full'),
    })
    await router.close()
  })

  it('works with an asynchronous store, and onIdle waits for its writes', async () => {
    const saved = new Map<string, DeadLetter>()
    const store: DeadLetterStore = {
      add: async (letter) => {
        await new Promise((resolve) => setTimeout(resolve, 10))
        saved.set(letter.id, structuredClone(letter))
      },
      list: async (query) => [...saved.values()].filter((l) => !query.ids || query.ids.includes(l.id)),
      remove: async (ids) => {
        for (const id of ids) saved.delete(id)
      },
    }
    const rejecting: DeadLetterStore = { ...store, add: async () => Promise.reject(new Error('db down')) }
    const { router, transport } = setup({ deadLetterStore: store })
    transport.respondWith(400)
    router.emit('a.b', {})
    await router.onIdle()
    expect(saved.size).toBe(2)
    await router.close()

    const down = setup({ deadLetterStore: rejecting })
    down.transport.respondWith(400)
    await down.router.emit('a.b', {}).settled
    await down.router.onIdle()
    expect(down.errors.map((e) => e.code)).toEqual(['ERR_DEAD_LETTER_STORE', 'ERR_DEAD_LETTER_STORE'])
    await down.router.close()
  })

  it('refuses redelivery after close()', async () => {
    const { router } = setup()
    await router.close()
    await expect(router.deadLetters.redeliver([])).rejects.toMatchObject({ code: 'ERR_ROUTER_CLOSED' })
  })
})

describe('memoryDeadLetterStore', () => {
  it('rejects a bad maxLetters', () => {
    expect(() => memoryDeadLetterStore({ maxLetters: 0 })).toThrow(/maxLetters/)
  })
})

describe('redeliver() interrupted by close()', () => {
  it('puts back, unchanged, the letters it had not requeued yet', async () => {
    const transport = new MockTransport({ hang: true })
    const { router } = createRouter({
      transport,
      retry: { ...INSTANT_RETRY, retries: 0 },
      circuitBreaker: false,
      maxPending: 1,
      backpressure: 'deadLetter',
      timeoutMs: 60_000,
    })
    router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
    router.emit('a.b', {})
    // The second and third do not fit: dead letters with reason backpressure.
    router.emit('a.b', {})
    router.emit('a.b', {})
    await new Promise((resolve) => setImmediate(resolve))
    const letters = await router.deadLetters.list({ reason: 'backpressure' })
    expect(letters).toHaveLength(2)
    const redelivery = router.deadLetters
      .redeliver(letters.map((letter) => letter.id))
      .catch((error) => error)
    await new Promise((resolve) => setImmediate(resolve))
    await router.close({ timeoutMs: 0 })
    expect(await redelivery).toMatchObject({
      code: 'ERR_ROUTER_CLOSED',
      message: expect.stringContaining('redeliver'),
    })
    const after = await router.deadLetters.list()
    // The in-flight one is dead-lettered by close(); both waiting letters are back as they were.
    expect(after.filter((letter) => letter.reason === 'backpressure')).toEqual(letters)
    expect(after.filter((letter) => letter.reason === 'shutdown')).toHaveLength(1)
  })
})
