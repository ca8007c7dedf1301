import { describe, expectTypeOf, it } from 'vitest'
import { loyaltyCatalog } from '../../src/catalogs/loyalty/index.js'
import { EventRouter, webhookAdapter } from '../../src/index.js'

const sample = loyaltyCatalog.get('wallet.coins_rewarded').sample

describe('EventRouter.emit types', () => {
  it('with a catalog: names and payloads are checked at compile time', () => {
    const router = new EventRouter({ adapters: [webhookAdapter()], catalog: loyaltyCatalog })
    router.emit('wallet.coins_rewarded', sample)
    // @ts-expect-error: a typo in the event name
    router.emit('wallet.coin_rewarded', sample)
    // @ts-expect-error: a payload missing its fields
    router.emit('wallet.coins_rewarded', { coins: 5 })
    // @ts-expect-error: a field of the wrong type
    router.emit('wallet.coins_rewarded', { ...sample, coins: 'many' })
    expectTypeOf(router.emit<'coupon.created'>)
      .parameter(1)
      .toHaveProperty('coinsSpent')
    // @ts-expect-error: explain is typed the same way
    router.explain('nope', {})
    // @ts-expect-error: and emitAsync
    void router.emitAsync('wallet.coin_rewarded', sample)
    expectTypeOf(router.emitAsync('wallet.coins_rewarded', sample)).resolves.toHaveProperty('deliveries')
  })

  it('without a catalog: any name and JSON object', () => {
    const router = new EventRouter({ adapters: [webhookAdapter()] })
    router.emit('anything.at_all', { coins: 5, nested: { ok: true } })
    expectTypeOf(router.emit).parameter(0).toEqualTypeOf<string>()
    expectTypeOf(router.emit).parameter(1).toEqualTypeOf<Record<string, unknown>>()
  })

  it('fromJSON keeps the catalog type', () => {
    const restored = EventRouter.fromJSON({}, { adapters: [webhookAdapter()], catalog: loyaltyCatalog })
    // @ts-expect-error: still typed
    restored.emit('nope', {})
  })
})
