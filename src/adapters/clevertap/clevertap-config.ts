import { z } from 'zod'
import { baseUrlSchema } from '../shared/base-url.js'
import { identityMappingSchema } from '../shared/payload-path-schema.js'

/** CleverTap data-center regions: the account's region fixes the API host. */
export type CleverTapRegion = 'eu1' | 'in1' | 'sg1' | 'us1' | 'aps3' | 'mec1'

/**
 * Which payload paths identify the CleverTap user of an event. Each event is sent with one
 * of them: `identity` when it resolves, else `objectId`.
 */
export interface CleverTapIdentityMapping {
  /** Path of your identity for the user (customer id, email, phone), sent as `identity`. */
  readonly identity?: string | undefined
  /** Path of the CleverTap Global Object ID of the user, sent as `objectId`. */
  readonly objectId?: string | undefined
}

/** The config of a CleverTap integration, as validated by the adapter's `configSchema`. */
export interface CleverTapConfig {
  /** Account ID (Project ID), sent as `X-CleverTap-Account-Id`. Settings > Project. */
  readonly accountId: string
  /** Account passcode, sent as `X-CleverTap-Passcode`. Settings > Project. */
  readonly passcode: string
  /**
   * Region of the account: `eu1` (Europe, `api.clevertap.com`), `in1` (India), `sg1`
   * (Singapore), `us1` (United States), `aps3` (Indonesia) or `mec1` (Middle East, UAE).
   * Calling another region's host fails authentication.
   * @default 'eu1'
   */
  readonly region?: CleverTapRegion | undefined
  /**
   * Absolute http(s) URL of the API host, without `/1/upload`; overrides `region`. For tests
   * and local stand-ins.
   * @default the host of `region`
   */
  readonly baseUrl?: string | undefined
  /**
   * Where the user's identifier is in the payload. Replaces the default as a whole. One of
   * the paths must resolve for each event.
   * @default { identity: 'customer.id' }
   */
  readonly identity?: CleverTapIdentityMapping | undefined
}

/** Defaults applied when a request is built (the stored config keeps what was given). */
export const CLEVERTAP_DEFAULTS = Object.freeze({
  region: 'eu1' as CleverTapRegion,
  identity: Object.freeze({ identity: 'customer.id' }) as CleverTapIdentityMapping,
})

/**
 * developer.clevertap.com/docs/common-api-components, "Region": Europe, the default region,
 * is the bare `api.clevertap.com` (its dashboard is `eu1.dashboard.clevertap.com`).
 */
export const CLEVERTAP_HOSTS: Readonly<Record<CleverTapRegion, string>> = Object.freeze({
  eu1: 'https://api.clevertap.com',
  in1: 'https://in1.api.clevertap.com',
  sg1: 'https://sg1.api.clevertap.com',
  us1: 'https://us1.api.clevertap.com',
  aps3: 'https://aps3.api.clevertap.com',
  mec1: 'https://mec1.api.clevertap.com',
})

const REGIONS = Object.keys(CLEVERTAP_HOSTS) as [CleverTapRegion, ...CleverTapRegion[]]
// Account IDs look like `W9R-486-4W5Z`: letters, digits and dashes.
const ACCOUNT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/
// Sent as a header value: no whitespace or control characters.
const PASSCODE = /^[^\s\p{Cc}]*$/u

/** The zod schema of {@link CleverTapConfig}. */
export const cleverTapConfigSchema: z.ZodType<CleverTapConfig> = z.strictObject({
  accountId: z
    .string({ error: 'Expected `accountId` to be your CleverTap Account ID (a string).' })
    .regex(
      ACCOUNT_ID,
      'Expected `accountId` to be your CleverTap Account ID (Project ID), such as `W9R-486-4W5Z`.',
    ),
  passcode: z
    .string({ error: 'Expected `passcode` to be your CleverTap account passcode (a string).' })
    .min(1, 'Expected `passcode` to be your CleverTap account passcode, got an empty string.')
    // Never echo the value: it may be a real passcode with a typo.
    .regex(PASSCODE, 'Expected `passcode` without whitespace or control characters.'),
  region: z
    .enum(REGIONS, {
      error: `Expected \`region\` to be one of ${REGIONS.map((r) => `\`${r}\``).join(', ')}.`,
    })
    .optional(),
  baseUrl: baseUrlSchema({
    example: 'https://in1.api.clevertap.com',
    credentialsHint: 'use `accountId` and `passcode`',
  }).optional(),
  identity: identityMappingSchema('identity', ['identity', 'objectId'], {
    example: '{ identity: "customer.id" }',
  }).optional(),
})
