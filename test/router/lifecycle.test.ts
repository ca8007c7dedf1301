import { describe, expect, it, vi } from 'vitest'
import type { DeliveryResult, EventRouterError } from '../../src/index.js'
import { createRouter } from '../factories.js'

describe('EventRouter lifecycle events', () => {
  it('emits exactly one deliverySucceeded or deliveryFailed per delivery', async () => {
    const { router, transport } = createRouter()
    transport.when('https://bad.example').respondWith(400)
    // An API-style destination, whose 400 is final (a webhook retries it).
    router.integrations.add({ id: 'bad', type: 'api', config: { url: 'https://bad.example/' } })
    router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
    router.subscriptions.create({ event: 'a.b', integrationId: 'bad' })
    const outcomes: DeliveryResult[] = []
    router.on('deliverySucceeded', (result) => {
      outcomes.push(result)
    })
    router.on('deliveryFailed', (result) => {
      outcomes.push(result)
    })
    const receipt = router.emit('a.b', {})
    const settled = await receipt.settled
    expect(outcomes).toHaveLength(2)
    expect(new Set(outcomes.map((o) => o.delivery.id))).toEqual(new Set(receipt.deliveries.map((d) => d.id)))
    expect(settled.map((s) => s.status).sort()).toEqual(['failed', 'succeeded'])
    const failed = outcomes.find((o) => o.status === 'failed')
    expect(failed).toMatchObject({ reason: 'not_retryable', delivery: { integrationId: 'bad' } })
  })

  it('isolates a listener that throws or rejects: delivery goes on, the failure is reported on error', async () => {
    const { router, transport } = createRouter()
    transport.failTimes(1, 500)
    router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
    const errors: EventRouterError[] = []
    const after = vi.fn()
    router.on('error', (error) => {
      errors.push(error)
    })
    router.on('attemptFailed', () => {
      throw new Error('listener bug')
    })
    router.on('deliverySucceeded', async () => {
      throw new Error('async listener bug')
    })
    router.on('deliverySucceeded', after)
    const [result] = await router.emit('a.b', {}).settled
    await new Promise((resolve) => setImmediate(resolve))
    expect(result).toMatchObject({ status: 'succeeded', attempts: 2 })
    expect(after).toHaveBeenCalledOnce()
    expect(errors.map((e) => [e.code, e.message])).toEqual([
      ['ERR_LISTENER', 'A lifecycle listener failed: listener bug'],
      ['ERR_LISTENER', 'A lifecycle listener failed: async listener bug'],
    ])
  })

  it('an error listener that throws is swallowed, not looped', async () => {
    const { router } = createRouter()
    router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
    const errorListener = vi.fn(() => {
      throw new Error('error listener bug')
    })
    router.on('error', errorListener)
    router.on('deliverySucceeded', () => {
      throw new Error('boom')
    })
    await expect(router.emit('a.b', {}).settled).resolves.toHaveLength(1)
    expect(errorListener).toHaveBeenCalledOnce()
  })

  it('off() removes a listener and once() fires once', async () => {
    const { router } = createRouter()
    router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
    const removed = vi.fn()
    const onced = vi.fn()
    router.on('deliverySucceeded', removed)
    router.off('deliverySucceeded', removed)
    router.once('deliverySucceeded', onced)
    await router.emit('a.b', {}).settled
    await router.emit('a.b', {}).settled
    expect(removed).not.toHaveBeenCalled()
    expect(onced).toHaveBeenCalledOnce()
  })

  it('onIdle resolves once every delivery started so far has settled', async () => {
    const { router, transport } = createRouter()
    transport.respondWith({ status: 200, delayMs: 20 })
    router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
    const settled = vi.fn()
    router.on('deliverySucceeded', settled)
    router.emit('a.b', {})
    router.emit('a.b', {})
    expect(router.pendingCount).toBe(2)
    await router.onIdle()
    expect(settled).toHaveBeenCalledTimes(2)
    expect(router.pendingCount).toBe(0)
    await expect(router.onIdle()).resolves.toBeUndefined()
  })
})
