import { z } from 'zod'
import { baseUrlSchema } from '../shared/base-url.js'
import { identityMappingSchema } from '../shared/payload-path-schema.js'

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

/** The zod schema of {@link SegmentConfig}. */
export const segmentConfigSchema: z.ZodType<SegmentConfig> = z.strictObject({
  writeKey: z
    .string({ error: 'Expected `writeKey` to be the write key (a string) of your Segment source.' })
    .min(1, 'Expected `writeKey` to be the write key of your Segment source, got an empty string.')
    // Never echo the value: it may be a real key with a typo.
    .regex(WRITE_KEY, 'Expected `writeKey` without whitespace, colons or control characters.'),
  region: z.enum(['us', 'eu'], { error: 'Expected `region` to be `us` or `eu`.' }).optional(),
  baseUrl: baseUrlSchema({
    example: 'https://api.segment.io',
    credentialsHint: 'the write key goes in `writeKey`',
  }).optional(),
  identity: identityMappingSchema('identity', ['userId', 'anonymousId'], {
    example: '{ userId: "customer.id" }',
  }).optional(),
})
