import { z } from 'zod'
import { defineEvent } from '../../catalog/define-event.js'
import { coins, id, loyaltyEventSchema, timestamp } from './common.js'
import { sampleBusiness, sampleCustomer } from './samples.js'

const reviewStatusSchema = z
  .enum(['pending', 'published', 'rejected'])
  .describe('Moderation status: `pending` until approved')

/** A product review written by the customer. */
export const reviewSchema = z.strictObject({
  /** Review id. */
  id: id('Review id'),
  /** Reviewed product id on the host platform. */
  productId: id('Reviewed product id on the host platform'),
  /** Reviewed product name. */
  productName: z.string().min(1).describe('Reviewed product name'),
  /** Stars, 1 to 5. */
  rating: z.int().min(1).max(5).describe('Stars, 1 to 5'),
  /** Review title; null when none. */
  title: z.string().nullable().describe('Review title; null when none'),
  /** Review text. */
  body: z.string().describe('Review text'),
  /** Moderation status: `pending` until approved. */
  status: reviewStatusSchema,
  /** Whether the customer bought the product. */
  verifiedBuyer: z.boolean().describe('Whether the customer bought the product'),
  /** Photos and videos attached. */
  mediaCount: z.int().nonnegative().describe('Photos and videos attached'),
  /** Order the product was bought in; null if unknown. */
  orderId: id('Order the product was bought in')
    .nullable()
    .describe('Order the product was bought in; null if unknown'),
  /** When the review was written (ISO 8601, UTC). */
  createdAt: timestamp('When the review was written'),
})

const sampleReview: z.input<typeof reviewSchema> = {
  id: 'rev_01JVX3D6E1PQ',
  productId: '811',
  productName: 'Vitamin C Serum 50 ml',
  rating: 5,
  title: 'My skin has never looked better',
  body: 'Light, absorbs fast, and my dark spots faded within a month.',
  status: 'pending',
  verifiedBuyer: true,
  mediaCount: 1,
  orderId: '5829113920',
  createdAt: '2025-06-09T19:44:10Z',
}

const reviewProductSchema = z.strictObject({
  /** Product id on the host platform. */
  productId: id('Product id on the host platform'),
  /** Product name. */
  name: z.string().min(1).describe('Product name'),
  /** Product page. */
  url: z.url({ protocol: /^https?$/ }).describe('Product page'),
  /** Product image; null when none. */
  imageUrl: z
    .url({ protocol: /^https?$/ })
    .nullable()
    .describe('Product image; null when none'),
  /** Page where the customer writes the review. */
  reviewUrl: z.url({ protocol: /^https?$/ }).describe('Page where the customer writes the review'),
})

/** Review events: `review.created`, `review.updated`, `review.requested`. */
export const reviewEvents = {
  /**
   * Review Is Created. A customer wrote a product review. `coinsEarned` is the reward for it (0 when reviews
   * earn nothing, or until a `pending` review is approved).
   */
  'review.created': defineEvent({
    title: 'Review Is Created',
    description:
      'A customer wrote a product review. `coinsEarned` is the reward for it (0 when reviews earn ' +
      'nothing, or until a `pending` review is approved).',
    schema: loyaltyEventSchema({
      /** A product review written by the customer. */
      review: reviewSchema,
      /** Coins earned for the review. */
      coinsEarned: coins('Coins earned for the review'),
    }),
    sample: { business: sampleBusiness, customer: sampleCustomer, review: sampleReview, coinsEarned: 0 },
  }),
  /**
   * Review Is Updated. A review was edited or moderated (published, rejected). `coinsEarned` is the reward
   * after the change.
   */
  'review.updated': defineEvent({
    title: 'Review Is Updated',
    description:
      'A review was edited or moderated (published, rejected). `coinsEarned` is the reward after the change.',
    schema: loyaltyEventSchema({
      /** A product review written by the customer. */
      review: reviewSchema,
      /** Moderation status: `pending` until approved. */
      previousStatus: reviewStatusSchema,
      /** Coins earned for the review. */
      coinsEarned: coins('Coins earned for the review'),
    }),
    sample: {
      business: sampleBusiness,
      customer: sampleCustomer,
      review: { ...sampleReview, status: 'published' },
      previousStatus: 'pending',
      coinsEarned: 50,
    },
  }),
  /**
   * Review Requested. An order was fulfilled and the customer is asked to review what they bought, with the
   * coins a review earns.
   */
  'review.requested': defineEvent({
    title: 'Review Requested',
    description:
      'An order was fulfilled and the customer is asked to review what they bought, with the coins a ' +
      'review earns.',
    schema: loyaltyEventSchema({
      /** The fulfilled order. */
      order: z
        .strictObject({
          /** Order id on the host platform. */
          id: id('Order id on the host platform'),
          /** Order number shown to the customer, e.g. `#1001`. */
          number: z.string().min(1).describe('Order number shown to the customer, e.g. `#1001`'),
          /** When the order was fulfilled (ISO 8601, UTC). */
          fulfilledAt: timestamp('When the order was fulfilled'),
        })
        .describe('The fulfilled order'),
      /** Products to review. */
      products: z.array(reviewProductSchema).min(1).describe('Products to review'),
      /** Coins a review earns once approved; 0 when reviews earn nothing. */
      coinsPerReview: coins('Coins a review earns once approved; 0 when reviews earn nothing'),
    }),
    sample: {
      business: sampleBusiness,
      customer: sampleCustomer,
      order: { id: '5829113920', number: '#1042', fulfilledAt: '2025-05-23T11:02:45Z' },
      products: [
        {
          productId: '811',
          name: 'Vitamin C Serum 50 ml',
          url: 'https://glowbeauty.example/products/vitamin-c-serum',
          imageUrl: 'https://cdn.glowbeauty.example/products/811.jpg',
          reviewUrl: 'https://glowbeauty.example/reviews/new?product=811&order=5829113920',
        },
        {
          productId: '604',
          name: 'Night Cream',
          url: 'https://glowbeauty.example/products/night-cream',
          imageUrl: null,
          reviewUrl: 'https://glowbeauty.example/reviews/new?product=604&order=5829113920',
        },
      ],
      coinsPerReview: 50,
    },
  }),
}
