import { describe, expect, it } from 'vitest'
import { type LoyaltyEventName, loyaltyCatalog } from '../../../src/catalogs/loyalty/index.js'
import { InvalidFilterError } from '../../../src/errors/invalid-filter-error.js'
import { ValidationError } from '../../../src/errors/validation-error.js'
import type { Filter } from '../../../src/filters/filter.js'
import { parseFilter } from '../../../src/filters/parse-filter.js'

const NAMES = [
  'customer.created',
  'customer.updated',
  'order.created',
  'order.updated',
  'wallet.coins_rewarded',
  'wallet.transaction_updated',
  'wallet.coin_expiry_reminder',
  'wallet.unused_coins_reminder',
  'coupon.created',
  'coupon.updated',
  'coupon.unused_reminder',
  'referral.completed',
  'referral.referee_notified',
  'referral.incomplete_reminder',
  'review.created',
  'review.updated',
  'review.requested',
  'tier.changed',
] as const satisfies readonly LoyaltyEventName[]

// biome-ignore lint/suspicious/noExplicitAny: tests reach into samples to break them
type Draft = Record<string, any>

/** A deep copy of an event's sample, to break. */
function sample(name: LoyaltyEventName): Draft {
  return structuredClone(loyaltyCatalog.get(name).sample) as Draft
}

/** The issues validatePayload reports, as `path: message`. */
function payloadIssues(name: LoyaltyEventName, payload: unknown): string[] {
  try {
    loyaltyCatalog.validatePayload(name, payload)
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error
    return error.issues.map((issue) => `${issue.path}: ${issue.message}`)
  }
  return []
}

function filterIssues(name: LoyaltyEventName, filter: Filter): string[] {
  try {
    loyaltyCatalog.checkFilter(name, parseFilter(filter))
  } catch (error) {
    if (!(error instanceof InvalidFilterError)) throw error
    return error.issues.map((issue) => `${issue.path}: ${issue.message}`)
  }
  return []
}

