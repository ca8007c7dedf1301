// Klaviyo Create Event, `POST /api/events`. Sources:
// - klaviyo/openapi, openapi/stable/apis/create_event.json (commit 04ab68f, revision 2026-07-15):
//   headers, body schema `EventCreateQueryV2`, 202 response, error body, rate limits;
// - https://developers.klaviyo.com/en/docs/rate_limits_and_error_handling (429, Retry-After);
// - https://developers.klaviyo.com/en/docs/authenticate_ and /en/docs/retrieve_api_credentials
//   (`Authorization: Klaviyo-API-Key <private key>`, private keys start with `pk_`).

import { isoTimestamp } from '../../events/iso-timestamp.js'
import type { Adapter } from '../adapter.js'
import { defineAdapter } from '../define-adapter.js'
import { joinBaseUrl } from '../shared/base-url.js'
import { isE164 } from '../shared/e164.js'
import { readPath } from '../shared/payload-path.js'
import { readIdentifier } from '../shared/read-identifier.js'
import { KLAVIYO_DEFAULTS, type KlaviyoConfig, klaviyoConfigSchema } from './klaviyo-config.js'
import { classifyKlaviyoResponse } from './klaviyo-response.js'

/** Options of {@link klaviyoAdapter}. */
export interface KlaviyoAdapterOptions {
  /**
   * Type name integrations refer to. Change it to register a second Klaviyo adapter.
   * @default 'klaviyo'
   */
  readonly type?: string
}

/**
 * Klaviyo's published rate limits of Create Event (create_event.json, `x-klaviyo-ratelimit`:
 * burst `350/s`, steady `3500/m`), per account (shared by every private key of the account),
 * fixed windows. Integrations of the adapter are paced by them by default (rolling windows,
 * which never exceed fixed ones); set an integration's `pacing` for an account with other limits.
 */
export const KLAVIYO_RATE_LIMITS = Object.freeze({
  createEvent: Object.freeze({
    burst: Object.freeze({ limit: 350, intervalMs: 1000 }),
    steady: Object.freeze({ limit: 3500, intervalMs: 60_000 }),
  }),
})

// create_event.json: "application/vnd.api+json" is the request body's (and responses') media type.
const JSON_API = 'application/vnd.api+json'
// create_event.json, metric `name`: "Must be less than 128 characters."
const MAX_METRIC_NAME_LENGTH = 127
const CURRENCY = /^[A-Za-z]{3}$/

type ProfileAttributes = { email?: string; phone_number?: string; external_id?: string }

/** The profile identifiers found in the payload, or an Error naming the configured paths. */
function profileAttributes(payload: unknown, config: KlaviyoConfig): ProfileAttributes {
  const mapping = config.profile ?? KLAVIYO_DEFAULTS.profile
  const attributes: ProfileAttributes = {}
  const email = readIdentifier(payload, mapping.email)
  if (email !== undefined) attributes.email = email
  // create_event.json: `phone_number` is "in E.164 format"; anything else would get a 400.
  const phone = mapping.phoneNumber === undefined ? undefined : readPath(payload, mapping.phoneNumber)
  if (isE164(phone)) attributes.phone_number = phone
  // A numeric customer id is still an id, and `external_id` is a string in the spec.
  const externalId = readIdentifier(payload, mapping.externalId, true)
  if (externalId !== undefined) attributes.external_id = externalId
  if (Object.keys(attributes).length > 0) return attributes
  const wanted = [
    mapping.email === undefined ? undefined : `an email at \`${mapping.email}\``,
    mapping.phoneNumber === undefined ? undefined : `an E.164 phone number at \`${mapping.phoneNumber}\``,
    mapping.externalId === undefined ? undefined : `an external id at \`${mapping.externalId}\``,
  ].filter((part) => part !== undefined)
  throw new Error(
    `Klaviyo needs a profile identifier, but the payload has none of: ${wanted.join(', ')}. Add one to the event, or point the integration's \`profile\` config at the right paths.`,
  )
}

/**
 * The Klaviyo adapter: sends each event to Create Event (`POST /api/events`) as a JSON:API
 * `event` whose metric is the outgoing name (prefix included), whose properties are the whole
 * payload, and whose profile is identified by the email, E.164 phone number and/or external id
 * found at the configured payload paths. `unique_id` is the delivery id, so a retried request
 * is recorded once (Klaviyo keeps the first event per profile, metric and `unique_id`).
 *
 * @example
 * const router = new EventRouter({ adapters: [klaviyoAdapter()] })
 * router.integrations.add({
 *   id: 'klaviyo',
 *   type: 'klaviyo',
 *   config: { apiKey: process.env.KLAVIYO_PRIVATE_KEY, valuePath: 'order.total', valueCurrencyPath: 'business.currency' },
 * })
 */
export function klaviyoAdapter(options: KlaviyoAdapterOptions = {}): Adapter<KlaviyoConfig> {
  const { type = 'klaviyo' } = options
  return defineAdapter({
    type,
    configSchema: klaviyoConfigSchema,
    secretFields: ['apiKey'],
    pacing: {
      perSecond: KLAVIYO_RATE_LIMITS.createEvent.burst.limit,
      perMinute: KLAVIYO_RATE_LIMITS.createEvent.steady.limit,
    },
    buildRequest: ({ event, config, delivery }) => {
      const name = event.outgoingName
      if (Array.from(name).length > MAX_METRIC_NAME_LENGTH) {
        throw new Error(
          `Klaviyo metric names must be under 128 characters; \`${name.slice(0, 40)}…\` has ${Array.from(name).length}. Use a shorter event name prefix.`,
        )
      }
      const attributes: Record<string, unknown> = {
        properties: event.payload,
        // Klaviyo truncates `time` to the second; the ISO string keeps the milliseconds anyway.
        time: isoTimestamp(event.occurredAt),
        // create_event.json, `unique_id`: a repeated id for the same profile and metric is
        // recorded once. The delivery id is stable across retries: a retry after a lost 202
        // cannot create a second event.
        unique_id: delivery.id,
        metric: { data: { type: 'metric', attributes: { name } } },
        profile: { data: { type: 'profile', attributes: profileAttributes(event.payload, config) } },
      }
      const value = config.valuePath === undefined ? undefined : readPath(event.payload, config.valuePath)
      if (typeof value === 'number' && Number.isFinite(value)) {
        attributes.value = value
        const currency =
          config.valueCurrencyPath === undefined
            ? undefined
            : readPath(event.payload, config.valueCurrencyPath)
        // `value_currency` is "The ISO 4217 currency code of the value": only sent with a value.
        if (typeof currency === 'string' && CURRENCY.test(currency)) {
          attributes.value_currency = currency.toUpperCase()
        }
      }
      return {
        method: 'POST',
        url: joinBaseUrl(config.baseUrl ?? KLAVIYO_DEFAULTS.baseUrl, '/api/events'),
        headers: {
          Authorization: `Klaviyo-API-Key ${config.apiKey}`,
          revision: config.revision ?? KLAVIYO_DEFAULTS.revision,
          accept: JSON_API,
          'content-type': JSON_API,
        },
        body: JSON.stringify({ data: { type: 'event', attributes } }),
      }
    },
    classifyResponse: (response) => classifyKlaviyoResponse(response),
  })
}
