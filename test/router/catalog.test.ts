import { describe, expect, it } from 'vitest'
import { loyaltyCatalog } from '../../src/catalogs/loyalty/index.js'
import { EventRouter, ValidationError, webhookAdapter } from '../../src/index.js'
import { MockTransport } from '../../src/testing/index.js'
import { INSTANT_RETRY } from '../factories.js'

const sample = loyaltyCatalog.get('wallet.coins_rewarded').sample

function setup(outgoingName?: 'title' | 'name') {
  const transport = new MockTransport()
  const router = new EventRouter({
    adapters: [webhookAdapter()],
    catalog: loyaltyCatalog,
    transport,
    retry: INSTANT_RETRY,
    ...(outgoingName ? { outgoingName } : {}),
  })
  router.integrations.add({
    id: 'crm',
    type: 'webhook',
    config: { url: 'https://crm.example/hooks', signing: false },
  })
  return { router, transport }
}

describe('EventRouter with a catalog', () => {
  it('sends prefix + title as the outgoing name by default, or the name when asked', async () => {
    const { router, transport } = setup()
    router.subscriptions.create({
      event: 'wallet.coins_rewarded',
      integrationId: 'crm',
      eventNamePrefix: 'Loyalty ',
    })
    const receipt = router.emit('wallet.coins_rewarded', sample)
    expect(receipt.deliveries[0]?.outgoingName).toBe('Loyalty Wallet Coins Rewarded')
    await receipt.settled
    expect(transport.requests[0]?.json()).toMatchObject({ type: 'Loyalty Wallet Coins Rewarded' })

    const byName = setup('name')
    byName.router.subscriptions.create({
      event: 'wallet.coins_rewarded',
      integrationId: 'crm',
      eventNamePrefix: 'L ',
    })
    expect(byName.router.emit('wallet.coins_rewarded', sample).deliveries[0]?.outgoingName).toBe(
      'L wallet.coins_rewarded',
    )
  })

  it('rejects an invalid payload naming each bad field, and dispatches nothing', () => {
    const { router, transport } = setup()
    router.subscriptions.create({ event: 'wallet.coins_rewarded', integrationId: 'crm' })
    const bad = { ...sample, coins: -5, customer: { ...sample.customer, email: 'not-an-email' } }
    let thrown: unknown
    try {
      router.emit('wallet.coins_rewarded', bad)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(ValidationError)
    const paths = (thrown as ValidationError).issues.map((issue) => issue.path)
    expect(paths).toEqual(expect.arrayContaining(['payload.coins', 'payload.customer.email']))
    expect(router.pendingCount).toBe(0)
    expect(transport.requests).toHaveLength(0)
  })

  it('rejects unknown event names at emit and on subscriptions', () => {
    const { router } = setup()
    expect(() => router.emit('wallet.coin_rewarded' as never, sample as never)).toThrow(
      expect.objectContaining({ field: 'name', message: expect.stringContaining('wallet.coins_rewarded') }),
    )
    expect(() =>
      router.subscriptions.create({ event: 'wallet.coin_rewarded', integrationId: 'crm' }),
    ).toThrow(expect.objectContaining({ code: 'ERR_VALIDATION', field: 'event' }))
    expect(() =>
      router.subscriptions.create({ event: ['coupon.created', 'coupon.nope'], integrationId: 'crm' }),
    ).toThrow(expect.objectContaining({ field: 'event.1' }))
    expect(router.subscriptions.list()).toEqual([])
  })

  it('checks filters against the event schema on create and update; * subscriptions skip it', () => {
    const { router } = setup()
    expect(() =>
      router.subscriptions.create({
        event: 'wallet.coins_rewarded',
        integrationId: 'crm',
        filter: { 'customer.teir': 'gold' },
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'ERR_INVALID_FILTER',
        message: expect.stringContaining('customer.tier'),
      }),
    )
    expect(() =>
      router.subscriptions.create({
        event: 'wallet.coins_rewarded',
        integrationId: 'crm',
        filter: { coins: 'lots' },
      }),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_FILTER', field: 'filter.coins' }))
    const sub = router.subscriptions.create({
      event: 'wallet.coins_rewarded',
      integrationId: 'crm',
      filter: { coins: { $gte: 100 } },
    })
    expect(() => router.subscriptions.update(sub.id, { filter: { coinz: 1 } })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_FILTER' }),
    )
    expect(() => router.subscriptions.update(sub.id, { event: 'coupon.created' })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_FILTER' }),
    )
    expect(router.subscriptions.get(sub.id)?.filter).toEqual({ coins: { $gte: 100 } })
    expect(() =>
      router.subscriptions.create({ event: '*', integrationId: 'crm', filter: { anything: 1 } }),
    ).not.toThrow()
  })

  it('lists events with their filterable fields and JSON Schemas for a dashboard', () => {
    const { router } = setup()
    const events = router.catalog.list()
    expect(events.map((e) => e.name)).toEqual(loyaltyCatalog.names())
    const rewarded = events.find((e) => e.name === 'wallet.coins_rewarded')
    expect(rewarded).toMatchObject({ title: 'Wallet Coins Rewarded', description: expect.any(String) })
    expect(rewarded?.fields).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'coins', type: 'integer' }),
        expect.objectContaining({ path: 'customer.tier' }),
      ]),
    )
    expect(router.catalog.jsonSchema('wallet.coins_rewarded')).toMatchObject({
      type: 'object',
      properties: expect.objectContaining({ coins: expect.any(Object) }),
    })
    expect(() => router.catalog.jsonSchema('nope.nope')).toThrow(ValidationError)
    const plain = new EventRouter({ adapters: [webhookAdapter()] })
    expect(plain.catalog.list()).toEqual([])
  })

  it('explains with the catalog-validated payload', () => {
    const { router } = setup()
    router.subscriptions.create({
      id: 'gold',
      event: 'wallet.coins_rewarded',
      integrationId: 'crm',
      filter: { coins: { $gte: 100 } },
      eventNamePrefix: 'Loyalty ',
    })
    expect(router.explain('wallet.coins_rewarded', sample).subscriptions).toEqual([
      expect.objectContaining({
        outgoingName: 'Loyalty Wallet Coins Rewarded',
        wouldDeliver: false,
        failedClause: { path: 'coins', condition: { $gte: 100 }, actual: sample.coins },
      }),
    ])
  })

  it('test-sends the catalog sample when no payload is given', async () => {
    const { router, transport } = setup()
    const sub = router.subscriptions.create({ event: 'coupon.created', integrationId: 'crm' })
    const outcome = await router.subscriptions.test(sub.id)
    expect(outcome.result.status).toBe('succeeded')
    expect(transport.requests[0]?.json()).toMatchObject({
      type: 'Coupon Is Created',
      data: {
        ...JSON.parse(JSON.stringify(loyaltyCatalog.get('coupon.created').sample)),
        eventrouter_test: true,
      },
    })
  })

  it('round-trips through toJSON/fromJSON with the catalog', () => {
    const { router } = setup()
    router.subscriptions.create({
      event: 'wallet.coins_rewarded',
      integrationId: 'crm',
      filter: { coins: { $gte: 1 } },
    })
    const restored = EventRouter.fromJSON(router.toJSON({ includeSecrets: true }), {
      adapters: [webhookAdapter()],
      catalog: loyaltyCatalog,
    })
    expect(restored.subscriptions.list()).toEqual(router.subscriptions.list())
  })
})
