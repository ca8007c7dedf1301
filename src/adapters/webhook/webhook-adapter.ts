import { isoTimestamp } from '../../events/iso-timestamp.js'
import type { Adapter } from '../adapter.js'
import { defineAdapter } from '../define-adapter.js'
import { signStandardWebhook } from './standard-webhooks-signature.js'
import { createWebhookConfigSchema, type WebhookConfig } from './webhook-config.js'
import { classifyWebhookResponse } from './webhook-response.js'

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

const defaults = { type: 'webhook', requireHttps: false } as const

/**
 * The generic webhook adapter: POSTs each event as JSON `{ id, type, timestamp, data }`,
 * signed the Standard Webhooks way (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature: v1,<base64>`). Signing is explicit: an integration gives a `secret`,
 * or `signing: false` to send unsigned requests. `webhook-id` is the delivery id, so it
 * stays the same across retries and receivers can deduplicate on it.
 *
 * Answers follow Standard Webhooks' delivery rules: 2xx succeed, `410 Gone` disables the
 * integration, every other answer is retried on the schedule, and 429, 502 and 504 slow
 * the integration down.
 *
 * @example
 * const adapter = webhookAdapter({ requireHttps: true })
 * // An integration of type `webhook` is configured with:
 * const config = adapter.configSchema.parse({
 *   url: 'https://crm.example/hooks',
 *   secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', // or [current, previous] while rotating
 *   headers: { 'x-tenant': 'acme' },
 * })
 * // or, for a receiver that authenticates another way: { url, signing: false, headers: { authorization: 'Bearer …' } }
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
      // The schema guarantees a secret unless `signing: false`.
      if (config.signing !== false && config.secret !== undefined) {
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
