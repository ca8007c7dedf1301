import { z } from 'zod'
import { baseUrlSchema } from '../shared/base-url.js'
import { identityMappingSchema, payloadPathSchema } from '../shared/payload-path-schema.js'

/** Which payload paths hold the identifiers of the Klaviyo profile an event belongs to. */
export interface KlaviyoProfileMapping {
  /** Path of the email address, sent as `email`. */
  readonly email?: string | undefined
  /** Path of the phone number, sent as `phone_number` when it is in E.164 form (`+919876543210`). */
  readonly phoneNumber?: string | undefined
  /** Path of your own customer id, sent as `external_id`. */
  readonly externalId?: string | undefined
}

/** The config of a Klaviyo integration, as validated by the adapter's `configSchema`. */
export interface KlaviyoConfig {
  /** Private API key (`pk_...`) with the `events:write` scope. */
  readonly apiKey: string
  /**
   * API revision sent in the `revision` header (`YYYY-MM-DD`, optionally `.suffix`).
   * @default '2026-07-15'
   */
  readonly revision?: string | undefined
  /**
   * Absolute http(s) URL of the API host; override it for tests or a local stand-in.
   * @default 'https://a.klaviyo.com'
   */
  readonly baseUrl?: string | undefined
  /**
   * Where the profile identifiers are in the payload. Replaces the default as a whole: leave
   * an identifier out to never send it. At least one must resolve for each event.
   * @default { email: 'customer.email', phoneNumber: 'customer.mobile', externalId: 'customer.id' }
   */
  readonly profile?: KlaviyoProfileMapping | undefined
  /** Path of the event's monetary value, sent as `value` when it is a finite number. */
  readonly valuePath?: string | undefined
  /** Path of the ISO 4217 code of that value, sent as `value_currency` along with `value`. */
  readonly valueCurrencyPath?: string | undefined
}

/** Defaults applied when a request is built (the stored config keeps what was given). */
export const KLAVIYO_DEFAULTS = Object.freeze({
  // klaviyo/openapi, openapi/stable/apis/create_event.json: `revision` header default.
  revision: '2026-07-15',
  baseUrl: 'https://a.klaviyo.com',
  profile: Object.freeze({
    email: 'customer.email',
    phoneNumber: 'customer.mobile',
    externalId: 'customer.id',
  }),
})

// developers.klaviyo.com/en/docs/retrieve_api_credentials: "Private keys will have the prefix
// pk_ followed by a longer alphanumeric string"; the public key (site ID) has 6 characters.
const PRIVATE_KEY = /^pk_[A-Za-z0-9]+$/
const PUBLIC_KEY = /^[A-Za-z0-9]{6}$/
// create_event.json: "API endpoint revision (format: YYYY-MM-DD[.suffix])".
const REVISION = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(\.[A-Za-z0-9]+)?$/

/** The zod schema of {@link KlaviyoConfig}. */
export const klaviyoConfigSchema: z.ZodType<KlaviyoConfig> = z
  .strictObject({
    apiKey: z.string({ error: 'Expected `apiKey` to be a string.' }).superRefine((value, ctx) => {
      if (PRIVATE_KEY.test(value)) return
      // Never echo the value: it may be a real key with a typo.
      const message = PUBLIC_KEY.test(value)
        ? 'Expected `apiKey` to be a private API key (`pk_...`), got what looks like a 6-character public key (site ID), which cannot call /api/events.'
        : 'Expected `apiKey` to be a Klaviyo private API key: `pk_` followed by letters and digits.'
      ctx.addIssue({ code: 'custom', message })
    }),
    revision: z
      .string({ error: 'Expected `revision` to be a string such as `2026-07-15`.' })
      .regex(
        REVISION,
        'Expected `revision` to be an API revision date such as `2026-07-15` (YYYY-MM-DD[.suffix]).',
      )
      .optional(),
    baseUrl: baseUrlSchema({
      example: 'https://a.klaviyo.com',
      credentialsHint: 'the API key goes in `apiKey`',
    }).optional(),
    profile: identityMappingSchema('profile', ['email', 'phoneNumber', 'externalId'], {
      example: '{ email: "customer.email" }',
      pathExample: 'customer.email',
      typeErrorOnly: true,
    }).optional(),
    valuePath: payloadPathSchema('valuePath', 'customer.email').optional(),
    valueCurrencyPath: payloadPathSchema('valueCurrencyPath', 'customer.email').optional(),
  })
  .superRefine((config, ctx) => {
    if (config.valueCurrencyPath !== undefined && config.valuePath === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['valueCurrencyPath'],
        message: 'Expected `valuePath` next to `valueCurrencyPath`: the currency is only sent with a value.',
      })
    }
  })
