import { describe, expect, it } from 'vitest'
import { type EventSkipped, RouterClosedError, ValidationError } from '../../src/index.js'
import { coinsRewarded, createRouter } from '../factories.js'

describe('EventRouter.emit', () => {
  it('starts one delivery per matching subscription and sends the prefixed name', async () => {
    const { router, transport } = createRouter()
    router.subscriptions.create({
      event: 'wallet.coins_rewarded',
      integrationId: 'crm',
      filter: { coins: { $gte: 100 }, 'customer.tier': { $in: ['gold', 'silver'] } },
      eventNamePrefix: 'Loyalty ',
    })
    const receipt = router.emit('wallet.coins_rewarded', coinsRewarded(), { id: 'evt_1' })
    expect(receipt.eventId).toBe('evt_1')
    expect(receipt.deliveries).toHaveLength(1)
    expect(receipt.deliveries[0]).toMatchObject({
      eventId: 'evt_1',
      eventName: 'wallet.coins_rewarded',
      outgoingName: 'Loyalty wallet.coins_rewarded',
      integrationId: 'crm',
      integrationType: 'webhook',
    })
    const [result] = await receipt.settled
    expect(result).toMatchObject({ status: 'succeeded', attempts: 1 })
    expect(transport.requests[0]?.json()).toMatchObject({
      id: 'evt_1',
      type: 'Loyalty wallet.coins_rewarded',
      data: coinsRewarded(),
    })
  })

  it('matches synchronously, but builds and sends requests after the caller has moved on', async () => {
    const { router, transport } = createRouter()
    router.subscriptions.create({ event: 'wallet.coins_rewarded', integrationId: 'crm' })
    router.subscriptions.create({ event: 'coupon.created', integrationId: 'crm' })
    const receipt = router.emit('wallet.coins_rewarded', {})
    expect(receipt.deliveries).toHaveLength(1)
    expect(router.pendingCount).toBe(1)
    expect(transport.requests).toHaveLength(0)
    await receipt.settled
    expect(transport.requests).toHaveLength(1)
    // settled read after the outcome is known resolves too
    await expect(receipt.settled).resolves.toMatchObject([{ status: 'succeeded' }])
  })

  it('routes arrays of names and the * wildcard, and nothing else', async () => {
    const { router } = createRouter()
    const many = router.subscriptions.create({
      event: ['coupon.created', 'coupon.updated'],
      integrationId: 'crm',
    })
    const all = router.subscriptions.create({ event: '*', integrationId: 'crm' })
    router.subscriptions.create({ event: 'review.created', integrationId: 'crm' })
    const ids = (name: string) => router.emit(name, {}).deliveries.map((d) => d.subscriptionId)
    expect(ids('coupon.updated')).toEqual([many.id, all.id])
    expect(ids('order.created')).toEqual([all.id])
    await router.onIdle()
  })

  it('gives each delivery its own id and uses a generated event id by default', () => {
    const { router } = createRouter()
    router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
    router.subscriptions.create({ event: 'a.b', integrationId: 'crm', eventNamePrefix: 'X ' })
    const receipt = router.emit('a.b', {})
    expect(receipt.eventId).toMatch(/^[0-9a-f-]{36}$/)
    const [first, second] = receipt.deliveries
    expect(first?.id).not.toBe(second?.id)
    expect([first?.outgoingName, second?.outgoingName]).toEqual(['a.b', 'X a.b'])
  })

  it('reports every skipped subscription with its reason on eventSkipped', () => {
    const { router } = createRouter()
    router.integrations.add({
      id: 'off',
      type: 'webhook',
      config: { url: 'https://off.example/', signing: false },
      enabled: false,
    })
    const filtered = router.subscriptions.create({
      event: 'e.x',
      integrationId: 'crm',
      filter: { coins: { $gt: 1000 } },
    })
    const disabled = router.subscriptions.create({ event: 'e.x', integrationId: 'crm', enabled: false })
    const integrationOff = router.subscriptions.create({ event: 'e.x', integrationId: 'off' })
    const matching = router.subscriptions.create({ event: 'e.x', integrationId: 'crm' })
    const skips: EventSkipped[] = []
    router.on('eventSkipped', (skipped) => {
      skips.push(skipped)
    })
    const receipt = router.emit('e.x', { coins: 5 }, { id: 'evt_9' })
    expect(receipt.deliveries.map((d) => d.subscriptionId)).toEqual([matching.id])
    expect(skips).toEqual([
      {
        tenant: null,
        eventId: 'evt_9',
        eventName: 'e.x',
        skipped: [
          { tenant: null, subscriptionId: filtered.id, integrationId: 'crm', reason: 'filter_not_matched' },
          {
            tenant: null,
            subscriptionId: disabled.id,
            integrationId: 'crm',
            reason: 'subscription_disabled',
          },
          {
            tenant: null,
            subscriptionId: integrationOff.id,
            integrationId: 'off',
            reason: 'integration_disabled',
          },
        ],
      },
    ])
  })

  it('dispatches nothing for an event type switched off, and resumes when switched on', () => {
    const { router } = createRouter()
    const sub = router.subscriptions.create({ event: 'wallet.coins_rewarded', integrationId: 'crm' })
    const skips: EventSkipped[] = []
    router.on('eventSkipped', (skipped) => {
      skips.push(skipped)
    })
    router.events.disable('wallet.coins_rewarded')
    expect(router.events.isEnabled('wallet.coins_rewarded')).toBe(false)
    expect(router.emit('wallet.coins_rewarded', {}).deliveries).toEqual([])
    expect(skips[0]?.skipped).toEqual([
      { tenant: null, subscriptionId: sub.id, integrationId: 'crm', reason: 'event_disabled' },
    ])
    router.events.enable('wallet.coins_rewarded')
    expect(router.emit('wallet.coins_rewarded', {}).deliveries).toHaveLength(1)
  })

  it('resolves settled with [] when nothing matches', async () => {
    const { router } = createRouter()
    const receipt = router.emit('nobody.listens', {})
    expect(receipt.deliveries).toEqual([])
    await expect(receipt.settled).resolves.toEqual([])
  })

  it.each([
    ['an empty name', '', {}, undefined, 'name'],
    ['a name with spaces', 'wallet coins', {}, undefined, 'name'],
    ['a non-string name', 42, {}, undefined, 'name'],
    ['an array payload', 'a.b', [], undefined, 'payload'],
    ['a null payload', 'a.b', null, undefined, 'payload'],
    ['a class instance payload', 'a.b', new Date(), undefined, 'payload'],
    ['a bad event id', 'a.b', {}, { id: 'has space' }, 'options.id'],
    ['a bad occurredAt', 'a.b', {}, { occurredAt: 'yesterday' }, 'options.occurredAt'],
  ])('rejects %s with a ValidationError naming the field', (_label, name, payload, options, field) => {
    const { router, transport } = createRouter()
    router.subscriptions.create({ event: '*', integrationId: 'crm' })
    const call = () => router.emit(name as string, payload as Record<string, unknown>, options as never)
    expect(call).toThrow(ValidationError)
    try {
      call()
    } catch (error) {
      expect(error).toMatchObject({ code: 'ERR_VALIDATION', field })
    }
    expect(router.pendingCount).toBe(0)
    expect(transport.requests).toHaveLength(0)
  })

  it('throws RouterClosedError after close()', async () => {
    const { router } = createRouter()
    await router.close()
    expect(() => router.emit('a.b', {})).toThrow(RouterClosedError)
    expect(() => router.emit('a.b', {})).toThrow(/router is closed/)
  })

  it('uses occurredAt as the webhook timestamp', async () => {
    const { router, transport } = createRouter()
    router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
    await router.emit('a.b', {}, { occurredAt: '2026-11-01T10:00:00.000Z' }).settled
    expect(transport.requests[0]?.json()).toMatchObject({ timestamp: '2026-11-01T10:00:00.000Z' })
  })

  it('evaluates the filter against the payload as emitted (dot paths, arrays)', () => {
    const { router } = createRouter()
    router.subscriptions.create({
      event: 'order.created',
      integrationId: 'crm',
      filter: { 'items.sku': 'SKU-1', total: { $gt: 50 } },
    })
    expect(
      router.emit('order.created', { items: [{ sku: 'SKU-2' }, { sku: 'SKU-1' }], total: 80 }).deliveries,
    ).toHaveLength(1)
    expect(router.emit('order.created', { items: [{ sku: 'SKU-2' }], total: 80 }).deliveries).toHaveLength(0)
  })
})

