export { businessSchema, currencyCodeSchema, customerSchema, metadataSchema } from './common.js'
export { couponSchema } from './coupon.js'
export {
  type LoyaltyCatalog,
  type LoyaltyEventName,
  type LoyaltyParsedPayload,
  type LoyaltyPayload,
  loyaltyCatalog,
} from './loyalty-catalog.js'
export { orderSchema } from './order.js'
export { reviewSchema } from './review.js'
export { walletTransactionSchema } from './wallet.js'
