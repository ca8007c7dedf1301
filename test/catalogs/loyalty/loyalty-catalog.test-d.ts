import { describe, expectTypeOf, it } from 'vitest'
import type { Catalog, CatalogEventName, CatalogPayload } from '../../../src/catalog/catalog.js'
import {
  type LoyaltyEventName,
  type LoyaltyParsedPayload,
  type LoyaltyPayload,
  loyaltyCatalog,
} from '../../../src/catalogs/loyalty/index.js'

type Loyalty = typeof loyaltyCatalog

describe('loyaltyCatalog types', () => {
  it('names its events', () => {
    expectTypeOf<CatalogEventName<Loyalty>>().toEqualTypeOf<LoyaltyEventName>()
    expectTypeOf<LoyaltyEventName>().toEqualTypeOf<
      | 'customer.created'
      | 'customer.updated'
      | 'order.created'
      | 'order.updated'
      | 'wallet.coins_rewarded'
      | 'wallet.transaction_updated'
      | 'wallet.coin_expiry_reminder'
      | 'wallet.unused_coins_reminder'
      | 'coupon.created'
      | 'coupon.updated'
      | 'coupon.unused_reminder'
      | 'referral.completed'
      | 'referral.referee_notified'
      | 'referral.incomplete_reminder'
      | 'review.created'
      | 'review.updated'
      | 'review.requested'
      | 'tier.changed'
    >()
    expectTypeOf(loyaltyCatalog).toExtend<Catalog>()
  })

  it('types each payload from its schema', () => {
    type Rewarded = CatalogPayload<Loyalty, 'wallet.coins_rewarded'>
    expectTypeOf<Rewarded>().toEqualTypeOf<LoyaltyPayload<'wallet.coins_rewarded'>>()
    expectTypeOf<Rewarded['coins']>().toEqualTypeOf<number>()
    expectTypeOf<Rewarded['reason']>().toEqualTypeOf<
      | 'order'
      | 'signup'
      | 'birthday'
      | 'referral'
      | 'review'
      | 'social_follow'
      | 'anniversary'
      | 'manual'
      | 'other'
    >()
    expectTypeOf<Rewarded['expiresAt']>().toEqualTypeOf<string | null>()
    expectTypeOf<Rewarded['customer']['email']>().toEqualTypeOf<string>()
    expectTypeOf<Rewarded['customer']['mobile']>().toEqualTypeOf<string | undefined>()
    expectTypeOf<Rewarded['customer']['tier']>().toEqualTypeOf<string | null>()
    expectTypeOf<Rewarded['business']['currencyCode']>().toEqualTypeOf<string>()
    expectTypeOf<Rewarded['metadata']>().toEqualTypeOf<
      Record<string, string | number | boolean | null> | undefined
    >()

    type CouponCreated = LoyaltyPayload<'coupon.created'>
    expectTypeOf<CouponCreated['coupon']['discountType']>().toEqualTypeOf<
      'percentage' | 'fixed_amount' | 'free_shipping'
    >()
    expectTypeOf<CouponCreated['coinsSpent']>().toEqualTypeOf<number>()
    expectTypeOf<LoyaltyPayload<'order.created'>['order']['items'][number]['sku']>().toEqualTypeOf<
      string | undefined
    >()
    expectTypeOf<LoyaltyParsedPayload<'tier.changed'>['direction']>().toEqualTypeOf<'upgrade' | 'downgrade'>()
  })

  it('rejects unknown events and fields', () => {
    // @ts-expect-error: not a loyalty event
    expectTypeOf<LoyaltyPayload<'wallet.coin_rewarded'>>()
    const payload = loyaltyCatalog.get('wallet.coins_rewarded').sample
    // @ts-expect-error: a misspelt field
    const typo: LoyaltyPayload<'wallet.coins_rewarded'> = { ...payload, coin: 5 }
    expectTypeOf(typo).not.toBeAny()
  })
})
