import { z } from 'zod'
import { classifyHttpResponse } from '../../delivery/classify-http-response.js'
import { isoTimestamp } from '../../events/iso-timestamp.js'
import type { TransportResponse } from '../../transport/transport.js'
import type { Adapter, ResponseClassification } from '../adapter.js'
import { defineAdapter } from '../define-adapter.js'
import { parseStandardWebhookSecret, signStandardWebhook } from './standard-webhooks-signature.js'

/** Options of {@link webhookAdapter}. */
export interface WebhookAdapterOptions {
  /**
   * Type name integrations refer to. Change it to register a second, differently
   * configured webhook adapter next to the default one.
   * @default 'webhook'
   */
  readonly type?: string
  /**
   * Reject `http:` URLs. Standard Webhooks ("Enforcing HTTPS") advises HTTPS because the
   * signature authenticates the payload but does not encrypt it; turn this on when the
   * payloads carry personal data.
   * @default false
   */
  readonly requireHttps?: boolean
}

/** The config of a webhook integration, as validated by the adapter's `configSchema`. */
export interface WebhookConfig {
  /** Absolute `http:` or `https:` URL the events are POSTed to, without `user:password@`. */
  readonly url: string
  /**
   * Standard Webhooks signing secret (`whsec_<base64>`, 24 to 64 bytes), or several during
   * a rotation: each one signs and `webhook-signature` carries all signatures, current
   * secret first. Without it, requests are sent unsigned.
   */
  readonly secret?: string | readonly string[] | undefined
  /**
   * Extra request headers, e.g. `{ authorization: 'Bearer ...' }`. Names that the adapter
   * or the HTTP client set themselves are rejected.
   */
  readonly headers?: Readonly<Record<string, string>> | undefined
}

const defaults = { type: 'webhook', requireHttps: false } as const

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

/** Returns what is wrong with a webhook URL, or `undefined` when it is fine. Never echoes it. */
function describeUrlProblem(value: string, requireHttps: boolean): string | undefined {
  if (!/^https?:\/\//i.test(value)) {
    return 'Expected `url` to be an absolute http(s) URL such as `https://example.com/hooks`.'
  }
  if (/\s/.test(value) || !isValidHeaderValue(value)) {
    return 'Expected `url` without whitespace or control characters.'
  }
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return 'Expected `url` to be a valid absolute URL.'
  }
  if (url.username !== '' || url.password !== '') {
    return 'Expected `url` without credentials (`user:password@`); use `secret` to sign requests, or `headers` for an authorization header.'
  }
  if (requireHttps && url.protocol !== 'https:') {
    return 'Expected `url` to use https: the adapter was created with `requireHttps: true`.'
  }
  return undefined
}

/** Builds the config schema; `requireHttps` comes from the adapter options. */
function createWebhookConfigSchema(requireHttps: boolean): z.ZodType<WebhookConfig> {
  const secret = z
    .string({ error: 'Expected `secret` to be a `whsec_...` string.' })
    .superRefine((value, ctx) => {
      try {
        parseStandardWebhookSecret(value)
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message })
      }
    })
  return z.strictObject({
    url: z.string({ error: 'Expected `url` to be a string.' }).superRefine((value, ctx) => {
      const problem = describeUrlProblem(value, requireHttps)
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem })
    }),
    secret: z
      .union([secret, z.array(secret).min(1, 'Expected `secret` to hold at least one secret.')], {
        error: 'Expected `secret` to be a `whsec_...` string or an array of them.',
      })
      .optional(),
    headers: z
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
      .optional(),
  })
}

/**
 * Standard Webhooks, "Delivery success and failure": 2xx succeed, 3xx fail (redirects are
 * not followed), 429/502/504 are retried with backoff, `Retry-After` is honoured on 429/503:
 * all of this is {@link classifyHttpResponse}. Only 410 Gone needs its own answer.
 */
function classifyWebhookResponse(response: TransportResponse): ResponseClassification {
  // Standard Webhooks: 410 Gone => the receiver wants no more webhooks; disable the endpoint.
  if (response.status === 410) {
    return {
      outcome: 'fail',
      reason: 'HTTP 410 Gone: the endpoint is gone and no longer accepts webhooks',
      disableIntegration: true,
    }
  }
  return classifyHttpResponse(response)
}

/**
 * The generic webhook adapter: POSTs each event as JSON `{ id, type, timestamp, data }`,
 * signed the Standard Webhooks way (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature: v1,<base64>`) when a `secret` is configured. `webhook-id` is the
 * delivery id, so it stays the same across retries and receivers can deduplicate on it.
 *
 * @example
 * const adapter = webhookAdapter({ requireHttps: true })
 * // An integration of type `webhook` is configured with:
 * const config = adapter.configSchema.parse({
 *   url: 'https://crm.example/hooks',
 *   secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', // or [current, previous] while rotating
 *   headers: { 'x-tenant': 'acme' },
 * })
 */
export function webhookAdapter(options: WebhookAdapterOptions = {}): Adapter<WebhookConfig> {
  const { type = defaults.type, requireHttps = defaults.requireHttps } = options
  if (typeof requireHttps !== 'boolean') {
    throw new TypeError(
      `Expected \`requireHttps\` to be a boolean, got \`${String(requireHttps)}\` (${typeof requireHttps}).`,
    )
  }
  return defineAdapter({
    type,
    configSchema: createWebhookConfigSchema(requireHttps),
    // Custom headers often carry credentials (authorization, API keys): redact them too.
    secretFields: ['secret', 'headers'],
    buildRequest: ({ event, config, delivery }) => {
      const body = JSON.stringify({
        id: event.id,
        type: event.outgoingName,
        timestamp: isoTimestamp(event.occurredAt),
        data: event.payload,
      })
      // Standard Webhooks, "Webhook metadata": the timestamp is the attempt's, refreshed on
      // every retry (replay protection), while the id and the body stay the same.
      const timestamp = Math.floor(Date.now() / 1000)
      const headers: Record<string, string> = {
        ...config.headers,
        'content-type': 'application/json',
        'webhook-id': delivery.id,
        'webhook-timestamp': String(timestamp),
      }
      // A test send (router.subscriptions.test()) is marked so receivers can ignore it.
      if (event.test === true) headers['webhook-test'] = 'true'
      if (config.secret !== undefined) {
        headers['webhook-signature'] = signStandardWebhook({
          id: delivery.id,
          timestamp,
          body,
          secrets: config.secret,
        })
      }
      return { method: 'POST', url: config.url, headers, body }
    },
    classifyResponse: classifyWebhookResponse,
  })
}
