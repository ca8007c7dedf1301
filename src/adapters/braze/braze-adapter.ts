// Braze Track users, `POST /users/track`, one custom event per request. Sources
// (braze-inc/braze-docs):
// - _docs/_api/endpoints/user_data/post_user_track.md (commit 78b3bae): headers, body, the
//   three response shapes, "duplicate events are treated as separate, unique events";
// - _docs/_api/objects_filters/event_object.md (commit 46939b9): identifiers, `name`, `time`,
//   `properties` rules, reserved keys, `_update_existing_only`;
// - _docs/_api/errors.md (commit 043179b), _docs/_api/api_limits.md (commit fcf9111),
//   _includes/rate_limits.md (commit 194373b): status codes, 429, X-RateLimit-* headers;
// - https://www.braze.com/docs/api/errors/ (earlier version, "Queued Responses"): 202 `queued`.

import { isoTimestamp } from '../../events/iso-timestamp.js'
import type { RoutedEvent } from '../../events/routed-event.js'
import type { Adapter } from '../adapter.js'
import { defineAdapter } from '../define-adapter.js'
import { isE164 } from '../shared/e164.js'
import { readPath } from '../shared/payload-path.js'
import { readIdentifier } from '../shared/read-identifier.js'
import { BRAZE_DEFAULTS, type BrazeConfig, brazeConfigSchema } from './braze-config.js'
import { classifyBrazeBatchResponse, classifyBrazeResponse } from './braze-response.js'

/** Options of {@link brazeAdapter}. */
export interface BrazeAdapterOptions {
  /**
   * Type name integrations refer to. Change it to register a second Braze adapter.
   * @default 'braze'
   */
  readonly type?: string
}

/**
 * Braze's published limits of `/users/track` (_includes/rate_limits.md, api_limits.md): since
 * 2024-10-28 a base limit of 3,000 requests per 3 seconds per workspace (an older version of
 * the docs says 50,000 per minute; accounts on "Monthly Active Users CY 24-25" get their own
 * hourly and burst limits), and at most 75 events per request. Integrations of the adapter
 * are paced at 1,000 requests per rolling second by default, which keeps any 3 seconds within
 * 3,000; set an integration's `pacing` for a workspace with other limits.
 */
export const BRAZE_LIMITS = Object.freeze({
  /** `POST /users/track`. */
  usersTrack: Object.freeze({
    /** Requests per window, per workspace. */
    limit: 3000,
    /** The window, in ms. */
    intervalMs: 3000,
    /** Events in one request. */
    maxEventsPerRequest: 75,
  }),
})

/**
 * Largest `/users/track` batch body the adapter sends, in bytes. Braze documents no byte limit
 * for the request (only 75 events); this bounds a batch of large payloads.
 */
export const BRAZE_MAX_BATCH_BYTES = 4 * 1024 * 1024

// event_object.md, "Reserved keys": "Using reserved keys as custom event property names will
// result in API errors". "Property names must be non-empty strings less than or equal to 255
// characters, with no leading dollar signs ($)."
const RESERVED_PROPERTY_KEYS = new Set(['time', 'event_name'])
const MAX_PROPERTY_NAME_LENGTH = 255

type Identifier = { external_id: string } | { email: string } | { phone: string }

/**
 * The one identifier the event is sent with: the first that resolves, in the order
 * `externalId`, `email`, `phone`. One per event object keeps the user unambiguous
 * (post_user_track.md: with both `email` and `phone`, Braze uses the email anyway).
 */
function identifierOf(payload: unknown, config: BrazeConfig): Identifier {
  const mapping = config.identity ?? BRAZE_DEFAULTS.identity
  const externalId = readIdentifier(payload, mapping.externalId, true)
  if (externalId !== undefined) return { external_id: externalId }
  const email = readIdentifier(payload, mapping.email)
  if (email !== undefined) return { email }
  // post_user_track.md: the phone identifier "only works if you include a valid phone number".
  const phone = mapping.phone === undefined ? undefined : readPath(payload, mapping.phone)
  if (isE164(phone)) return { phone }
  const wanted = [
    mapping.externalId === undefined ? undefined : `an external id at \`${mapping.externalId}\``,
    mapping.email === undefined ? undefined : `an email at \`${mapping.email}\``,
    mapping.phone === undefined ? undefined : `an E.164 phone number at \`${mapping.phone}\``,
  ].filter((part) => part !== undefined)
  throw new Error(
    `Braze needs a user identifier, but the payload has none of: ${wanted.join(', ')}. Add one to the event, or point the integration's \`identity\` config at the right paths.`,
  )
}

