import { z } from 'zod'
import { identityMappingSchema } from '../shared/payload-path-schema.js'
import {
  describeHostNameProblem,
  describeUnparsableHost,
  hasWhitespaceOrControl,
  normalizeUrl,
  parseUrl,
} from '../shared/url-field.js'

/**
 * Which payload paths hold the Braze user identifiers. Each event is sent with exactly one
 * of them: the first that resolves, in the order `externalId`, `email`, `phone`.
 */
export interface BrazeIdentityMapping {
  /** Path of your own customer id, sent as `external_id` (a string, or a whole number). */
  readonly externalId?: string | undefined
  /** Path of the email address, sent as `email`. */
  readonly email?: string | undefined
  /** Path of the phone number, sent as `phone` when it is in E.164 form (`+919876543210`). */
  readonly phone?: string | undefined
}

/** The config of a Braze integration, as validated by the adapter's `configSchema`. */
export interface BrazeConfig {
  /** REST API key with the `users.track` permission; sent as `Authorization: Bearer <key>`. */
  readonly apiKey: string
  /**
   * The REST endpoint of your Braze instance, e.g. `https://rest.iad-01.braze.com` or
   * `https://rest.fra-01.braze.eu` (Settings > APIs and Identifiers). `https:` only, but for
   * `http://localhost` and `http://127.0.0.1`, for tests and local stand-ins. Stored in its
   * WHATWG form (`new URL(value).href`), e.g. `https://rest.iad-01.braze.com/`.
   */
  readonly restEndpoint: string
  /**
   * Where the user identifiers are in the payload. Replaces the default as a whole: leave an
   * identifier out to never send it. One of them must resolve for each event.
   * @default { externalId: 'customer.id', email: 'customer.email' }
   */
  readonly identity?: BrazeIdentityMapping | undefined
  /**
   * Send `_update_existing_only: true`: Braze then records the event only for users that
   * already exist, instead of creating a profile for an unknown `external_id`.
   * @default false
   */
  readonly updateExistingOnly?: boolean | undefined
}

/** Defaults applied when a request is built (the stored config keeps what was given). */
export const BRAZE_DEFAULTS = Object.freeze({
  identity: Object.freeze({ externalId: 'customer.id', email: 'customer.email' }) as BrazeIdentityMapping,
})

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])
const EXAMPLE = '`https://rest.iad-01.braze.com`'
// Braze REST API keys are UUID-like; whatever their form, a header value cannot carry
// whitespace or control characters (and "Bearer " is added by the adapter).
const API_KEY = /^[^\s\p{Cc}]*$/u

/** Returns what is wrong with `restEndpoint`, or `undefined` when it is fine. Never echoes it. */
export function describeRestEndpointProblem(value: string): string | undefined {
  const expected = `Expected \`restEndpoint\` to be your Braze instance's REST endpoint, such as ${EXAMPLE}.`
  if (hasWhitespaceOrControl(value)) return expected
  const url = parseUrl(value)
  if (url === undefined) return describeUnparsableHost('restEndpoint', value) ?? expected
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return expected
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
    return 'Expected `restEndpoint` to use https: (http: is only allowed for localhost and 127.0.0.1).'
  }
  if (url.username !== '' || url.password !== '') {
    return 'Expected `restEndpoint` without credentials (`user:password@`); the API key goes in `apiKey`.'
  }
  // braze-docs, api/basics ("Braze REST endpoint"): dashboard-NN.braze.* is the dashboard and
  // sdk.* the SDK endpoint; only rest.* serves /users/track.
  if (/^(dashboard|sdk)[.-]/i.test(url.hostname)) {
    return `Expected \`restEndpoint\` to be the REST endpoint (\`rest.<instance>.braze.com\`), not the dashboard or SDK endpoint; for example ${EXAMPLE}.`
  }
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    return `Expected \`restEndpoint\` without a path, query or fragment (the adapter adds \`/users/track\`), such as ${EXAMPLE}.`
  }
  return describeHostNameProblem('restEndpoint', url)
}

/** The zod schema of {@link BrazeConfig}. */
export const brazeConfigSchema: z.ZodType<BrazeConfig> = z.strictObject({
  apiKey: z
    .string({ error: 'Expected `apiKey` to be a Braze REST API key (a string).' })
    .min(1, 'Expected `apiKey` to be a Braze REST API key, got an empty string.')
    // Never echo the value: it may be a real key with a typo.
    .regex(
      API_KEY,
      'Expected `apiKey` to be the bare REST API key, without whitespace, control characters or a `Bearer ` prefix.',
    ),
  restEndpoint: z
    .string({ error: `Expected \`restEndpoint\` to be a string such as ${EXAMPLE}.` })
    .superRefine((value, ctx) => {
      const problem = describeRestEndpointProblem(value)
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem })
    })
    // Stored as sent: the WHATWG serialisation (`https://rest.iad-01.braze.com/`).
    .transform(normalizeUrl),
  identity: identityMappingSchema('identity', ['externalId', 'email', 'phone'], {
    example: '{ externalId: "customer.id" }',
    pathExample: 'customer.email',
  }).optional(),
  updateExistingOnly: z.boolean({ error: 'Expected `updateExistingOnly` to be true or false.' }).optional(),
})
