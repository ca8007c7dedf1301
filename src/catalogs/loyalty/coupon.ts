import { z } from 'zod'
import { defineEvent } from '../../catalog/define-event.js'
import { coins, id, loyaltyEventSchema, money, timestamp } from './common.js'
import { sampleBusiness, sampleCustomer } from './samples.js'

const couponStatusSchema = z.enum(['active', 'redeemed', 'expired', 'cancelled']).describe('Coupon status')

/** A discount code issued by the loyalty program. */
export const couponSchema = z
  .strictObject({
    /** Coupon id. */
    id: id('Coupon id'),
    /** The code the customer enters at checkout. */
    code: z.string().min(1).max(100).describe('The code the customer enters at checkout'),
    /** How it was issued: bought with coins, a referral discount, a program reward, or by staff. */
    source: z
      .enum(['coin_redemption', 'referral', 'reward', 'manual'])
      .describe('How it was issued: bought with coins, a referral discount, a program reward, or by staff'),
    /** Kind of discount. */
    discountType: z.enum(['percentage', 'fixed_amount', 'free_shipping']).describe('Kind of discount'),
    /**
     * Size of the discount: a percentage from 0 to 100 for `percentage` (15 means 15% off), an amount in
     * major units of the business currency for `fixed_amount` (10 means $10 off), 0 for `free_shipping`.
     */
    discountValue: z
      .number()
      .nonnegative()
      .describe(
        'Size of the discount: a percentage from 0 to 100 for `percentage` (15 means 15% off), an amount in ' +
          'major units of the business currency for `fixed_amount` (10 means $10 off), 0 for `free_shipping`',
      ),
    /** Smallest order subtotal the coupon applies to, in major units; null for no minimum. */
    minimumOrderAmount: money('Smallest order subtotal the coupon applies to')
      .nullable()
      .describe('Smallest order subtotal the coupon applies to, in major units; null for no minimum'),
    /** Coupon status. */
    status: couponStatusSchema,
    /** When the coupon expires; null if never. */
    expiresAt: timestamp('When the coupon expires')
      .nullable()
      .describe('When the coupon expires; null if never'),
    /** When the coupon was issued (ISO 8601, UTC). */
    createdAt: timestamp('When the coupon was issued'),
    /** When the coupon was used; null until then. */
    redeemedAt: timestamp('When the coupon was used')
      .nullable()
      .describe('When the coupon was used; null until then'),
    /** Order the coupon was used on; null until then. */
    orderId: id('Order the coupon was used on')
      .nullable()
      .describe('Order the coupon was used on; null until then'),
  })
  .refine((coupon) => coupon.discountType !== 'percentage' || coupon.discountValue <= 100, {
    path: ['discountValue'],
    message: 'a percentage discount is at most 100',
  })

/** Ana's coupon in the samples: 1,000 coins turned into $10 off. */
export const sampleCoupon: z.input<typeof couponSchema> = {
  id: 'cpn_01JVQ7B2K9XC',
  code: 'GLOW-10OFF-8K2P',
  source: 'coin_redemption',
  discountType: 'fixed_amount',
  discountValue: 10,
  minimumOrderAmount: 30,
  status: 'active',
  expiresAt: '2025-08-19T23:59:59Z',
  createdAt: '2025-05-21T16:58:40Z',
  redeemedAt: null,
  orderId: null,
}

/** Coupon events: `coupon.created`, `coupon.updated`, `coupon.unused_reminder`. */
export const couponEvents = {
  /**
   * Coupon Is Created. A coupon was issued to a customer, typically because they turned wallet coins into a
   * discount code (`coinsSpent` coins, `coupon.source` = `coin_redemption`).
   */
  'coupon.created': defineEvent({
    title: 'Coupon Is Created',
    description:
      'A coupon was issued to a customer, typically because they turned wallet coins into a discount ' +
      'code (`coinsSpent` coins, `coupon.source` = `coin_redemption`).',
    schema: loyaltyEventSchema({
      /** A discount code issued by the loyalty program. */
      coupon: couponSchema,
      /** Coins turned into the coupon; 0 when it was not bought with coins. */
      coinsSpent: coins('Coins turned into the coupon; 0 when it was not bought with coins'),
      /** Spendable coins in the wallet after the redemption. */
      balance: coins('Spendable coins in the wallet after the redemption'),
    }),
    sample: {
      business: sampleBusiness,
      customer: sampleCustomer,
      coupon: sampleCoupon,
      coinsSpent: 1000,
      balance: 350,
    },
  }),
  /** Coupon Is Updated. A coupon changed status: redeemed on an order, expired or cancelled. */
  'coupon.updated': defineEvent({
    title: 'Coupon Is Updated',
    description: 'A coupon changed status: redeemed on an order, expired or cancelled.',
    schema: loyaltyEventSchema({
      /** A discount code issued by the loyalty program. */
      coupon: couponSchema,
      /** Coupon status. */
      previousStatus: couponStatusSchema,
    }),
    sample: {
      business: sampleBusiness,
      customer: sampleCustomer,
      coupon: {
        ...sampleCoupon,
        status: 'redeemed',
        redeemedAt: '2025-05-21T17:12:03Z',
        orderId: '5829113920',
      },
      previousStatus: 'active',
    },
  }),
  /**
   * Unused Coupon Reminder. A customer has an active coupon they have not used yet: a reminder to use it
   * before it expires.
   */
  'coupon.unused_reminder': defineEvent({
    title: 'Unused Coupon Reminder',
    description:
      'A customer has an active coupon they have not used yet: a reminder to use it before it expires.',
    schema: loyaltyEventSchema({
      /** A discount code issued by the loyalty program. */
      coupon: couponSchema,
      /** Whole days until `coupon.expiresAt`; null when the coupon never expires. */
      daysLeft: z
        .int()
        .nonnegative()
        .nullable()
        .describe('Whole days until `coupon.expiresAt`; null when the coupon never expires'),
    }),
    sample: {
      business: sampleBusiness,
      customer: sampleCustomer,
      coupon: sampleCoupon,
      daysLeft: 14,
    },
  }),
}
