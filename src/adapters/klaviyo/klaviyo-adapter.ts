// Klaviyo Create Event, `POST /api/events`. Sources:
// - klaviyo/openapi, openapi/stable/apis/create_event.json (commit 04ab68f, revision 2026-07-15):
//   headers, body schema `EventCreateQueryV2`, 202 response, error body, rate limits, size
//   limits (klaviyo-limits.ts);
// - https://developers.klaviyo.com/en/docs/rate_limits_and_error_handling (429, Retry-After);
// - https://developers.klaviyo.com/en/docs/authenticate_ and /en/docs/retrieve_api_credentials
//   (`Authorization: Klaviyo-API-Key <private key>`, private keys start with `pk_`).

import type { Delivery } from '../../delivery/delivery.js'
import { isoTimestamp } from '../../events/iso-timestamp.js'
import type { RoutedEvent } from '../../events/routed-event.js'
import type { Adapter } from '../adapter.js'
import { defineAdapter } from '../define-adapter.js'
import { joinBaseUrl } from '../shared/base-url.js'
import { isE164 } from '../shared/e164.js'
import { readPath } from '../shared/payload-path.js'
import { readIdentifier } from '../shared/read-identifier.js'
import { buildKlaviyoBulkRequest, KLAVIYO_BULK_MAX_EVENTS } from './klaviyo-bulk.js'
import { KLAVIYO_DEFAULTS, type KlaviyoConfig, klaviyoConfigSchema } from './klaviyo-config.js'
import { assertKlaviyoLimits, KLAVIYO_MAX_PAYLOAD_BYTES } from './klaviyo-limits.js'
import { classifyKlaviyoBulkResponse, classifyKlaviyoResponse } from './klaviyo-response.js'

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
  /** Create Event (`POST /api/events`). */
  createEvent: Object.freeze({
    /** The burst limit: 350 per second. */
    burst: Object.freeze({
      /** Requests per window, per account. */
      limit: 350,
      /** The window, in ms. */
      intervalMs: 1000,
    }),
    /** The steady limit: 3,500 per minute. */
    steady: Object.freeze({
      /** Requests per window, per account. */
      limit: 3500,
      /** The window, in ms. */
      intervalMs: 60_000,
    }),
  }),
  // Bulk Create Events (developers.klaviyo.com/en/reference/bulk_create_events, `rateLimits`:
  // burst `10/s`, steady `150/m`; "Accepts up to 1,000 events per request. The maximum allowed
  // payload size is 5MB.").
  /** Bulk Create Events (`POST /api/event-bulk-create-jobs`). */
  bulkCreateEvents: Object.freeze({
    /** The burst limit: 10 per second. */
    burst: Object.freeze({
      /** Requests per window, per account. */
      limit: 10,
      /** The window, in ms. */
      intervalMs: 1000,
    }),
    /** The steady limit: 150 per minute. */
    steady: Object.freeze({
      /** Requests per window, per account. */
      limit: 150,
      /** The window, in ms. */
      intervalMs: 60_000,
    }),
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
/** The event's attributes as Create Event and Bulk Create Events take them, and its profile's. */
function eventParts(
  event: RoutedEvent,
  config: KlaviyoConfig,
  delivery: Delivery,
): { attributes: Record<string, unknown>; profile: ProfileAttributes } {
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
  }
  const value = config.valuePath === undefined ? undefined : readPath(event.payload, config.valuePath)
  if (typeof value === 'number' && Number.isFinite(value)) {
    attributes.value = value
    const currency =
      config.valueCurrencyPath === undefined ? undefined : readPath(event.payload, config.valueCurrencyPath)
    // `value_currency` is "The ISO 4217 currency code of the value": only sent with a value.
    if (typeof currency === 'string' && CURRENCY.test(currency)) {
      attributes.value_currency = currency.toUpperCase()
    }
  }
  return { attributes, profile: profileAttributes(event.payload, config) }
}

function headersOf(config: KlaviyoConfig): Record<string, string> {
  return {
    Authorization: `Klaviyo-API-Key ${config.apiKey}`,
    revision: config.revision ?? KLAVIYO_DEFAULTS.revision,
    accept: JSON_API,
    'content-type': JSON_API,
  }
}

/**
 * The Klaviyo adapter: sends each event to Create Event (`POST /api/events`) as a JSON:API
 * `event` whose metric is the outgoing name (prefix included), whose properties are the whole
 * payload, and whose profile is identified by the email, E.164 phone number and/or external id
 * found at the configured payload paths. `unique_id` is the delivery id, so a retried request
 * is recorded once (Klaviyo keeps the first event per profile, metric and `unique_id`).
 *
 * Batching (on by default): deliveries go to Bulk Create Events (`POST
 * /api/event-bulk-create-jobs`), up to 1,000 events and 5 MB per request, grouped per profile,
 * paced at the bulk endpoint's 10/s and 150/min. Klaviyo refuses such a request as a whole when
 * one event is wrong: the events its errors point at (`source.pointer`) fail, and the others
 * are sent again at once without them.
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
      const { attributes, profile } = eventParts(event, config, delivery)
      attributes.profile = { data: { type: 'profile', attributes: profile } }
      const body = JSON.stringify({ data: { type: 'event', attributes } })
      // create_event.json, `properties`: at most 400 properties, 5 MB, 100 KB per string.
      assertKlaviyoLimits(event.payload, body)
      return {
        method: 'POST',
        url: joinBaseUrl(config.baseUrl ?? KLAVIYO_DEFAULTS.baseUrl, '/api/events'),
        headers: headersOf(config),
        body,
      }
    },
    classifyResponse: (response) => classifyKlaviyoResponse(response),
    batching: {
      maxItems: KLAVIYO_BULK_MAX_EVENTS,
      maxBytes: KLAVIYO_MAX_PAYLOAD_BYTES,
      pacing: {
        perSecond: KLAVIYO_RATE_LIMITS.bulkCreateEvents.burst.limit,
        perMinute: KLAVIYO_RATE_LIMITS.bulkCreateEvents.steady.limit,
      },
      buildItem: ({ event, config, delivery }) => {
        const { attributes, profile } = eventParts(event, config, delivery)
        const json = JSON.stringify({ type: 'event', attributes })
        // The same per-event limits as Create Event (bulk_create_events: 400 properties, 100 KB per string).
        assertKlaviyoLimits(event.payload, json)
        // Events are grouped per profile: the group is the profile's identifiers as sent.
        return { json, group: JSON.stringify(profile) }
      },
      buildRequest: ({ config, entries }) => ({
        method: 'POST',
        url: joinBaseUrl(config.baseUrl ?? KLAVIYO_DEFAULTS.baseUrl, '/api/event-bulk-create-jobs'),
        headers: headersOf(config),
        body: buildKlaviyoBulkRequest(entries.map((entry) => entry.item)),
      }),
      classifyResponse: (response, { entries }) =>
        classifyKlaviyoBulkResponse(
          response,
          entries.map((entry) => entry.item),
        ),
    },
  })
}
