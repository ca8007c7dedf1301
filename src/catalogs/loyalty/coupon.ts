import { z } from 'zod'
import { defineEvent } from '../../catalog/define-event.js'
import { coins, id, loyaltyEventSchema, money, timestamp } from './common.js'
import { sampleBusiness, sampleCustomer } from './samples.js'

const couponStatusSchema = z.enum(['active', 'redeemed', 'expired', 'cancelled']).describe('Coupon status')

/** A discount code issued by the loyalty program. */
export const couponSchema = z
  .strictObject({
    id: id('Coupon id'),
    code: z.string().min(1).max(100).describe('The code the customer enters at checkout'),
    source: z
      .enum(['coin_redemption', 'referral', 'reward', 'manual'])
      .describe('How it was issued: bought with coins, a referral discount, a program reward, or by staff'),
    discountType: z.enum(['percentage', 'fixed_amount', 'free_shipping']).describe('Kind of discount'),
    discountValue: z
      .number()
      .nonnegative()
      .describe(
        'Size of the discount: a percentage from 0 to 100 for `percentage` (15 means 15% off), an amount in ' +
          'major units of the business currency for `fixed_amount` (10 means $10 off), 0 for `free_shipping`',
      ),
    minimumOrderAmount: money('Smallest order subtotal the coupon applies to')
      .nullable()
      .describe('Smallest order subtotal the coupon applies to, in major units; null for no minimum'),
    status: couponStatusSchema,
    expiresAt: timestamp('When the coupon expires')
      .nullable()
      .describe('When the coupon expires; null if never'),
    createdAt: timestamp('When the coupon was issued'),
    redeemedAt: timestamp('When the coupon was used')
      .nullable()
      .describe('When the coupon was used; null until then'),
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
  'coupon.created': defineEvent({
    title: 'Coupon Is Created',
    description:
      'A coupon was issued to a customer, typically because they turned wallet coins into a discount ' +
      'code (`coinsSpent` coins, `coupon.source` = `coin_redemption`).',
    schema: loyaltyEventSchema({
      coupon: couponSchema,
      coinsSpent: coins('Coins turned into the coupon; 0 when it was not bought with coins'),
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
  'coupon.updated': defineEvent({
    title: 'Coupon Is Updated',
    description: 'A coupon changed status: redeemed on an order, expired or cancelled.',
    schema: loyaltyEventSchema({
      coupon: couponSchema,
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
  'coupon.unused_reminder': defineEvent({
    title: 'Unused Coupon Reminder',
    description:
      'A customer has an active coupon they have not used yet: a reminder to use it before it expires.',
    schema: loyaltyEventSchema({
      coupon: couponSchema,
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