/** Throws when a top-level payload key cannot be a Braze event property name. */
function assertPropertyNames(payload: Readonly<Record<string, unknown>>): void {
  for (const key of Object.keys(payload)) {
    const shown = `\`${key.length > 40 ? `${key.slice(0, 40)}…` : key}\``
    if (RESERVED_PROPERTY_KEYS.has(key)) {
      throw new Error(
        `Braze reserves the event property name ${shown} (reserved: \`time\`, \`event_name\`); rename that payload field.`,
      )
    }
    if (key === '' || key.startsWith('$') || key.length > MAX_PROPERTY_NAME_LENGTH) {
      throw new Error(
        `Braze event property names must be 1-255 characters without a leading \`$\`; the payload field ${shown} is not.`,
      )
    }
  }
}

/**
 * The Braze adapter: sends each event to Track users (`POST /users/track`) as one custom
 * event object named after the outgoing name (prefix included), at `occurredAt`, with the
 * whole payload as `properties` (nested objects and arrays are accepted by `/users/track`),
 * for the user found at the first configured identifier path that resolves.
 *
 * Braze has no idempotency key: "each event ingested into Braze has its own event ID, so
 * 'duplicate' events are treated as separate, unique events" (post_user_track.md). A retry
 * after a lost response can therefore record the event twice.
 *
 * Batching (on by default): up to 75 events per request (`events[]`). Braze processes what it
 * can: the events its `errors[]` point at (`index`) fail alone, the others succeed.
 *
 * @example
 * const router = new EventRouter({ adapters: [brazeAdapter()] })
 * router.integrations.add({
 *   id: 'braze',
 *   type: 'braze',
 *   config: { apiKey: process.env.BRAZE_REST_API_KEY, restEndpoint: 'https://rest.iad-01.braze.com' },
 * })
 */
export function brazeAdapter(options: BrazeAdapterOptions = {}): Adapter<BrazeConfig> {
  const { type = 'braze' } = options
  return defineAdapter({
    type,
    configSchema: brazeConfigSchema,
    secretFields: ['apiKey'],
    pacing: { perSecond: BRAZE_LIMITS.usersTrack.limit / (BRAZE_LIMITS.usersTrack.intervalMs / 1000) },
    buildRequest: ({ event, config }) => ({
      method: 'POST',
      url: new URL('/users/track', config.restEndpoint).href,
      headers: headersOf(config),
      body: `{"events":[${eventObjectJson(event, config)}]}`,
    }),
    classifyResponse: (response, { config }) => classifyBrazeResponse(response, config.apiKey),
    batching: {
      maxItems: BRAZE_LIMITS.usersTrack.maxEventsPerRequest,
      maxBytes: BRAZE_MAX_BATCH_BYTES,
      // A batch is one request against the same request limit.
      pacing: { perSecond: BRAZE_LIMITS.usersTrack.limit / (BRAZE_LIMITS.usersTrack.intervalMs / 1000) },
      buildItem: ({ event, config }) => ({ json: eventObjectJson(event, config) }),
      buildRequest: ({ config, entries }) => ({
        method: 'POST',
        url: new URL('/users/track', config.restEndpoint).href,
        headers: headersOf(config),
        body: `{"events":[${entries.map((entry) => entry.item.json).join(',')}]}`,
      }),
      classifyResponse: (response, { config, entries }) =>
        classifyBrazeBatchResponse(response, entries.length, config.apiKey),
    },
  })
}

/** One custom event object as `/users/track` takes it, as JSON text. */
function eventObjectJson(event: RoutedEvent, config: BrazeConfig): string {
  assertPropertyNames(event.payload)
  const eventObject: Record<string, unknown> = {
    ...identifierOf(event.payload, config),
    name: event.outgoingName,
    time: isoTimestamp(event.occurredAt),
    properties: event.payload,
  }
  if (config.updateExistingOnly === true) eventObject._update_existing_only = true
  return JSON.stringify(eventObject)
}

function headersOf(config: BrazeConfig): Record<string, string> {
  return {
    Authorization: `Bearer ${config.apiKey}`,
    'Content-Type': 'application/json',
  }
}
