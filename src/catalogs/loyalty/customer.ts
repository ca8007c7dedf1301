import { z } from 'zod'
import { defineEvent } from '../../catalog/define-event.js'
import { coins, loyaltyEventSchema, timestamp } from './common.js'
import { sampleBusiness, sampleCustomer } from './samples.js'

const profile = {
  /** Whether the customer agreed to receive marketing. */
  acceptsMarketing: z.boolean().describe('Whether the customer agreed to receive marketing'),
  /** Birthday as an ISO 8601 date, e.g. `1990-04-12`. */
  birthday: z.iso.date().optional().describe('Birthday as an ISO 8601 date, e.g. `1990-04-12`'),
  /** Coins in the customer’s wallet. */
  balance: coins('Coins in the customer’s wallet'),
}

/** Customer profile fields that `customer.updated` reports as changed. */
const CHANGEABLE_FIELDS = [
  'name',
  'email',
  'mobile',
  'type',
  'birthday',
  'acceptsMarketing',
  'referralCode',
] as const

/** Customer events: `customer.created`, `customer.updated`. */
export const customerEvents = {
  /**
   * Customer Is Created. A customer joined the loyalty program (signed up, checked out as a member, or was
   * imported). `balance` includes any signup bonus already credited.
   */
  'customer.created': defineEvent({
    title: 'Customer Is Created',
    description:
      'A customer joined the loyalty program (signed up, checked out as a member, or was imported). ' +
      '`balance` includes any signup bonus already credited.',
    schema: loyaltyEventSchema({
      /** How the customer joined the program. */
      source: z
        .enum(['signup', 'checkout', 'import', 'admin', 'api'])
        .describe('How the customer joined the program'),
      /** When the customer joined the program (ISO 8601, UTC). */
      joinedAt: timestamp('When the customer joined the program'),
      ...profile,
    }),
    sample: {
      business: sampleBusiness,
      customer: sampleCustomer,
      source: 'signup',
      joinedAt: '2025-03-02T14:05:11Z',
      acceptsMarketing: true,
      birthday: '1990-04-12',
      balance: 100,
    },
  }),
  /**
   * Customer Is Updated. A customer’s profile changed. `changedFields` lists what changed; `customer` and the
   * profile fields hold the new values. Tier changes are reported by `tier.changed`.
   */
  'customer.updated': defineEvent({
    title: 'Customer Is Updated',
    description:
      'A customer’s profile changed. `changedFields` lists what changed; `customer` and the profile ' +
      'fields hold the new values. Tier changes are reported by `tier.changed`.',
    schema: loyaltyEventSchema({
      /** The profile fields that changed. */
      changedFields: z.array(z.enum(CHANGEABLE_FIELDS)).min(1).describe('The profile fields that changed'),
      /** When the profile changed (ISO 8601, UTC). */
      updatedAt: timestamp('When the profile changed'),
      ...profile,
    }),
    sample: {
      business: sampleBusiness,
      customer: sampleCustomer,
      changedFields: ['mobile', 'acceptsMarketing'],
      updatedAt: '2025-05-20T08:41:37Z',
      acceptsMarketing: true,
      birthday: '1990-04-12',
      balance: 1350,
    },
  }),
}
