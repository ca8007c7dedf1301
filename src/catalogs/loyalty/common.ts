import { z } from 'zod'

/**
 * Building blocks shared by every loyalty event. Conventions:
 * - coins are whole numbers of the program's currency (`business.coinName`);
 * - money is a decimal number in major units of a currency (`19.99` is $19.99), rounded to the
 *   currency's minor unit: what Klaviyo's `value`, Segment's `revenue` and email templates expect,
 *   and what filters compare naturally (`{ "order.total": { "$gte": 50 } }`);
 * - instants are ISO 8601 date-times in UTC (`2025-01-31T09:30:00Z`, any fraction of a second),
 *   so that filters comparing them as strings compare them chronologically;
 * - objects are strict: an unknown or misspelt key fails validation at `emit()` instead of being
 *   dropped. Host-specific extras go in `metadata`.
 */

/** A whole number of coins, zero or more. */
export function coins(description: string) {
  return z.int().nonnegative().describe(description)
}

/** An amount of money in major units (`19.99`), zero or more. */
export function money(description: string) {
  return z
    .number()
    .nonnegative()
    .describe(`${description}, in major units (19.99 means 19.99 of the currency)`)
}

/** An instant: an ISO 8601 date-time in UTC. */
export function timestamp(description: string) {
  return z.iso.datetime().describe(`${description} (ISO 8601, UTC)`)
}

/** An id on the host platform or the loyalty platform: a non-empty string (large numeric ids lose precision as JSON numbers). */
export function id(description: string) {
  return z.string().min(1).describe(description)
}

/** ISO 4217 alphabetic currency code. */
export const currencyCodeSchema = z
  .string()
  .regex(/^[A-Z]{3}$/, 'expected an ISO 4217 currency code such as `USD`')
  .describe('ISO 4217 currency code, e.g. `USD`, `EUR`, `INR`')

/** The business (store) whose loyalty program emitted the event. */
export const businessSchema = z.strictObject({
  /** Business name, e.g. `Glow Beauty`. */
  name: z.string().min(1).describe('Business name, e.g. `Glow Beauty`'),
  /** Storefront URL. */
  url: z.url({ protocol: /^https?$/ }).describe('Storefront URL'),
  /** What the program calls its coins, e.g. `Glow Coins`. */
  coinName: z.string().min(1).describe('What the program calls its coins, e.g. `Glow Coins`'),
  /** ISO 4217 currency code, e.g. `USD`, `EUR`, `INR`. */
  currencyCode: currencyCodeSchema,
  /** Symbol of `currencyCode`, e.g. `$`, `€`, `₹`. */
  currencySymbol: z.string().min(1).max(8).describe('Symbol of `currencyCode`, e.g. `$`, `€`, `₹`'),
})

/** The customer the event is about, and whom destinations attach it to. */
export const customerSchema = z.strictObject({
  /** Customer id on the host platform (e.g. the Shopify customer id). */
  id: id('Customer id on the host platform (e.g. the Shopify customer id)'),
  /** Full name as the customer gave it; empty when unknown. */
  name: z.string().max(200).describe('Full name as the customer gave it; empty when unknown'),
  /** Email address. */
  email: z.email().describe('Email address'),
  /** Mobile number in E.164 form, e.g. `+14155550123`. */
  mobile: z.e164().optional().describe('Mobile number in E.164 form, e.g. `+14155550123`'),
  /** Current VIP tier, e.g. `Gold`; null outside any tier. */
  tier: z.string().min(1).nullable().describe('Current VIP tier, e.g. `Gold`; null outside any tier'),
  /** Host-defined customer type, e.g. `member`, `guest`, `wholesale`. */
  type: z
    .string()
    .min(1)
    .optional()
    .describe('Host-defined customer type, e.g. `member`, `guest`, `wholesale`'),
  /** The customer’s own code to share with friends; null when the referral program is off. */
  referralCode: z
    .string()
    .min(1)
    .nullable()
    .describe('The customer’s own code to share with friends; null when the referral program is off'),
})

/** Host-defined extra properties, passed to destinations as they are. */
export const metadataSchema = z
  .record(z.string().min(1).max(100), z.union([z.string(), z.number(), z.boolean(), z.null()]))
  .optional()
  .describe('Host-defined extra properties (string, number, boolean or null values), passed on as they are')

/** The payload schema of a loyalty event: `business`, `customer`, the event's own fields, `metadata`. */
export function loyaltyEventSchema<T extends z.core.$ZodLooseShape>(shape: T) {
  return z.strictObject({
    /** The business (store) whose loyalty program emitted the event. */
    business: businessSchema,
    /** The customer the event is about, and whom destinations attach it to. */
    customer: customerSchema,
    ...shape,
    /** Host-defined extra properties (string, number, boolean or null values), passed on as they are. */
    metadata: metadataSchema,
  })
}
