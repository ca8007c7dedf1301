import { z } from 'zod'
import { defineEvent } from '../../catalog/define-event.js'
import { coins, currencyCodeSchema, id, loyaltyEventSchema, money, timestamp } from './common.js'
import { sampleBusiness, sampleCustomer } from './samples.js'

const orderStatusSchema = z
  .enum(['pending', 'paid', 'partially_refunded', 'refunded', 'cancelled'])
  .describe('Payment status')
const fulfillmentStatusSchema = z
  .enum(['unfulfilled', 'partially_fulfilled', 'fulfilled'])
  .describe('Fulfilment status')

const lineItemSchema = z.strictObject({
  /** Product id on the host platform. */
  productId: id('Product id on the host platform'),
  /** Variant id on the host platform. */
  variantId: id('Variant id on the host platform').optional(),
  /** Stock keeping unit. */
  sku: z.string().min(1).optional().describe('Stock keeping unit'),
  /** Product name as shown on the order. */
  name: z.string().min(1).describe('Product name as shown on the order'),
  /** Units ordered. */
  quantity: z.int().positive().describe('Units ordered'),
  /** Price of one unit before order-level discounts, in major units (19.99 means 19.99 of the currency). */
  unitPrice: money('Price of one unit before order-level discounts'),
})

/** An order on the host platform. Amounts are in `currencyCode`. */
export const orderSchema = z.strictObject({
  /** Order id on the host platform. */
  id: id('Order id on the host platform'),
  /** Order number shown to the customer, e.g. `#1001`. */
  number: z.string().min(1).describe('Order number shown to the customer, e.g. `#1001`'),
  /** Payment status. */
  status: orderStatusSchema,
  /** Fulfilment status. */
  fulfillmentStatus: fulfillmentStatusSchema,
  /** Currency of the order’s amounts (ISO 4217); usually the business’s. */
  currencyCode: currencyCodeSchema.describe(
    'Currency of the order’s amounts (ISO 4217); usually the business’s',
  ),
  /**
   * Sum of the line items before discounts, shipping and tax, in major units (19.99 means 19.99 of the
   * currency).
   */
  subtotal: money('Sum of the line items before discounts, shipping and tax'),
  /** Discounts applied, coupons included, in major units (19.99 means 19.99 of the currency). */
  discountTotal: money('Discounts applied, coupons included'),
  /** Shipping charged, in major units (19.99 means 19.99 of the currency). */
  shippingTotal: money('Shipping charged'),
  /** Tax charged, in major units (19.99 means 19.99 of the currency). */
  taxTotal: money('Tax charged'),
  /** Amount the customer pays, in major units (19.99 means 19.99 of the currency). */
  total: money('Amount the customer pays'),
  /** Units ordered, all line items together. */
  itemCount: z.int().nonnegative().describe('Units ordered, all line items together'),
  /** Line items. */
  items: z.array(lineItemSchema).describe('Line items'),
  /** Discount codes applied. */
  couponCodes: z.array(z.string().min(1)).describe('Discount codes applied'),
  /** When the order was placed (ISO 8601, UTC). */
  placedAt: timestamp('When the order was placed'),
})

const sampleOrder: z.input<typeof orderSchema> = {
  id: '5829113920',
  number: '#1042',
  status: 'paid',
  fulfillmentStatus: 'unfulfilled',
  currencyCode: 'USD',
  subtotal: 86,
  discountTotal: 10,
  shippingTotal: 4.99,
  taxTotal: 6.84,
  total: 87.83,
  itemCount: 3,
  items: [
    {
      productId: '811',
      variantId: '811-50ml',
      sku: 'SER-VITC-50',
      name: 'Vitamin C Serum 50 ml',
      quantity: 2,
      unitPrice: 29,
    },
    { productId: '604', sku: 'CRM-NIGHT', name: 'Night Cream', quantity: 1, unitPrice: 28 },
  ],
  couponCodes: ['GLOW-10OFF-8K2P'],
  placedAt: '2025-05-21T17:12:03Z',
}

/** Order events: `order.created`, `order.updated`. */
export const orderEvents = {
  /**
   * Order Is Created. A customer placed an order on the host platform. `coinsEarned` is what the order earns
   * under the program’s rules; the credit itself is reported by `wallet.coins_rewarded`.
   */
  'order.created': defineEvent({
    title: 'Order Is Created',
    description:
      'A customer placed an order on the host platform. `coinsEarned` is what the order earns under ' +
      'the program’s rules; the credit itself is reported by `wallet.coins_rewarded`.',
    schema: loyaltyEventSchema({
      /** An order on the host platform. Amounts are in `currencyCode`. */
      order: orderSchema,
      /** Coins the order earns. */
      coinsEarned: coins('Coins the order earns'),
      /** Whether this is the customer’s first order. */
      isFirstOrder: z.boolean().describe('Whether this is the customer’s first order'),
    }),
    sample: {
      business: sampleBusiness,
      customer: sampleCustomer,
      order: sampleOrder,
      coinsEarned: 87,
      isFirstOrder: false,
    },
  }),
  /**
   * Order Is Updated. An order changed: paid, fulfilled, refunded, cancelled or edited. `order` holds the new
   * state, `previousStatus` and `previousFulfillmentStatus` the old one; `coinsEarned` is the new amount (0
   * once the order is refunded or cancelled).
   */
  'order.updated': defineEvent({
    title: 'Order Is Updated',
    description:
      'An order changed: paid, fulfilled, refunded, cancelled or edited. `order` holds the new state, ' +
      '`previousStatus` and `previousFulfillmentStatus` the old one; `coinsEarned` is the new amount ' +
      '(0 once the order is refunded or cancelled).',
    schema: loyaltyEventSchema({
      /** An order on the host platform. Amounts are in `currencyCode`. */
      order: orderSchema,
      /** Payment status. */
      previousStatus: orderStatusSchema,
      /** Fulfilment status. */
      previousFulfillmentStatus: fulfillmentStatusSchema,
      /** Coins the order earns after the change. */
      coinsEarned: coins('Coins the order earns after the change'),
    }),
    sample: {
      business: sampleBusiness,
      customer: sampleCustomer,
      order: { ...sampleOrder, fulfillmentStatus: 'fulfilled' },
      previousStatus: 'paid',
      previousFulfillmentStatus: 'unfulfilled',
      coinsEarned: 87,
    },
  }),
}
