import { afterEach, describe, expect, it, vi } from 'vitest'
import type { EventRouter } from '../../src/index.js'
import { MockTransport } from '../../src/testing/index.js'
import { createRouter } from '../factories.js'

/** A router whose one subscription's deliveries hang until aborted, with room for one pending delivery. */
function fullRouter() {
  const transport = new MockTransport({ hang: true })
  const { router } = createRouter({ transport, maxPending: 1, timeoutMs: 60_000 })
  router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
  router.emit('a.b', {})
  return { router, transport }
}

describe('AbortSignal on the methods that wait', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('emitAsync(): an abort while waiting for room rejects with the reason, and nothing is emitted', async () => {
    const { router } = fullRouter()
    const controller = new AbortController()
    const waiting = router.emitAsync('a.b', { n: 2 }, { id: 'evt_2', signal: controller.signal })
    const reason = new Error('the request was cancelled')
    controller.abort(reason)
    await expect(waiting).rejects.toBe(reason)
    expect(router.pendingCount).toBe(1)
    // The id was never accepted: emitting it now makes a delivery (room permitting).
    await router.close({ timeoutMs: 0 })
  })

  it('emitAsync(): a timeout signal rejects with a TimeoutError (fake timers)', async () => {
    vi.useFakeTimers()
    const { router } = fullRouter()
    const controller = new AbortController()
    setTimeout(() => controller.abort(new DOMException('timed out', 'TimeoutError')), 100)
    const waiting = router.emitAsync('a.b', {}, { signal: controller.signal })
    const outcome = expect(waiting).rejects.toMatchObject({ name: 'TimeoutError' })
    await vi.advanceTimersByTimeAsync(100)
    await outcome
    const closing = router.close({ timeoutMs: 0 })
    await vi.runAllTimersAsync()
    await closing
  })

  it('emitAsync(): an aborted waiter leaves the line, so the next one gets the room', async () => {
    const transport = new MockTransport()
    transport.when('https://crm.example').respondWith({ hang: true })
    const { router } = createRouter({ transport, maxPending: 1, timeoutMs: 60_000 })
    router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
    router.emit('a.b', {})
    const controller = new AbortController()
    const first = router.emitAsync('a.b', {}, { signal: controller.signal })
    const second = router.emitAsync('a.b', {})
    controller.abort()
    await expect(first).rejects.toMatchObject({ name: 'AbortError' })
    // The hanging delivery is cut short at close: its room goes to the second waiter, not the aborted one.
    const closing = router.close({ timeoutMs: 0 })
    await expect(second).rejects.toMatchObject({ code: 'ERR_ROUTER_CLOSED' })
    await closing
  })

  it('emitAsync(): an already aborted signal rejects at once, even with room', async () => {
    const { router, transport } = createRouter()
    router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
    await expect(router.emitAsync('a.b', {}, { signal: AbortSignal.abort('no') })).rejects.toBe('no')
    expect(router.pendingCount).toBe(0)
    expect(transport.requests).toHaveLength(0)
    await router.close()
  })

  it('onIdle(): an abort rejects with the reason, the deliveries go on', async () => {
    const { router } = fullRouter()
    const controller = new AbortController()
    const idle = router.onIdle({ signal: controller.signal })
    controller.abort('enough')
    await expect(idle).rejects.toBe('enough')
    expect(router.pendingCount).toBe(1)
    await router.close({ timeoutMs: 0 })
  })

  it('close(): an abort is the deadline now: the attempt in flight is aborted, and the promise rejects with the reason', async () => {
    const { router } = fullRouter()
    const failed: string[] = []
    router.on('deliveryFailed', (result) => failed.push(result.error.code))
    const controller = new AbortController()
    const closing = router.close({ timeoutMs: 600_000, signal: controller.signal })
    controller.abort('deploy is waiting')
    await expect(closing).rejects.toBe('deploy is waiting')
    // The router still finishes closing: a second close() resolves once it has.
    await router.close()
    expect(failed).toEqual(['ERR_DELIVERY_ABORTED'])
    expect(router.pendingCount).toBe(0)
  })

  it('subscriptions.test(): an abort stops the attempt in flight and rejects with the reason', async () => {
    const transport = new MockTransport({ hang: true })
    const { router } = createRouter({ transport, timeoutMs: 60_000 })
    const subscription = router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
    const controller = new AbortController()
    const testing = router.subscriptions.test(subscription.id, { n: 1 }, { signal: controller.signal })
    await vi.waitFor(() => expect(transport.requests).toHaveLength(1))
    controller.abort('closed the dialog')
    await expect(testing).rejects.toBe('closed the dialog')
    // Only the test send stopped: the router still delivers.
    transport.respondWith(200)
    const receipt = router.emit('a.b', {})
    await expect(receipt.settled).resolves.toMatchObject([{ status: 'succeeded' }])
    await router.close()
  })

  it('deadLetters.redeliver(): an abort while waiting for room rejects, and the letters not requeued stay', async () => {
    const transport = new MockTransport(400) // final for the api adapter
    const { router } = createRouter({ transport, maxPending: 1, timeoutMs: 60_000 })
    router.integrations.add({ id: 'api', type: 'api', config: { url: 'https://api.example/events' } })
    router.subscriptions.create({ event: 'a.b', integrationId: 'api' })
    await router.emit('a.b', { n: 1 }).settled
    await router.emit('a.b', { n: 2 }).settled
    const letters = await router.deadLetters.list()
    expect(letters).toHaveLength(2)
    transport.respondWith({ hang: true })
    router.emit('a.b', { n: 3 }) // takes the one pending slot
    const controller = new AbortController()
    const redelivering = router.deadLetters.redeliver(
      letters.map((letter) => letter.id),
      { signal: controller.signal },
    )
    controller.abort('stop')
    await expect(redelivering).rejects.toBe('stop')
    expect(await router.deadLetters.list()).toHaveLength(2)
    await router.close({ timeoutMs: 0 })
  })

  it('refuses a signal that is not an AbortSignal, naming the option', async () => {
    const { router } = createRouter()
    await expect(router.emitAsync('a.b', {}, { signal: 'soon' as never })).rejects.toMatchObject({
      code: 'ERR_VALIDATION',
      field: 'options.signal',
    })
    expect(() => router.onIdle({ signal: {} as never })).toThrow(
      expect.objectContaining({ code: 'ERR_VALIDATION', field: 'signal' }),
    )
    await router.close()
  })

  it('await using closes the router at the end of the block', async () => {
    let escaped: EventRouter | undefined
    {
      await using router = createRouter().router
      router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
      escaped = router
    }
    expect(() => escaped?.emit('a.b', {})).toThrow(expect.objectContaining({ code: 'ERR_ROUTER_CLOSED' }))
  })
})
