import { afterEach, describe, expect, it, vi } from 'vitest'
import type { DeliveryResult } from '../../src/index.js'
import { MockTransport } from '../../src/testing/index.js'
import { createRouter, DETERMINISTIC_RETRY } from '../factories.js'

describe('EventRouter.close', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('waits for in-flight deliveries, then resolves; emit is refused meanwhile', async () => {
    const { router, transport } = createRouter()
    transport.respondWith({ status: 200, delayMs: 30 })
    router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
    const receipt = router.emit('a.b', {})
    await vi.waitFor(() => expect(transport.requests).toHaveLength(1))
    const closing = router.close()
    expect(() => router.emit('a.b', {})).toThrow(expect.objectContaining({ code: 'ERR_ROUTER_CLOSED' }))
    await closing
    expect(router.pendingCount).toBe(0)
    await expect(receipt.settled).resolves.toMatchObject([{ status: 'succeeded' }])
    expect(router.close()).toBe(closing)
  })

  it('after timeoutMs, aborts what is pending: in flight or waiting to retry, each fails with reason shutdown', async () => {
    vi.useFakeTimers()
    const transport = new MockTransport()
    transport.when('https://hang.example').respondWith({ hang: true })
    transport.when('https://flaky.example').respondWith(503)
    const { router } = createRouter({ transport, retry: DETERMINISTIC_RETRY, timeoutMs: 60_000 })
    router.integrations.add({
      id: 'hang',
      type: 'webhook',
      config: { url: 'https://hang.example/', signing: false },
    })
    router.integrations.add({
      id: 'flaky',
      type: 'webhook',
      config: { url: 'https://flaky.example/', signing: false },
    })
    router.subscriptions.create({ event: 'a.b', integrationId: 'hang' })
    router.subscriptions.create({ event: 'a.b', integrationId: 'flaky' })
    const failed: DeliveryResult[] = []
    router.on('deliveryFailed', (result) => {
      failed.push(result)
    })
    const receipt = router.emit('a.b', {})
    await vi.advanceTimersByTimeAsync(1500)
    let closed = false
    void router.close({ timeoutMs: 2000 }).then(() => {
      closed = true
    })
    await vi.advanceTimersByTimeAsync(1999)
    expect(closed).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    await vi.waitFor(() => expect(closed).toBe(true))
    const results = await receipt.settled
    expect(results.map((r) => r.status === 'failed' && r.reason)).toEqual(['shutdown', 'shutdown'])
    expect(failed).toHaveLength(2)
    for (const result of results) {
      if (result.status === 'failed') expect(result.error.code).toBe('ERR_DELIVERY_ABORTED')
    }
    expect(
      transport.requests.filter((r) => r.url.startsWith('https://hang')).every((r) => r.signal.aborted),
    ).toBe(true)
  })

  it('holds many deliveries in flight without piling listeners on a shared signal', async () => {
    const warnings: Error[] = []
    const onWarning = (warning: Error) => warnings.push(warning)
    process.on('warning', onWarning)
    const transport = new MockTransport().respondWith({ hang: true })
    const { router } = createRouter({ transport, timeoutMs: 60_000 })
    router.integrations.update('crm', { pacing: { concurrency: 200 } })
    router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
    const receipts = Array.from({ length: 200 }, () => router.emit('a.b', {}))
    await vi.waitFor(() => expect(transport.requests).toHaveLength(200))
    await router.close({ timeoutMs: 0 })
    const results = (await Promise.all(receipts.map((r) => r.settled))).flat()
    await new Promise((resolve) => setImmediate(resolve))
    process.off('warning', onWarning)
    expect(results.every((r) => r.status === 'failed' && r.reason === 'shutdown')).toBe(true)
    expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning')
  })

  it('gives attempts in flight the whole deadline, however long the queue it dead-letters', async () => {
    const { router, transport } = createRouter()
    // Long enough that no second wave of attempts starts before close(), even on a busy machine.
    transport.respondWith({ status: 200, delayMs: 1000 })
    router.integrations.update('crm', { pacing: { concurrency: 4 } })
    router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
    const receipts = Array.from({ length: 5000 }, () => router.emit('a.b', {}))
    await vi.waitFor(() => expect(transport.requests).toHaveLength(4))
    await router.close({ timeoutMs: 5000 })
    const results = (await Promise.all(receipts.map((r) => r.settled))).flat()
    expect(results.filter((r) => r.status === 'succeeded')).toHaveLength(4)
    expect(transport.requests).toHaveLength(4)
    expect(await router.deadLetters.list({ reason: 'shutdown' })).toHaveLength(4996)
  })

  it('rejects a bad timeout', () => {
    const { router } = createRouter()
    expect(() => router.close({ timeoutMs: -1 })).toThrow(
      expect.objectContaining({ code: 'ERR_VALIDATION', field: 'timeoutMs' }),
    )
  })

  it('rejects options that are not an object (null, a throwing getter) with a ValidationError', () => {
    const { router } = createRouter()
    expect(() => router.close(null as never)).toThrow(
      expect.objectContaining({ code: 'ERR_VALIDATION', field: 'options' }),
    )
    const throwing = Object.defineProperty({}, 'timeoutMs', {
      get: () => {
        throw new Error('g')
      },
    })
    expect(() => router.close(throwing)).toThrow(
      expect.objectContaining({ code: 'ERR_VALIDATION', field: 'options' }),
    )
  })
})