describe('EventRouter.emit with a payload whose getter throws', () => {
  it('refuses it with a ValidationError naming the field, before any filter runs; nothing is dispatched', () => {
    const { router } = createRouter()
    router.subscriptions.create({ event: 'a.b', integrationId: 'crm', filter: { coins: { $gt: 1 } } })
    router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
    const errors: unknown[] = []
    const skips: EventSkipped[] = []
    router.on('error', (error) => {
      errors.push(error)
    })
    router.on('eventSkipped', (skipped) => {
      skips.push(skipped)
    })
    const payload = {
      get coins(): number {
        throw new Error('getter exploded')
      },
    }
    expect(() => router.emit('a.b', payload)).toThrow(
      expect.objectContaining({ code: 'ERR_VALIDATION', field: 'payload.coins' }),
    )
    expect(router.pendingCount).toBe(0)
    expect(skips).toEqual([])
    expect(errors).toEqual([])
  })
})

describe('emit() with hostile options', () => {
  const revoked = () => {
    const { proxy, revoke } = Proxy.revocable({}, {})
    revoke()
    return proxy
  }
  it.each([
    ['a BigInt occurredAt', { occurredAt: 1n }, 'options.occurredAt'],
    ['a Symbol occurredAt', { occurredAt: Symbol('t') }, 'options.occurredAt'],
    ['a null-prototype occurredAt', { occurredAt: Object.create(null) }, 'options.occurredAt'],
    ['a revoked Proxy occurredAt', { occurredAt: revoked() }, 'options.occurredAt'],
    [
      'options whose getter throws',
      Object.defineProperty({}, 'id', {
        get: () => {
          throw new Error('g')
        },
      }),
      'options',
    ],
    ['revoked Proxy options', revoked(), 'options'],
    ['null options', null, 'options'],
  ])('rejects %s with a ValidationError naming the field, dispatching nothing', (_, options, field) => {
    const { router, transport } = createRouter()
    router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
    expect(() => router.emit('a.b', {}, options as never)).toThrow(
      expect.objectContaining({ code: 'ERR_VALIDATION', field }),
    )
    expect(router.pendingCount).toBe(0)
    expect(transport.requests).toHaveLength(0)
  })
})

describe('ids the router generates', () => {
  it('are UUID-shaped and unique across events and deliveries', () => {
    const { router } = createRouter({ maxPending: 100_000 })
    router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
    router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
    const ids = new Set<string>()
    for (let i = 0; i < 5000; i++) {
      const receipt = router.emit('a.b', {})
      ids.add(receipt.eventId)
      for (const delivery of receipt.deliveries) ids.add(delivery.id)
    }
    expect(ids.size).toBe(15_000)
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })
})
