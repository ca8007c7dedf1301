import { z } from 'zod'
import { PAYLOAD_PATH } from '../shared/payload-path.js'

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

function path(field: string) {
  const message = `Expected \`${field}\` to be a dotted payload path such as \`customer.id\`.`
  return z
    .string({ error: message })
    .max(200, `Expected \`${field}\` to be at most 200 characters.`)
    .regex(PAYLOAD_PATH, message)
}

/** Returns what is wrong with `baseUrl`, or `undefined` when it is fine. Never echoes it. */
function describeBaseUrlProblem(value: string): string | undefined {
  const expected = 'Expected `baseUrl` to be an absolute http(s) URL such as `https://in1.api.clevertap.com`.'
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return expected
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || /\s/.test(value)) return expected
  if (url.username !== '' || url.password !== '') {
    return 'Expected `baseUrl` without credentials (`user:password@`); use `accountId` and `passcode`.'
  }
  if (url.search !== '' || url.hash !== '') return 'Expected `baseUrl` without a query or fragment.'
  return undefined
}

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
  baseUrl: z
    .string({ error: 'Expected `baseUrl` to be a string.' })
    .superRefine((value, ctx) => {
      const problem = describeBaseUrlProblem(value)
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem })
    })
    .optional(),
  identity: z
    .strictObject(
      { identity: path('identity.identity').optional(), objectId: path('identity.objectId').optional() },
      { error: 'Expected `identity` to be an object such as `{ identity: "customer.id" }`.' },
    )
    .refine((mapping) => mapping.identity !== undefined || mapping.objectId !== undefined, {
      message: 'Expected `identity` to name at least one of `identity` or `objectId`.',
    })
    .optional(),
})
