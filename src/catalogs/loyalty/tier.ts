import { z } from 'zod'
import { defineEvent } from '../../catalog/define-event.js'
import { loyaltyEventSchema, money, timestamp } from './common.js'
import { sampleBusiness, sampleCustomer } from './samples.js'

/** VIP tier events: `tier.changed`. */
export const tierEvents = {
  /**
   * VIP Tier Changed. A customer moved to another VIP tier, up or down, or entered their first tier.
   * `customer.tier` is the new tier.
   */
  'tier.changed': defineEvent({
    title: 'VIP Tier Changed',
    description:
      'A customer moved to another VIP tier, up or down, or entered their first tier. ' +
      '`customer.tier` is the new tier.',
    schema: loyaltyEventSchema({
      /** The tier before; null when the customer had none. */
      previousTier: z.string().min(1).nullable().describe('The tier before; null when the customer had none'),
      /** The tier now, e.g. `Gold`. */
      newTier: z.string().min(1).describe('The tier now, e.g. `Gold`'),
      /** Entering a first tier is an `upgrade`. */
      direction: z.enum(['upgrade', 'downgrade']).describe('Entering a first tier is an `upgrade`'),
      /**
       * What the customer spent in the qualifying period, in the business currency, in major units (19.99
       * means 19.99 of the currency).
       */
      qualifyingSpend: money('What the customer spent in the qualifying period, in the business currency'),
      /** When the customer must requalify; null when the tier does not expire. */
      tierExpiresAt: timestamp('When the customer must requalify')
        .nullable()
        .describe('When the customer must requalify; null when the tier does not expire'),
      /** Perks of the new tier, as shown to customers. */
      benefits: z.array(z.string().min(1)).describe('Perks of the new tier, as shown to customers'),
    }).refine((payload) => payload.customer.tier === payload.newTier, {
      path: ['customer', 'tier'],
      message: 'must equal `newTier`',
    }),
    sample: {
      business: sampleBusiness,
      customer: sampleCustomer,
      previousTier: 'Silver',
      newTier: 'Gold',
      direction: 'upgrade',
      qualifyingSpend: 512.4,
      tierExpiresAt: '2026-05-21T00:00:00Z',
      benefits: ['1.5x coins on every order', 'Free shipping', 'Early access to new launches'],
    },
  }),
}
