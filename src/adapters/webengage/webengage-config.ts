import { z } from 'zod'
import { baseUrlSchema } from '../shared/base-url.js'
import { identityMappingSchema } from '../shared/payload-path-schema.js'

/** WebEngage data centers (docs.webengage.com/docs/rest-api-getting-started, "API endpoint"). */
export type WebEngageDataCenter = 'global' | 'in'

/** Which payload paths identify the WebEngage user an event belongs to. */
export interface WebEngageIdentityMapping {
  /** Path of your own, permanent user id, sent as `userId`. */
  readonly userId?: string | undefined
  /** Path of an id for a user you cannot identify yet, sent as `anonymousId`. */
  readonly anonymousId?: string | undefined
}

/** The config of a WebEngage integration, as validated by the adapter's `configSchema`. */
export interface WebEngageConfig {
  /** License code of the account (Data Platform > Integrations > REST API), e.g. `~10a5cb1dc`. */
  readonly licenseCode: string
  /**
   * REST API key of an account admin with Account Management and Update Data permissions,
   * sent as `Authorization: Bearer <key>`.
   */
  readonly apiKey: string
  /**
   * Data center of the account: `global` (`api.webengage.com`, dashboard.webengage.com)
   * or `in` (`api.in.webengage.com`, dashboard.in.webengage.com).
   * @default 'global'
   */
  readonly dataCenter?: WebEngageDataCenter | undefined
  /**
   * Absolute http(s) URL of the API host, without `/v1/accounts/...`; overrides
   * `dataCenter`. For tests, local stand-ins, or a data center not listed above.
   * @default 'https://api.webengage.com' (or the India host when `dataCenter` is `in`)
   */
  readonly baseUrl?: string | undefined
  /**
   * Where the identities are in the payload. Replaces the default as a whole. Every event
   * needs at least one of them.
   * @default { userId: 'customer.id' }
   */
  readonly identity?: WebEngageIdentityMapping | undefined
}

/** Defaults applied when a request is built (the stored config keeps what was given). */
export const WEBENGAGE_DEFAULTS = Object.freeze({
  dataCenter: 'global' as WebEngageDataCenter,
  identity: Object.freeze({ userId: 'customer.id' }) as WebEngageIdentityMapping,
})

/** rest-api-getting-started: "https://api.webengage.com/" and "https://api.in.webengage.com/". */
export const WEBENGAGE_HOSTS: Readonly<Record<WebEngageDataCenter, string>> = Object.freeze({
  global: 'https://api.webengage.com',
  in: 'https://api.in.webengage.com',
})

// The license code is a URL path segment: `~10a5cb1dc`, `in~76aa301`, `82617417`.
const LICENSE_CODE = /^[A-Za-z0-9~_-]+$/
// A header value cannot carry whitespace or control characters.
const API_KEY = /^[^\s\p{Cc}]+$/u

/** The zod schema of {@link WebEngageConfig}. */
export const webengageConfigSchema: z.ZodType<WebEngageConfig> = z.strictObject({
  licenseCode: z
    .string({ error: 'Expected `licenseCode` to be the license code (a string) of your WebEngage account.' })
    .min(1, 'Expected `licenseCode` to be the license code of your account, got an empty string.')
    .max(64, 'Expected `licenseCode` to be at most 64 characters.')
    .regex(LICENSE_CODE, 'Expected `licenseCode` to hold only letters, digits, `~`, `_` and `-`.'),
  apiKey: z
    .string({ error: 'Expected `apiKey` to be the REST API key (a string) of a WebEngage account admin.' })
    .min(1, 'Expected `apiKey` to be the REST API key of an account admin, got an empty string.')
    // Never echo the value: it may be a real key with a typo.
    .regex(API_KEY, 'Expected `apiKey` without whitespace or control characters.'),
  dataCenter: z
    .enum(['global', 'in'], {
      error: 'Expected `dataCenter` to be `global` or `in` (India: dashboard.in.webengage.com).',
    })
    .optional(),
  baseUrl: baseUrlSchema({
    example: 'https://api.webengage.com',
    credentialsHint: 'the key goes in `apiKey`',
  }).optional(),
  identity: identityMappingSchema('identity', ['userId', 'anonymousId'], {
    example: '{ userId: "customer.id" }',
  }).optional(),
})