describe('loyaltyCatalog', () => {
  it('has the events a loyalty platform emits, in order', () => {
    expect(loyaltyCatalog.names()).toEqual(NAMES)
  })

  it('gives every event a distinct title of at most 100 characters and a description', () => {
    const titles = NAMES.map((name) => loyaltyCatalog.get(name).title)
    expect(new Set(titles).size).toBe(NAMES.length)
    for (const name of NAMES) {
      const { title, description } = loyaltyCatalog.get(name)
      expect(title).toMatch(/^[A-Z][A-Za-z ]{2,99}$/)
      expect(description.length).toBeGreaterThan(20)
    }
    expect(loyaltyCatalog.get('wallet.coins_rewarded').title).toBe('Wallet Coins Rewarded')
    expect(loyaltyCatalog.get('coupon.created').title).toBe('Coupon Is Created')
  })

  describe.each(NAMES)('%s', (name) => {
    it('has a sample that passes its own schema unchanged', () => {
      expect(loyaltyCatalog.validatePayload(name, sample(name))).toEqual(sample(name))
    })

    it('names each bad field of an invalid payload', () => {
      const payload = sample(name)
      delete payload.customer.email
      payload.business.currencyCode = 'usd'
      payload.customer.mobile = '0612345678'
      payload.extra = true
      expect(payloadIssues(name, payload)).toEqual([
        'payload.business.currencyCode: expected an ISO 4217 currency code such as `USD`',
        'payload.customer.email: is required',
        'payload.customer.mobile: expected a phone number in E.164 form such as `+14155550123`, got string "0612345678"',
        'payload.extra: unknown field',
      ])
    })

    it('accepts host metadata of scalar values', () => {
      const payload = {
        ...sample(name),
        metadata: { campaign: 'spring', shopId: 12, test: false, note: null },
      }
      expect(loyaltyCatalog.validatePayload(name, payload)).toEqual(payload)
      expect(payloadIssues(name, { ...sample(name), metadata: { nested: { a: 1 } } })).toHaveLength(1)
    })

    it('has a JSON Schema of an object with business, customer and the sample’s fields', () => {
      const schema = loyaltyCatalog.jsonSchema(name)
      expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema')
      expect(schema.title).toBe(loyaltyCatalog.get(name).title)
      expect(schema.type).toBe('object')
      expect(schema.additionalProperties).toBe(false)
      const properties = Object.keys(schema.properties as object)
      const required = schema.required as string[]
      expect(required).toEqual(expect.arrayContaining(['business', 'customer']))
      expect(properties).toContain('metadata')
      expect(properties).toEqual(expect.arrayContaining(required))
      expect(properties).toEqual(expect.arrayContaining(Object.keys(sample(name))))
      expect(Object.keys(sample(name))).toEqual(expect.arrayContaining(required))
    })

    it('lists fields for filters, business and customer first', () => {
      const paths = loyaltyCatalog.fields(name).map((field) => field.path)
      expect(paths.slice(0, 12)).toEqual([
        'business.name',
        'business.url',
        'business.coinName',
        'business.currencyCode',
        'business.currencySymbol',
        'customer.id',
        'customer.name',
        'customer.email',
        'customer.mobile',
        'customer.tier',
        'customer.type',
        'customer.referralCode',
      ])
      expect(paths.at(-1)).toBe('metadata')
      expect(() =>
        loyaltyCatalog.checkFilter(name, { 'customer.tier': { $in: ['Gold', null] } }),
      ).not.toThrow()
    })
  })

  describe('schemas', () => {
    it('takes instants in UTC only, so that filters compare them chronologically', () => {
      const payload = sample('wallet.coins_rewarded')
      payload.expiresAt = '2026-05-21T19:12:03+02:00'
      expect(payloadIssues('wallet.coins_rewarded', payload)).toEqual([
        'payload.expiresAt: expected an ISO 8601 date-time in UTC such as `2025-01-31T09:30:00Z`, got string "2026-05-21T19:12:03+02:00"',
      ])
      payload.expiresAt = '2026-05-21T17:12:03.250Z'
      expect(payloadIssues('wallet.coins_rewarded', payload)).toEqual([])
    })

    it('counts coins in whole numbers and money in decimals', () => {
      const reward = sample('wallet.coins_rewarded')
      reward.coins = 1.5
      expect(payloadIssues('wallet.coins_rewarded', reward)).toEqual([
        'payload.coins: expected an integer, got number 1.5',
      ])
      const order = sample('order.created')
      order.order.total = 19.99
      order.order.items[0].quantity = 0
      expect(payloadIssues('order.created', order)).toEqual([
        'payload.order.items.0.quantity: expected a number > 0, got number 0',
      ])
    })

    it('suggests the field meant by a misspelt key', () => {
      const payload = sample('coupon.created')
      delete payload.coupon.expiresAt
      payload.coupon.expiryDate = '2025-08-19T23:59:59Z'
      payload.coinSpent = payload.coinsSpent
      delete payload.coinsSpent
      expect(payloadIssues('coupon.created', payload)).toEqual([
        'payload.coupon.expiresAt: is required',
        'payload.coupon.expiryDate: unknown field; did you mean `expiresAt`?',
        'payload.coinsSpent: is required',
        'payload.coinSpent: unknown field; did you mean `coinsSpent`?',
      ])
    })

    it('rejects inconsistent payloads', () => {
      const tier = sample('tier.changed')
      tier.customer.tier = 'Silver'
      expect(payloadIssues('tier.changed', tier)).toEqual(['payload.customer.tier: must equal `newTier`'])

      const coupon = sample('referral.referee_notified')
      coupon.coupon.discountValue = 150
      expect(payloadIssues('referral.referee_notified', coupon)).toEqual([
        'payload.coupon.discountValue: a percentage discount is at most 100',
      ])

      const expiry = sample('wallet.coin_expiry_reminder')
      expiry.coinsExpiring = expiry.balance + 1
      expect(payloadIssues('wallet.coin_expiry_reminder', expiry)).toEqual([
        'payload.coinsExpiring: cannot exceed `balance`',
      ])
    })

    it('rejects values outside enums, listing the allowed ones', () => {
      const payload = sample('wallet.coin_expiry_reminder')
      payload.reminderWindow = '2_weeks'
      expect(payloadIssues('wallet.coin_expiry_reminder', payload)).toEqual([
        'payload.reminderWindow: expected one of `1_day`, `1_week`, `1_month`, got string "2_weeks"',
      ])
    })
  })

  it('lists the fields of wallet.coins_rewarded exactly', () => {
    expect(loyaltyCatalog.fields('wallet.coins_rewarded')).toEqual([
      {
        path: 'business.name',
        type: 'string',
        optional: false,
        nullable: false,
        description: 'Business name, e.g. `Glow Beauty`',
      },
      {
        path: 'business.url',
        type: 'string',
        format: 'uri',
        optional: false,
        nullable: false,
        description: 'Storefront URL',
      },
      {
        path: 'business.coinName',
        type: 'string',
        optional: false,
        nullable: false,
        description: 'What the program calls its coins, e.g. `Glow Coins`',
      },
      {
        path: 'business.currencyCode',
        type: 'string',
        optional: false,
        nullable: false,
        description: 'ISO 4217 currency code, e.g. `USD`, `EUR`, `INR`',
      },
      {
        path: 'business.currencySymbol',
        type: 'string',
        optional: false,
        nullable: false,
        description: 'Symbol of `currencyCode`, e.g. `$`, `€`, `₹`',
      },
      {
        path: 'customer.id',
        type: 'string',
        optional: false,
        nullable: false,
        description: 'Customer id on the host platform (e.g. the Shopify customer id)',
      },
      {
        path: 'customer.name',
        type: 'string',
        optional: false,
        nullable: false,
        description: 'Full name as the customer gave it; empty when unknown',
      },
      {
        path: 'customer.email',
        type: 'string',
        format: 'email',
        optional: false,
        nullable: false,
        description: 'Email address',
      },
      {
        path: 'customer.mobile',
        type: 'string',
        format: 'e164',
        optional: true,
        nullable: false,
        description: 'Mobile number in E.164 form, e.g. `+14155550123`',
      },
      {
        path: 'customer.tier',
        type: 'string',
        optional: false,
        nullable: true,
        description: 'Current VIP tier, e.g. `Gold`; null outside any tier',
      },
      {
        path: 'customer.type',
        type: 'string',
        optional: true,
        nullable: false,
        description: 'Host-defined customer type, e.g. `member`, `guest`, `wholesale`',
      },
      {
        path: 'customer.referralCode',
        type: 'string',
        optional: false,
        nullable: true,
        description: 'The customer’s own code to share with friends; null when the referral program is off',
      },
      {
        path: 'transactionId',
        type: 'string',
        optional: false,
        nullable: false,
        description: 'Wallet transaction id',
      },
      { path: 'coins', type: 'integer', optional: false, nullable: false, description: 'Coins credited' },
      {
        path: 'balance',
        type: 'integer',
        optional: false,
        nullable: false,
        description: 'Spendable coins in the wallet after this event',
      },
      {
        path: 'reason',
        type: 'string',
        enum: [
          'order',
          'signup',
          'birthday',
          'referral',
          'review',
          'social_follow',
          'anniversary',
          'manual',
          'other',
        ],
        optional: false,
        nullable: false,
        description: 'What the coins reward',
      },
      {
        path: 'note',
        type: 'string',
        optional: false,
        nullable: false,
        description: 'Description shown to the customer, e.g. `Order #1042`',
      },
      {
        path: 'status',
        type: 'string',
        enum: ['pending', 'confirmed'],
        optional: false,
        nullable: false,
        description: '`pending` coins are not spendable yet',
      },
      {
        path: 'orderId',
        type: 'string',
        optional: true,
        nullable: false,
        description: 'The rewarded order, when `reason` is `order`',
      },
      {
        path: 'expiresAt',
        type: 'date',
        format: 'date-time',
        optional: false,
        nullable: true,
        description: 'When these coins expire; null if never',
      },
      {
        path: 'metadata',
        type: 'object',
        optional: true,
        nullable: false,
        description:
          'Host-defined extra properties (string, number, boolean or null values), passed on as they are',
      },
    ])
  })

  it('lists the fields of objects inside arrays as dotted paths', () => {
    const fields = loyaltyCatalog.fields('order.created')
    expect(fields.filter((field) => field.path.startsWith('order.items'))).toEqual([
      {
        path: 'order.items',
        type: 'array',
        itemType: 'object',
        optional: false,
        nullable: false,
        description: 'Line items',
      },
      expect.objectContaining({ path: 'order.items.productId', type: 'string', optional: false }),
      expect.objectContaining({ path: 'order.items.variantId', type: 'string', optional: true }),
      expect.objectContaining({ path: 'order.items.sku', type: 'string', optional: true }),
      expect.objectContaining({ path: 'order.items.name', type: 'string', optional: false }),
      expect.objectContaining({ path: 'order.items.quantity', type: 'integer', optional: false }),
      expect.objectContaining({ path: 'order.items.unitPrice', type: 'number', optional: false }),
    ])
    // A nullable coupon's fields may be missing.
    expect(loyaltyCatalog.fields('referral.completed')).toContainEqual(
      expect.objectContaining({ path: 'reward.coupon.code', type: 'string', optional: true }),
    )
  })

  describe('checkFilter', () => {
    it.each<[LoyaltyEventName, Filter]>([
      [
        'wallet.coins_rewarded',
        { coins: { $gte: 100 }, reason: { $in: ['order', 'review'] }, 'customer.tier': 'Gold' },
      ],
      ['wallet.coin_expiry_reminder', { reminderWindow: '1_week', expiresAt: { $lt: '2025-07-01' } }],
      [
        'order.created',
        { 'order.total': { $gte: 50 }, 'order.items.sku': { $in: ['SER-VITC-50'] }, isFirstOrder: true },
      ],
      ['order.updated', { 'order.status': 'refunded', previousStatus: { $ne: 'refunded' } }],
      ['order.created', { 'order.items': { $elemMatch: { sku: 'SER-VITC-50', quantity: { $gte: 2 } } } }],
      ['coupon.created', { 'coupon.discountType': 'percentage', 'coupon.discountValue': { $gte: 10 } }],
      [
        'review.created',
        { 'review.rating': { $lte: 2 }, 'review.body': { $regex: 'refund', $options: 'i' } },
      ],
      ['review.requested', { 'products.productId': '811', products: { $size: 1 } }],
      ['tier.changed', { direction: 'upgrade', $or: [{ newTier: 'Gold' }, { newTier: 'Platinum' }] }],
      ['customer.updated', { changedFields: { $all: ['email'] } }],
      ['referral.completed', { 'reward.coins': { $gt: 0 }, 'reward.coupon': null }],
      ['wallet.coins_rewarded', { 'metadata.campaign': 'spring' }],
    ])('accepts a filter on %s', (name, filter) => {
      expect(filterIssues(name, filter)).toEqual([])
    })

    it('names unknown fields with a suggestion', () => {
      expect(filterIssues('wallet.coins_rewarded', { 'customer.teir': 'Gold', coin: { $gt: 1 } })).toEqual([
        'filter.customer.teir: `customer.teir` is not a field of `wallet.coins_rewarded`; did you mean `customer.tier`?',
        'filter.coin: `coin` is not a field of `wallet.coins_rewarded`; did you mean `coins`?',
      ])
    })

    it('rejects operators that cannot match the field’s type', () => {
      expect(
        filterIssues('order.created', {
          'order.total': { $gte: '50' },
          'order.number': { $gt: 1000 },
          'order.couponCodes': { $gt: 5 },
          'order.status': 'shipped',
          'customer.email': { $size: 1 },
          isFirstOrder: 'yes',
        }),
      ).toEqual([
        'filter.order.total.$gte: `order.total` is a number, so `$gte` with string "50" never matches',
        'filter.order.number.$gt: `order.number` is a string, so `$gt` with number 1000 never matches',
        'filter.order.couponCodes.$gt: `order.couponCodes` is an array of strings, so `$gt` with number 5 never matches',
        'filter.order.status: `order.status` is one of `pending`, `paid`, `partially_refunded`, `refunded`, `cancelled`, so comparing it with string "shipped" never matches',
        'filter.customer.email.$size: `$size` counts the elements of an array, and `customer.email` is a string',
        'filter.isFirstOrder: `isFirstOrder` is a boolean, so comparing it with string "yes" never matches',
      ])
    })
  })
})
