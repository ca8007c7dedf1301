// MoEngage Data API, Track Event (`POST /v1/event/{Workspace_ID}`). Sources:
// - moengage/moengage-documentation, api/data/data.yaml (`/event/{Workspace_ID}`, schemas
//   `CreateEventRequest` and `EventAction`), published as moengage.com/docs/api/event/track-event:
//   body, Basic auth (Workspace ID : Data API key), "MoEngage does not accept any future
//   dated events", "Maintain a rate limit of 30,000 events per minute", responses;
// - same repository, api/introduction.mdx (data centers and hosts, Basic auth) and
//   api/data/data-overview.mdx (128 KB request limit, `customer_id` values MoEngage
//   refuses, `moe_` prefix, datetime format `YYYY-MM-DDTHH:mm:ssZ`, response codes).
// MoEngage documents no idempotency key for Track Event (`moe_event_uuid` exists only for
// Personalize experience events), so a retry after a lost response can count twice.

import type { Adapter } from '../adapter.js'
import { defineAdapter } from '../define-adapter.js'
import { joinBaseUrl } from '../shared/base-url.js'
import { basicAuthorization } from '../shared/basic-authorization.js'
import { readIdentityValue } from '../shared/read-identifier.js'
import { assertRequestSize } from '../shared/request-size.js'
import { assertNoReservedNames, flattenAttributes } from './moengage-attributes.js'
import {
  MOENGAGE_DEFAULTS,
  type MoEngageConfig,
  type MoEngageIdentityMapping,
  moengageConfigSchema,
  moengageHost,
} from './moengage-config.js'
import { classifyMoEngageResponse } from './moengage-response.js'

/** Options of {@link moengageAdapter}. */
export interface MoEngageAdapterOptions {
  /**
   * Type name integrations refer to. Change it to register a second MoEngage adapter next
   * to the default one.
   * @default 'moengage'
   */
  readonly type?: string
}

/**
 * MoEngage's published limit of Track Event (moengage.com/docs/api/event/track-event, "Rate
 * Limit": "A single API request contains one or more events. Maintain a rate limit of
 * 30,000 events per minute."), per workspace. The adapter sends one event per request, so
 * MoEngage integrations are paced at 30,000 requests per rolling minute by default; override
 * an integration's `pacing` for a workspace with another limit, or split it between routers.
 */
export const MOENGAGE_RATE_LIMITS = Object.freeze({
  /** Track Event. */
  trackEvent: Object.freeze({
    /** Events (one per request) per window, per workspace. */
    limit: 30_000,
    /** The window, in ms. */
    intervalMs: 60_000,
  }),
})

/** Largest Data API request body, in bytes (data-overview.mdx: "128 KB"). */
export const MOENGAGE_MAX_REQUEST_BYTES = 128 * 1024

// data-overview.mdx, "Request Body": "Any string of more than one characters is allowed for
// customer_id except the following values".
// biome-ignore format: one list, as documented
const REFUSED_CUSTOMER_IDS = new Set([
  'unknown', 'guest', 'null', '0', '1', 'true', 'false', 'user_attribute_unique_id', '(empty)', 'na',
  'n/a', '', 'dummy_seller_code', 'user_id', 'id', 'customer_id', 'uid', 'userid', 'none', '-2', '-1', '2',
])

