import { z } from 'zod'
import { defineEvent } from '../../catalog/define-event.js'
import { coins, id, loyaltyEventSchema, timestamp } from './common.js'
import { couponSchema, sampleCoupon } from './coupon.js'
import { sampleBusiness, sampleCustomer, sampleReferee } from './samples.js'

/**
 * The other side of a referral, by id and name only: their contact details belong to their own
 * profile, not to events sent to the customer's.
 */
const personSchema = z.strictObject({
  /** Customer id on the host platform. */
  id: id('Customer id on the host platform'),
  /** Full name; empty when unknown. */
  name: z.string().max(200).describe('Full name; empty when unknown'),
})

const referrerSchema = personSchema.extend({
  /** The referral code that was used. */
  referralCode: z.string().min(1).describe('The referral code that was used'),
})

const referralId = id('Referral id')

const refereeCoupon = {
  ...sampleCoupon,
  id: 'cpn_01JVR0QH4T7M',
  code: 'ANA-7F3K-WELCOME',
  source: 'referral',
  discountType: 'percentage',
  discountValue: 15,
  minimumOrderAmount: null,
  createdAt: '2025-06-02T09:15:22Z',
  expiresAt: '2025-07-02T23:59:59Z',
} as const

const sampleReferrer = { id: sampleCustomer.id, name: sampleCustomer.name, referralCode: 'ANA-7F3K' }

/** Referral events. `customer` is the referrer in `referral.completed`, the referee otherwise. */
export const referralEvents = {
  /**
   * Referral Completed. A friend the customer referred placed a qualifying order: the referral is complete
   * and the referrer (`customer`) is rewarded and notified.
   */
  'referral.completed': defineEvent({
    title: 'Referral Completed',
    description:
      'A friend the customer referred placed a qualifying order: the referral is complete and the ' +
      'referrer (`customer`) is rewarded and notified.',
    schema: loyaltyEventSchema({
      /** Referral id. */
      referralId,
      /** The friend who was referred. */
      referee: personSchema.describe('The friend who was referred'),
      /** The referee’s qualifying order. */
      orderId: id('The referee’s qualifying order'),
      /** What the referrer earned. */
      reward: z
        .strictObject({
          /** Coins credited to the referrer; 0 when the reward is a coupon only. */
          coins: coins('Coins credited to the referrer; 0 when the reward is a coupon only'),
          /** Coupon issued to the referrer; null when the reward is coins only. */
          coupon: couponSchema
            .nullable()
            .describe('Coupon issued to the referrer; null when the reward is coins only'),
        })
        .describe('What the referrer earned'),
      /** Referrals the referrer has completed, this one included. */
      completedReferrals: z
        .int()
        .positive()
        .describe('Referrals the referrer has completed, this one included'),
    }),
    sample: {
      business: sampleBusiness,
      customer: sampleCustomer,
      referralId: 'ref_01JVR0QF9N2D',
      referee: { id: sampleReferee.id, name: sampleReferee.name },
      orderId: '5829227341',
      reward: { coins: 500, coupon: null },
      completedReferrals: 3,
    },
  }),
  /**
   * Referee Notified. A friend (`customer`, the referee) followed a referral link and received their referral
   * discount (`coupon`).
   */
  'referral.referee_notified': defineEvent({
    title: 'Referee Notified',
    description:
      'A friend (`customer`, the referee) followed a referral link and received their referral discount ' +
      '(`coupon`).',
    schema: loyaltyEventSchema({
      /** Referral id. */
      referralId,
      /** The customer who referred them. */
      referrer: referrerSchema.describe('The customer who referred them'),
      /** The referee’s discount. */
      coupon: couponSchema.describe('The referee’s discount'),
    }),
    sample: {
      business: sampleBusiness,
      customer: sampleReferee,
      referralId: 'ref_01JVR0QF9N2D',
      referrer: sampleReferrer,
      coupon: refereeCoupon,
    },
  }),
  /**
   * Incomplete Referral Reminder. A referred friend (`customer`) has not yet placed a qualifying order: a
   * reminder that their referral discount is waiting.
   */
  'referral.incomplete_reminder': defineEvent({
    title: 'Incomplete Referral Reminder',
    description:
      'A referred friend (`customer`) has not yet placed a qualifying order: a reminder that their ' +
      'referral discount is waiting.',
    schema: loyaltyEventSchema({
      /** Referral id. */
      referralId,
      /** The customer who referred them. */
      referrer: referrerSchema.describe('The customer who referred them'),
      /** The referee’s unused discount. */
      coupon: couponSchema.describe('The referee’s unused discount'),
      /** When the referee received the discount (ISO 8601, UTC). */
      invitedAt: timestamp('When the referee received the discount'),
      /** Whole days since `invitedAt`. */
      daysSinceInvite: z.int().nonnegative().describe('Whole days since `invitedAt`'),
    }),
    sample: {
      business: sampleBusiness,
      customer: sampleReferee,
      referralId: 'ref_01JVR0QF9N2D',
      referrer: sampleReferrer,
      coupon: refereeCoupon,
      invitedAt: '2025-06-02T09:15:22Z',
      daysSinceInvite: 7,
    },
  }),
}
