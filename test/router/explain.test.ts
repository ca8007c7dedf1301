import { describe, expect, it } from 'vitest'
import { coinsRewarded, createRouter } from '../factories.js'

describe('EventRouter.explain', () => {
  it('says, for every subscription of the event, whether it would receive it and why not', () => {
    const { router, transport } = createRouter()
    router.integrations.add({
      id: 'off',
      type: 'webhook',
      config: { url: 'https://off.example/', signing: false },
      enabled: false,
    })
    router.subscriptions.create({
      id: 'big',
      event: 'wallet.coins_rewarded',
      integrationId: 'crm',
      filter: { coins: { $gte: 100 }, 'customer.tier': { $in: ['gold', 'silver'] } },
      eventNamePrefix: 'Loyalty ',
    })
    router.subscriptions.create({
      id: 'paused',
      event: 'wallet.coins_rewarded',
      integrationId: 'crm',
      enabled: false,
    })
    router.subscriptions.create({ id: 'to-off', event: 'wallet.coins_rewarded', integrationId: 'off' })
    router.subscriptions.create({ id: 'all', event: '*', integrationId: 'crm' })
    router.subscriptions.create({ id: 'other', event: 'coupon.created', integrationId: 'crm' })

    const explanation = router.explain(
      'wallet.coins_rewarded',
      coinsRewarded({ customer: { tier: 'bronze' } }),
    )
    expect(explanation).toEqual({
      eventName: 'wallet.coins_rewarded',
      eventEnabled: true,
      subscriptions: [
        {
          subscriptionId: 'big',
          integrationId: 'crm',
          outgoingName: 'Loyalty wallet.coins_rewarded',
          wouldDeliver: false,
          reason: 'filter_not_matched',
          failedClause: { path: 'customer.tier', condition: { $in: ['gold', 'silver'] }, actual: 'bronze' },
        },
        expect.objectContaining({
          subscriptionId: 'paused',
          wouldDeliver: false,
          reason: 'subscription_disabled',
        }),
        expect.objectContaining({
          subscriptionId: 'to-off',
          wouldDeliver: false,
          reason: 'integration_disabled',
        }),
        expect.objectContaining({
          subscriptionId: 'all',
          wouldDeliver: true,
          reason: null,
          failedClause: null,
        }),
      ],
    })
    expect(transport.requests).toHaveLength(0)
    expect(router.pendingCount).toBe(0)
  })

  it('reports values found across arrays and logical clauses', () => {
    const { router } = createRouter()
    router.subscriptions.create({
      id: 's',
      event: 'order.created',
      integrationId: 'crm',
      filter: { total: { $gt: 10 }, 'items.sku': 'SKU-9', $or: [{ channel: 'web' }, { channel: 'pos' }] },
    })
    const payload = { total: 50, items: [{ sku: 'SKU-1' }, { sku: 'SKU-2' }], channel: 'app' }
    expect(router.explain('order.created', payload).subscriptions[0]?.failedClause).toEqual({
      path: 'items.sku',
      condition: 'SKU-9',
      actual: ['SKU-1', 'SKU-2'],
    })
    const second = { ...payload, items: [{ sku: 'SKU-9' }] }
    expect(router.explain('order.created', second).subscriptions[0]?.failedClause).toMatchObject({
      path: '$or',
      actual: undefined,
    })
  })

  it('says when the event type is off', () => {
    const { router } = createRouter()
    router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
    router.events.disable('a.b')
    const explanation = router.explain('a.b', {})
    expect(explanation.eventEnabled).toBe(false)
    expect(explanation.subscriptions[0]).toMatchObject({ wouldDeliver: false, reason: 'event_disabled' })
  })

  it('validates like emit', () => {
    const { router } = createRouter()
    expect(() => router.explain('bad name', {})).toThrow(expect.objectContaining({ field: 'name' }))
    expect(() => router.explain('a.b', [] as never)).toThrow(expect.objectContaining({ field: 'payload' }))
  })
})
