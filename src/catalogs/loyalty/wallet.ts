import { z } from 'zod'
import { defineEvent } from '../../catalog/define-event.js'
import { coins, id, loyaltyEventSchema, money, timestamp } from './common.js'
import { sampleBusiness, sampleCustomer } from './samples.js'

/** Why coins were credited. */
const REWARD_REASONS = [
  'order',
  'signup',
  'birthday',
  'referral',
  'review',
  'social_follow',
  'anniversary',
  'manual',
  'other',
] as const

const transactionStatusSchema = z
  .enum(['pending', 'confirmed', 'cancelled', 'reversed'])
  .describe('`pending` coins are not spendable yet (e.g. until the return window closes)')

const balance = coins('Spendable coins in the wallet after this event')

/** A movement of coins in a customer's wallet. */
export const walletTransactionSchema = z.strictObject({
  id: id('Wallet transaction id'),
  type: z.enum(['credit', 'debit']).describe('`credit` adds coins, `debit` removes them'),
  coins: z.int().positive().describe('Coins moved'),
  reason: z
    .enum([...REWARD_REASONS, 'redemption', 'expiry', 'reversal'])
    .describe(
      'Why: a reward reason for credits; `redemption` (coins turned into a coupon), `expiry` or `reversal` for debits',
    ),
  status: transactionStatusSchema,
  note: z.string().describe('Description shown to the customer, e.g. `Order #1042`'),
  orderId: id('The order behind the transaction').optional(),
  createdAt: timestamp('When the transaction was created'),
})

/** Wallet events: rewards, transaction changes and coin reminders. */
export const walletEvents = {
  'wallet.coins_rewarded': defineEvent({
    title: 'Wallet Coins Rewarded',
    description:
      'Coins were credited to a customer’s wallet, for an order, a signup, a birthday, a review... ' +
      '`pending` coins become spendable later, reported by `wallet.transaction_updated`.',
    schema: loyaltyEventSchema({
      transactionId: id('Wallet transaction id'),
      coins: z.int().positive().describe('Coins credited'),
      balance,
      reason: z.enum(REWARD_REASONS).describe('What the coins reward'),
      note: z.string().describe('Description shown to the customer, e.g. `Order #1042`'),
      status: z.enum(['pending', 'confirmed']).describe('`pending` coins are not spendable yet'),
      orderId: id('The rewarded order, when `reason` is `order`').optional(),
      expiresAt: timestamp('When these coins expire')
        .nullable()
        .describe('When these coins expire; null if never'),
    }),
    sample: {
      business: sampleBusiness,
      customer: sampleCustomer,
      transactionId: 'wtx_01JVQ6M3Z8A4',
      coins: 87,
      balance: 1350,
      reason: 'order',
      note: 'Order #1042',
      status: 'confirmed',
      orderId: '5829113920',
      expiresAt: '2026-05-21T17:12:03Z',
    },
  }),
  'wallet.transaction_updated': defineEvent({
    title: 'Wallet Transaction Updated',
    description:
      'A wallet transaction changed status: pending coins were confirmed, or coins were cancelled or ' +
      'reversed (e.g. after a refund). `balance` is the wallet after the change.',
    schema: loyaltyEventSchema({
      transaction: walletTransactionSchema,
      previousStatus: transactionStatusSchema,
      balance,
    }),
    sample: {
      business: sampleBusiness,
      customer: sampleCustomer,
      transaction: {
        id: 'wtx_01JVQ6M3Z8A4',
        type: 'credit',
        coins: 87,
        reason: 'order',
        status: 'reversed',
        note: 'Order #1042 (refunded)',
        orderId: '5829113920',
        createdAt: '2025-05-21T17:12:05Z',
      },
      previousStatus: 'confirmed',
      balance: 1263,
    },
  }),
  'wallet.coin_expiry_reminder': defineEvent({
    title: 'Coin Expiry Reminder',
    description:
      'Some of a customer’s coins expire soon. Sent 1 day, 1 week or 1 month before `expiresAt` ' +
      '(`reminderWindow`), as the program is configured.',
    schema: loyaltyEventSchema({
      coinsExpiring: z.int().positive().describe('Coins that expire at `expiresAt`'),
      expiringValue: money(
        'What the expiring coins are worth at the current redemption rate, in the business currency',
      ),
      expiresAt: timestamp('When the coins expire'),
      daysLeft: z.int().nonnegative().describe('Whole days until `expiresAt`'),
      reminderWindow: z.enum(['1_day', '1_week', '1_month']).describe('Which reminder this is'),
      balance: coins('Spendable coins in the wallet, the expiring ones included'),
    }).refine((payload) => payload.balance >= payload.coinsExpiring, {
      path: ['coinsExpiring'],
      message: 'cannot exceed `balance`',
    }),
    sample: {
      business: sampleBusiness,
      customer: sampleCustomer,
      coinsExpiring: 300,
      expiringValue: 3,
      expiresAt: '2025-06-28T00:00:00Z',
      daysLeft: 7,
      reminderWindow: '1_week',
      balance: 1350,
    },
  }),
  'wallet.unused_coins_reminder': defineEvent({
    title: 'Unused Coins Reminder',
    description:
      'A customer has coins they have not spent for a while: a nudge to redeem them. Sent on the ' +
      'program’s schedule, only when the balance is positive.',
    schema: loyaltyEventSchema({
      balance: z.int().positive().describe('Spendable coins in the wallet'),
      balanceValue: money(
        'What the balance is worth at the current redemption rate, in the business currency',
      ),
      canRedeem: z.boolean().describe('Whether the balance is enough for at least one reward'),
      lastActivityAt: timestamp('Last time coins were earned or spent')
        .nullable()
        .describe('Last time coins were earned or spent; null if never'),
    }),
    sample: {
      business: sampleBusiness,
      customer: sampleCustomer,
      balance: 1350,
      balanceValue: 13.5,
      canRedeem: true,
      lastActivityAt: '2025-02-14T10:30:00Z',
    },
  }),
}
