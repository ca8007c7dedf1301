import type { CatalogEventName, CatalogParsedPayload, CatalogPayload } from '../../catalog/catalog.js'
import { defineCatalog } from '../../catalog/define-catalog.js'
import { couponEvents } from './coupon.js'
import { customerEvents } from './customer.js'
import { orderEvents } from './order.js'
import { referralEvents } from './referral.js'
import { reviewEvents } from './review.js'
import { tierEvents } from './tier.js'
import { walletEvents } from './wallet.js'

/**
 * The events a loyalty platform emits (customers, orders, wallet coins, coupons, referrals,
 * reviews, VIP tiers), each with a strict zod schema, a title and a sample. Every payload carries
 * `business` and `customer`, and may carry `metadata`. See docs/catalog.md.
 */
export const loyaltyCatalog = defineCatalog({
  ...customerEvents,
  ...orderEvents,
  ...walletEvents,
  ...couponEvents,
  ...referralEvents,
  ...reviewEvents,
  ...tierEvents,
})

/** The type of {@link loyaltyCatalog}. */
export type LoyaltyCatalog = typeof loyaltyCatalog

/** A loyalty event name: `'wallet.coins_rewarded' | 'coupon.created' | ...`. */
export type LoyaltyEventName = CatalogEventName<LoyaltyCatalog>

/** The payload of a loyalty event, as `emit()` accepts it. */
export type LoyaltyPayload<N extends LoyaltyEventName> = CatalogPayload<LoyaltyCatalog, N>

/** The payload of a loyalty event after validation. */
export type LoyaltyParsedPayload<N extends LoyaltyEventName> = CatalogParsedPayload<LoyaltyCatalog, N>
