import { z } from 'zod'
import { PAYLOAD_PATH } from '../shared/payload-path.js'

/** Segment data-processing regions the HTTP Tracking API is served from. */
export type SegmentRegion = 'us' | 'eu'

/** Which payload paths hold the Segment identities of the user an event belongs to. */
export interface SegmentIdentityMapping {
  /** Path of your own, permanent user id, sent as `userId`. */
  readonly userId?: string | undefined
  /** Path of a pseudo-unique id for a user you cannot identify yet, sent as `anonymousId`. */
  readonly anonymousId?: string | undefined
}

/** The config of a Segment integration, as validated by the adapter's `configSchema`. */
export interface SegmentConfig {
  /** Write key of the Segment HTTP API source; sent as HTTP Basic auth, never in the body. */
  readonly writeKey: string
  /**
   * Region of the Segment workspace: `us` (Oregon, `api.segment.io`) or `eu` (Dublin,
   * `events.eu1.segmentapis.com`). An EU workspace must use `eu`: Segment accepts events
   * sent to the US host but they never show up in an EU workspace.
   * @default 'us'
   */
  readonly region?: SegmentRegion | undefined
  /**
   * Absolute http(s) URL of the API host, without `/v1/track`; overrides `region`. For
   * tests and local stand-ins.
   * @default 'https://api.segment.io' (or the EU host when `region` is `eu`)
   */
  readonly baseUrl?: string | undefined
  /**
   * Where the identities are in the payload. Replaces the default as a whole: leave one
   * out to never send it. Every event needs at least one of them.
   * @default { userId: 'customer.id' }
   */
  readonly identity?: SegmentIdentityMapping | undefined
}

/** Defaults applied when a request is built (the stored config keeps what was given). */
export const SEGMENT_DEFAULTS = Object.freeze({
  region: 'us' as SegmentRegion,
  identity: Object.freeze({ userId: 'customer.id' }) as SegmentIdentityMapping,
})

/**
 * segment-docs, src/guides/regional-segment.md ("Server-side and project sources") and
 * http-api/index.md: Oregon `api.segment.io/v1`, Dublin `events.eu1.segmentapis.com/`.
 */
export const SEGMENT_HOSTS: Readonly<Record<SegmentRegion, string>> = Object.freeze({
  us: 'https://api.segment.io',
  eu: 'https://events.eu1.segmentapis.com',
})

// HTTP Basic auth (RFC 7617): the user-id cannot contain a colon, and header values cannot
// carry whitespace or control characters. Segment write keys are letters and digits. An
// empty key is left to `.min(1)`, so that it gets one clear message.
const WRITE_KEY = /^[^\s:\p{Cc}]*$/u

function path(field: string) {
  const message = `Expected \`${field}\` to be a dotted payload path such as \`customer.id\`.`
  return z
    .string({ error: message })
    .max(200, `Expected \`${field}\` to be at most 200 characters.`)
    .regex(PAYLOAD_PATH, message)
}

/** Returns what is wrong with `baseUrl`, or `undefined` when it is fine. Never echoes it. */
function describeBaseUrlProblem(value: string): string | undefined {
  const expected = 'Expected `baseUrl` to be an absolute http(s) URL such as `https://api.segment.io`.'
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return expected
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || /\s/.test(value)) return expected
  if (url.username !== '' || url.password !== '') {
    return 'Expected `baseUrl` without credentials (`user:password@`); the write key goes in `writeKey`.'
  }
  if (url.search !== '' || url.hash !== '') return 'Expected `baseUrl` without a query or fragment.'
  return undefined
}

/** The zod schema of {@link SegmentConfig}. */
export const segmentConfigSchema: z.ZodType<SegmentConfig> = z.strictObject({
  writeKey: z
    .string({ error: 'Expected `writeKey` to be the write key (a string) of your Segment source.' })
    .min(1, 'Expected `writeKey` to be the write key of your Segment source, got an empty string.')
    // Never echo the value: it may be a real key with a typo.
    .regex(WRITE_KEY, 'Expected `writeKey` without whitespace, colons or control characters.'),
  region: z.enum(['us', 'eu'], { error: 'Expected `region` to be `us` or `eu`.' }).optional(),
  baseUrl: z
    .string({ error: 'Expected `baseUrl` to be a string.' })
    .superRefine((value, ctx) => {
      const problem = describeBaseUrlProblem(value)
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem })
    })
    .optional(),
  identity: z
    .strictObject(
      { userId: path('identity.userId').optional(), anonymousId: path('identity.anonymousId').optional() },
      { error: 'Expected `identity` to be an object such as `{ userId: "customer.id" }`.' },
    )
    .refine((mapping) => mapping.userId !== undefined || mapping.anonymousId !== undefined, {
      message: 'Expected `identity` to name at least one of `userId` or `anonymousId`.',
    })
    .optional(),
})
