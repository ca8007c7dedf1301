import { z } from 'zod'
import {
  describeHostNameProblem,
  describeUnparsableHost,
  hasWhitespaceOrControl,
  normalizeUrl,
  parseUrl,
} from '../shared/url-field.js'
import { parseStandardWebhookSecret } from './standard-webhooks-signature.js'

/**
 * The config of a webhook integration, as validated by the adapter's `configSchema`.
 * Signing is explicit: give a `secret`, or `signing: false` to send unsigned requests.
 */
export interface WebhookConfig {
  /**
   * Absolute `http:` or `https:` URL the events are POSTed to, without `user:password@`.
   * Stored as the WHATWG URL parser serialises it (`new URL(url).href`), which is what the
   * SSRF guard checks and what is sent: an internationalised host is kept in punycode
   * (`https://例え.jp/h` is stored as `https://xn--r8jz45g.jp/h`), `https://crm.example` as
   * `https://crm.example/`.
   */
  readonly url: string
  /**
   * Standard Webhooks signing secret (`whsec_<base64>`, 24 to 64 bytes), or several during
   * a rotation: each one signs and `webhook-signature` carries all signatures, current
   * secret first. Required unless `signing` is `false`: a missing or `undefined` secret (an
   * unset environment variable, say) is a `ValidationError` on `config.secret`, never an
   * integration that silently sends unsigned requests.
   */
  readonly secret?: string | readonly string[] | undefined
  /**
   * Whether requests are signed. `false` is the explicit opt-out: requests carry no
   * `webhook-signature` header, for receivers that authenticate another way (a token in
   * `headers`, mutual TLS, a private network). It cannot be combined with a `secret`, and it
   * is shown by `integrations.get()` (unlike the secret, it is not redacted).
   * @default true (a `secret` is required)
   */
  readonly signing?: boolean | undefined
  /**
   * Extra request headers, e.g. `{ authorization: 'Bearer ...' }`. Names that the adapter
   * or the HTTP client set themselves are rejected.
   */
  readonly headers?: Readonly<Record<string, string>> | undefined
}

// Set by the adapter (the Standard Webhooks headers, "Webhook headers") or by the HTTP
// client; a custom header with one of these names would break signing or framing.
const RESERVED_HEADERS = new Set([
  'content-type',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
  'webhook-test',
  'content-length',
  'host',
  'transfer-encoding',
  'connection',
])

// RFC 9110 §5.1: a field name is a `token`.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

const MISSING_SECRET =
  'Expected `secret`, the Standard Webhooks signing secret (`whsec_...`), but it is missing or undefined (an environment variable that is not set?). Set it to sign the requests, or set `signing: false` to send them unsigned on purpose.'
const CONTRADICTORY_SIGNING =
  'Expected either a `secret` (signed requests) or `signing: false` (unsigned requests), not both: remove `secret` (in an update, set it to `undefined`) or remove `signing: false`.'

/**
 * RFC 9110 §5.5: no CR, LF, NUL or other control characters (tab aside) in a field value;
 * fetch also rejects characters above U+00FF (header values are byte strings).
 */
function isValidHeaderValue(value: string): boolean {
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index)
    if ((code < 0x20 && code !== 0x09) || code === 0x7f || code > 0xff) return false
  }
  return true
}

/**
 * Returns what is wrong with a webhook URL, or `undefined` when it can be sent. Never
 * echoes it. Non-ASCII characters are fine: the host goes out in punycode and the path and
 * query percent-encoded, as the WHATWG URL parser writes them.
 */
function describeUrlProblem(value: string, requireHttps: boolean): string | undefined {
  if (!/^https?:\/\//i.test(value)) {
    return 'Expected `url` to be an absolute http(s) URL such as `https://example.com/hooks`.'
  }
  if (hasWhitespaceOrControl(value)) return 'Expected `url` without whitespace or control characters.'
  const url = parseUrl(value)
  if (url === undefined) {
    return describeUnparsableHost('url', value) ?? 'Expected `url` to be a valid absolute URL.'
  }
  if (url.username !== '' || url.password !== '') {
    return 'Expected `url` without credentials (`user:password@`); use `secret` to sign requests, or `headers` for an authorization header.'
  }
  if (requireHttps && url.protocol !== 'https:') {
    return 'Expected `url` to use https: the adapter was created with `requireHttps: true`.'
  }
  return describeHostNameProblem('url', url)
}

const secretSchema = z
  .string({ error: 'Expected `secret` to be a `whsec_...` string.' })
  .superRefine((value, ctx) => {
    try {
      parseStandardWebhookSecret(value)
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message })
    }
  })

const headersSchema = z
  .record(z.string(), z.string({ error: 'Expected header values to be strings.' }), {
    error: 'Expected `headers` to be an object of header names to string values.',
  })
  .superRefine((headers, ctx) => {
    const seen = new Set<string>()
    for (const [name, value] of Object.entries(headers)) {
      const lower = name.toLowerCase()
      if (!HEADER_NAME.test(name)) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: 'Expected a valid HTTP header name (RFC 9110 token).',
        })
      } else if (RESERVED_HEADERS.has(lower)) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `Header \`${lower}\` is set by the webhook adapter or the HTTP client and cannot be overridden.`,
        })
      } else if (seen.has(lower)) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `Header \`${lower}\` is given twice (header names are case-insensitive).`,
        })
      }
      seen.add(lower)
      if (!isValidHeaderValue(value)) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message:
            'Expected the header value without CR, LF, other control characters or non-Latin-1 characters.',
        })
      }
    }
  })

/** Builds the config schema; `requireHttps` comes from the adapter options. */
export function createWebhookConfigSchema(requireHttps: boolean): z.ZodType<WebhookConfig> {
  return z
    .strictObject({
      url: z
        .string({ error: 'Expected `url` to be a string.' })
        .superRefine((value, ctx) => {
          const problem = describeUrlProblem(value, requireHttps)
          if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem })
        })
        .transform(normalizeUrl),
      secret: z
        .union(
          [secretSchema, z.array(secretSchema).min(1, 'Expected `secret` to hold at least one secret.')],
          {
            error: 'Expected `secret` to be a `whsec_...` string or an array of them.',
          },
        )
        .optional(),
      signing: z.boolean({ error: 'Expected `signing` to be `true` or `false`.' }).optional(),
      headers: headersSchema.optional(),
    })
    .superRefine((config, ctx) => {
      // Signing is explicit: `secret: process.env.X` with X unset must not quietly turn
      // signing off, so a missing secret needs `signing: false` to be accepted.
      const signing = config.signing ?? true
      if (signing && config.secret === undefined) {
        ctx.addIssue({ code: 'custom', path: ['secret'], message: MISSING_SECRET })
      } else if (!signing && config.secret !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['signing'], message: CONTRADICTORY_SIGNING })
      }
    })
}