function resolveIdentity(payload: Readonly<Record<string, unknown>>, mapping: MoEngageIdentityMapping) {
  let customerId = readIdentityValue(payload, mapping.customerId)
  if (customerId !== undefined && REFUSED_CUSTOMER_IDS.has(customerId.trim().toLowerCase())) {
    // Never a real id: MoEngage refuses it, so fall back to the user identifiers (if any).
    customerId = undefined
  }
  const identifiers: Record<string, string> = {}
  for (const [name, path] of Object.entries(mapping.userIdentifiers ?? {})) {
    const value = readIdentityValue(payload, path)
    if (value !== undefined) identifiers[name] = value
  }
  if (customerId === undefined && Object.keys(identifiers).length === 0) {
    const paths = [
      ...(mapping.customerId === undefined ? [] : [`\`${mapping.customerId}\` (identity.customerId)`]),
      ...Object.entries(mapping.userIdentifiers ?? {}).map(
        ([name, path]) => `\`${path}\` (identity.userIdentifiers.${name})`,
      ),
    ].join(' or ')
    throw new Error(
      `MoEngage needs a \`customer_id\` or a user identifier, but the payload has no usable string or number at ${paths} (placeholders such as \`unknown\`, \`guest\` or \`0\` are refused by MoEngage).`,
    )
  }
  return { customerId, identifiers }
}

/**
 * `current_time`: the UTC time of the event as ISO 8601 without milliseconds, the form the
 * docs show (`2020-05-31T16:33:35Z`). MoEngage refuses future-dated events, so a time ahead
 * of this machine's clock (clock skew, a wrong `occurredAt`) is sent as the attempt's time.
 */
function currentTime(occurredAt: Date, now: number): string {
  const ms = Math.min(occurredAt.getTime(), now)
  return `${new Date(ms).toISOString().slice(0, 19)}Z`
}

/**
 * The MoEngage adapter: sends each event to the Data API's Track Event endpoint as one
 * action of the user named by `customer_id` (and/or `user_identifiers`), authenticated with
 * HTTP Basic auth (Workspace ID : Data API key). The outgoing name is the `action`, the
 * payload its `attributes` (nested objects flattened unless `nestedObjects: 'keep'`), and
 * `occurredAt` its `current_time`.
 *
 * @example
 * const router = new EventRouter({ adapters: [moengageAdapter()] })
 * router.integrations.add({
 *   id: 'moengage',
 *   type: 'moengage',
 *   config: { workspaceId: 'OAPQQ2AMD01MJZYZX1YPG', apiKey: process.env.MOENGAGE_DATA_API_KEY, dataCenter: '03' },
 * })
 */
export function moengageAdapter(options: MoEngageAdapterOptions = {}): Adapter<MoEngageConfig> {
  const { type = 'moengage' } = options
  return defineAdapter({
    type,
    configSchema: moengageConfigSchema,
    secretFields: ['apiKey'],
    pacing: { perMinute: MOENGAGE_RATE_LIMITS.trackEvent.limit },
    buildRequest: ({ event, config }) => {
      const { customerId, identifiers } = resolveIdentity(
        event.payload,
        config.identity ?? MOENGAGE_DEFAULTS.identity,
      )
      const nested = config.nestedObjects ?? MOENGAGE_DEFAULTS.nestedObjects
      const attributes = nested === 'flatten' ? flattenAttributes(event.payload) : { ...event.payload }
      assertNoReservedNames(event.outgoingName, attributes)
      const body = JSON.stringify({
        type: 'event',
        ...(customerId === undefined ? {} : { customer_id: customerId }),
        ...(Object.keys(identifiers).length === 0 ? {} : { user_identifiers: identifiers }),
        actions: [
          {
            action: event.outgoingName,
            attributes,
            ...(config.platform === undefined ? {} : { platform: config.platform }),
            current_time: currentTime(event.occurredAt, Date.now()),
          },
        ],
      })
      assertRequestSize(body, {
        maxBytes: MOENGAGE_MAX_REQUEST_BYTES,
        request: 'MoEngage Track Event request',
        api: 'the Data API',
      })
      // The schema requires `dataCenter` whenever `baseUrl` is missing.
      const host = config.baseUrl ?? moengageHost(config.dataCenter ?? '01')
      return {
        method: 'POST',
        url: joinBaseUrl(host, `/v1/event/${encodeURIComponent(config.workspaceId)}`),
        headers: {
          authorization: basicAuthorization(config.workspaceId, config.apiKey),
          'content-type': 'application/json',
        },
        body,
      }
    },
    classifyResponse: classifyMoEngageResponse,
  })
}
