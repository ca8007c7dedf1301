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
  /** Wallet transaction id. */
  id: id('Wallet transaction id'),
  /** `credit` adds coins, `debit` removes them. */
  type: z.enum(['credit', 'debit']).describe('`credit` adds coins, `debit` removes them'),
  /** Coins moved. */
  coins: z.int().positive().describe('Coins moved'),
  /**
   * Why: a reward reason for credits; `redemption` (coins turned into a coupon), `expiry` or `reversal` for
   * debits.
   */
  reason: z
    .enum([...REWARD_REASONS, 'redemption', 'expiry', 'reversal'])
    .describe(
      'Why: a reward reason for credits; `redemption` (coins turned into a coupon), `expiry` or `reversal` for debits',
    ),
  /** `pending` coins are not spendable yet (e.g. until the return window closes). */
  status: transactionStatusSchema,
  /** Description shown to the customer, e.g. `Order #1042`. */
  note: z.string().describe('Description shown to the customer, e.g. `Order #1042`'),
  /** The order behind the transaction. */
  orderId: id('The order behind the transaction').optional(),
  /** When the transaction was created (ISO 8601, UTC). */
  createdAt: timestamp('When the transaction was created'),
})

/** Wallet events: rewards, transaction changes and coin reminders. */
export const walletEvents = {
  /**
   * Wallet Coins Rewarded. Coins were credited to a customer’s wallet, for an order, a signup, a birthday, a
   * review... `pending` coins become spendable later, reported by `wallet.transaction_updated`.
   */
  'wallet.coins_rewarded': defineEvent({
    title: 'Wallet Coins Rewarded',
    description:
      'Coins were credited to a customer’s wallet, for an order, a signup, a birthday, a review... ' +
      '`pending` coins become spendable later, reported by `wallet.transaction_updated`.',
    schema: loyaltyEventSchema({
      /** Wallet transaction id. */
      transactionId: id('Wallet transaction id'),
      /** Coins credited. */
      coins: z.int().positive().describe('Coins credited'),
      /** Spendable coins in the wallet after this event. */
      balance,
      /** What the coins reward. */
      reason: z.enum(REWARD_REASONS).describe('What the coins reward'),
      /** Description shown to the customer, e.g. `Order #1042`. */
      note: z.string().describe('Description shown to the customer, e.g. `Order #1042`'),
      /** `pending` coins are not spendable yet. */
      status: z.enum(['pending', 'confirmed']).describe('`pending` coins are not spendable yet'),
      /** The rewarded order, when `reason` is `order`. */
      orderId: id('The rewarded order, when `reason` is `order`').optional(),
      /** When these coins expire; null if never. */
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
  /**
   * Wallet Transaction Updated. A wallet transaction changed status: pending coins were confirmed, or coins
   * were cancelled or reversed (e.g. after a refund). `balance` is the wallet after the change.
   */
  'wallet.transaction_updated': defineEvent({
    title: 'Wallet Transaction Updated',
    description:
      'A wallet transaction changed status: pending coins were confirmed, or coins were cancelled or ' +
      'reversed (e.g. after a refund). `balance` is the wallet after the change.',
    schema: loyaltyEventSchema({
      /** A movement of coins in a customer's wallet. */
      transaction: walletTransactionSchema,
      /** `pending` coins are not spendable yet (e.g. until the return window closes). */
      previousStatus: transactionStatusSchema,
      /** Spendable coins in the wallet after this event. */
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
  /**
   * Coin Expiry Reminder. Some of a customer’s coins expire soon. Sent 1 day, 1 week or 1 month before
   * `expiresAt` (`reminderWindow`), as the program is configured.
   */
  'wallet.coin_expiry_reminder': defineEvent({
    title: 'Coin Expiry Reminder',
    description:
      'Some of a customer’s coins expire soon. Sent 1 day, 1 week or 1 month before `expiresAt` ' +
      '(`reminderWindow`), as the program is configured.',
    schema: loyaltyEventSchema({
      /** Coins that expire at `expiresAt`. */
      coinsExpiring: z.int().positive().describe('Coins that expire at `expiresAt`'),
      /**
       * What the expiring coins are worth at the current redemption rate, in the business currency, in major
       * units (19.99 means 19.99 of the currency).
       */
      expiringValue: money(
        'What the expiring coins are worth at the current redemption rate, in the business currency',
      ),
      /** When the coins expire (ISO 8601, UTC). */
      expiresAt: timestamp('When the coins expire'),
      /** Whole days until `expiresAt`. */
      daysLeft: z.int().nonnegative().describe('Whole days until `expiresAt`'),
      /** Which reminder this is. */
      reminderWindow: z.enum(['1_day', '1_week', '1_month']).describe('Which reminder this is'),
      /** Spendable coins in the wallet, the expiring ones included. */
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
  /**
   * Unused Coins Reminder. A customer has coins they have not spent for a while: a nudge to redeem them. Sent
   * on the program’s schedule, only when the balance is positive.
   */
  'wallet.unused_coins_reminder': defineEvent({
    title: 'Unused Coins Reminder',
    description:
      'A customer has coins they have not spent for a while: a nudge to redeem them. Sent on the ' +
      'program’s schedule, only when the balance is positive.',
    schema: loyaltyEventSchema({
      /** Spendable coins in the wallet. */
      balance: z.int().positive().describe('Spendable coins in the wallet'),
      /**
       * What the balance is worth at the current redemption rate, in the business currency, in major units
       * (19.99 means 19.99 of the currency).
       */
      balanceValue: money(
        'What the balance is worth at the current redemption rate, in the business currency',
      ),
      /** Whether the balance is enough for at least one reward. */
      canRedeem: z.boolean().describe('Whether the balance is enough for at least one reward'),
      /** Last time coins were earned or spent; null if never. */
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
