import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { EventRouter, webhookAdapter } from '../../src/index.js'
import { sqliteStore } from '../../src/stores/sqlite/index.js'
import { MockTransport } from '../../src/testing/index.js'
import { tempDirectory } from '../support/temp-directory.js'

let directory = ''
beforeAll(async () => {
  directory = await tempDirectory('eventrouter-idempotent-')
})
afterAll(async () => {
  await rm(directory, { recursive: true, force: true })
})
afterEach(() => {
  vi.useRealTimers()
})

function configure(router: EventRouter) {
  router.integrations.add({
    id: 'crm',
    type: 'webhook',
    config: { url: 'https://crm.example/h', signing: false },
  })
  router.subscriptions.create({ event: 'coupon.created', integrationId: 'crm' })
}

describe('emit() with an event id it has accepted before', () => {
  it('makes no second set of deliveries and returns the first ones', async () => {
    const transport = new MockTransport()
    const router = new EventRouter({ adapters: [webhookAdapter()], transport })
    configure(router)
    const first = router.emit('coupon.created', { code: 'A1' }, { id: 'order-1' })
    const again = router.emit('coupon.created', { code: 'A1' }, { id: 'order-1' })
    expect(first.duplicate).toBe(false)
    expect(again.duplicate).toBe(true)
    expect(again.deliveries).toEqual(first.deliveries)
    // While pending, the repeat waits for the same outcome.
    expect(await again.settled).toEqual(await first.settled)
    await router.onIdle()
    const later = router.emit('coupon.created', { code: 'A1' }, { id: 'order-1' })
    expect(later.deliveries).toEqual(first.deliveries)
    expect(await later.settled).toEqual([])
    expect(transport.requests).toHaveLength(1)
    // Generated ids are never looked up; another id is another event.
    router.emit('coupon.created', { code: 'A2' })
    router.emit('coupon.created', { code: 'A3' }, { id: 'order-2' })
    await router.onIdle()
    expect(transport.requests).toHaveLength(3)
    await router.close()
  })

  it('remembers an event that matched nothing, and keeps ids apart per tenant', async () => {
    const transport = new MockTransport()
    const router = new EventRouter({ adapters: [webhookAdapter()], transport })
    router.tenant('acme').integrations.add({
      id: 'crm',
      type: 'webhook',
      config: { url: 'https://a.example/h', signing: false },
    })
    expect(router.tenant('acme').emit('coupon.created', {}, { id: 'e1' }).duplicate).toBe(false)
    router.tenant('acme').subscriptions.create({ event: 'coupon.created', integrationId: 'crm' })
    // Accepted once with no delivery: a retry of it stays without one.
    expect(router.tenant('acme').emit('coupon.created', {}, { id: 'e1' })).toMatchObject({
      duplicate: true,
      deliveries: [],
    })
    // The same id in another tenant is another tenant's event.
    expect(router.tenant('globex').emit('coupon.created', {}, { id: 'e1' }).duplicate).toBe(false)
    expect(router.tenant('acme').emit('coupon.created', {}, { id: 'e2' }).deliveries).toHaveLength(1)
    await router.close()
  })

  it('forgets ids after eventIdRetentionMs', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2026-12-01T00:00:00Z'))
    const transport = new MockTransport()
    const router = new EventRouter({ adapters: [webhookAdapter()], transport, eventIdRetentionMs: 60_000 })
    configure(router)
    router.emit('coupon.created', {}, { id: 'old' })
    vi.setSystemTime(new Date('2026-12-01T00:05:00Z'))
    // This emit prunes what is older than a minute.
    router.emit('coupon.created', {}, { id: 'other' })
    expect(router.emit('coupon.created', {}, { id: 'old' }).duplicate).toBe(false)
    await router.close()
  })

  it('holds across a restart on a durable store: a relay retrying after a crash sends nothing twice', async () => {
    const path = join(directory, 'idempotent.db')
    const make = (transport: MockTransport) =>
      new EventRouter({
        adapters: [webhookAdapter()],
        transport,
        store: sqliteStore({ path }),
        secrets: 'plaintext',
      })
    const firstTransport = new MockTransport()
    const first = make(firstTransport)
    await first.start()
    configure(first)
    const receipt = first.emit('coupon.created', { code: 'X' }, { id: 'outbox-row-7' })
    await first.onIdle()
    await first.close()
    const transport = new MockTransport()
    const second = make(transport)
    await second.start()
    const again = second.emit('coupon.created', { code: 'X' }, { id: 'outbox-row-7' })
    expect(again.duplicate).toBe(true)
    expect(again.deliveries).toEqual(receipt.deliveries)
    await second.onIdle()
    expect(firstTransport.requests).toHaveLength(1)
    expect(transport.requests).toHaveLength(0)
    await second.close()
  })
})
