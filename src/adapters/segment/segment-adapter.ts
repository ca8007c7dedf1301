// Segment HTTP Tracking API, `track` call. Sources:
// - segmentio/segment-docs, src/connections/sources/catalog/libraries/server/http-api/index.md
//   (commit 00b39f2): endpoint, Basic auth, Content-Type, rate limits, 32 KB per call, errors,
//   `messageId` deduplication (fewer than 100 characters);
// - segment-docs, src/guides/regional-segment.md and src/_includes/content/regional-config.md:
//   the Dublin host `events.eu1.segmentapis.com`;
// - segment-docs, src/connections/spec/common.md: `context.library`, `timestamp` (ISO-8601);
// - segmentio/analytics-next, packages/node/src/plugins/segmentio/context-batch.ts: the
//   official Node library measures the 32 KB limit as 32 * 1024 bytes.

import type { Delivery } from '../../delivery/delivery.js'
import { isoTimestamp } from '../../events/iso-timestamp.js'
import type { RoutedEvent } from '../../events/routed-event.js'
import { PACKAGE_VERSION } from '../../shared/package-version.js'
import type { Adapter } from '../adapter.js'
import { defineAdapter } from '../define-adapter.js'
import { joinBaseUrl } from '../shared/base-url.js'
import { basicAuthorization } from '../shared/basic-authorization.js'
import { assertRequestSize } from '../shared/request-size.js'
import { resolveUserIdentity } from '../shared/user-identity.js'
import { SEGMENT_DEFAULTS, SEGMENT_HOSTS, type SegmentConfig, segmentConfigSchema } from './segment-config.js'
import { classifySegmentResponse } from './segment-response.js'

/** Options of {@link segmentAdapter}. */
export interface SegmentAdapterOptions {
  /**
   * Type name integrations refer to. Change it to register a second Segment adapter next
   * to the default one.
   * @default 'segment'
   */
  readonly type?: string
}

/** Largest request the HTTP Tracking API accepts outside `/v1/batch`, in bytes ("32KB"). */
export const SEGMENT_MAX_REQUEST_BYTES = 32 * 1024

/**
 * Largest `/v1/batch` request, in bytes (http-api/index.md, "Max request size": "our batch
 * endpoint accepts a maximum of 500KB per batch and 32KB per contained event").
 */
export const SEGMENT_MAX_BATCH_BYTES = 500 * 1024

/**
 * Most events the adapter puts in one `/v1/batch` request. Segment documents no count limit,
 * only the 500 KB; this bounds a batch of small events.
 */
export const SEGMENT_MAX_BATCH_EVENTS = 1000

/**
 * Identifies this SDK in `context.library`, as Segment's own libraries do: the spec
 * (common.md) defines it as "information about the library making the requests to the API,
 * containing `name` and `version`".
 */
const LIBRARY = Object.freeze({ name: 'eventrouter', version: PACKAGE_VERSION })

/**
 * The Segment adapter: sends each event as a `track` call to the HTTP Tracking API
 * (`POST /v1/track`), authenticated with the source's write key as HTTP Basic auth. The
 * outgoing name is the `event`, the payload the `properties`, and the delivery id the
 * `messageId` on which Segment deduplicates, so a retry never counts twice.
 *
 * @example
 * const router = new EventRouter({ adapters: [segmentAdapter()] })
 * router.integrations.add({
 *   id: 'segment',
 *   type: 'segment',
 *   config: { writeKey: process.env.SEGMENT_WRITE_KEY, region: 'eu' },
 * })
 *
 * Batching (on by default): deliveries go to `POST /v1/batch` as typed `track` messages, up to
 * 500 KB per request and 32 KB per event (an event over it fails alone). Segment answers for
 * the whole request, so its answer (200, 400, 429, 5xx) holds for every delivery of it.
 */
export function segmentAdapter(options: SegmentAdapterOptions = {}): Adapter<SegmentConfig> {
  const { type = 'segment' } = options
  return defineAdapter({
    type,
    configSchema: segmentConfigSchema,
    secretFields: ['writeKey'],
    buildRequest: ({ event, config, delivery }) => {
      const body = trackCall(event, config, delivery)
      // http-api/index.md, "Max request size": Segment answers 400 to larger calls.
      assertRequestSize(body, {
        maxBytes: SEGMENT_MAX_REQUEST_BYTES,
        request: 'Segment track call',
        api: 'the HTTP API',
      })
      return {
        method: 'POST',
        url: joinBaseUrl(hostOf(config), '/v1/track'),
        headers: headersOf(config),
        body,
      }
    },
    classifyResponse: classifySegmentResponse,
    batching: {
      maxItems: SEGMENT_MAX_BATCH_EVENTS,
      maxBytes: SEGMENT_MAX_BATCH_BYTES,
      buildItem: ({ event, config, delivery }) => {
        // In a batch, each message says its type (http-api/index.md, "Batch").
        const json = trackCall(event, config, delivery, true)
        assertRequestSize(json, {
          maxBytes: SEGMENT_MAX_REQUEST_BYTES,
          request: 'Segment track event',
          api: "the batch endpoint's per-event",
        })
        return { json }
      },
      buildRequest: ({ config, entries }) => ({
        method: 'POST',
        url: joinBaseUrl(hostOf(config), '/v1/batch'),
        headers: headersOf(config),
        body: `{"batch":[${entries.map((entry) => entry.item.json).join(',')}]}`,
      }),
      // `/v1/batch` answers for the whole request (200, or 400 for size and JSON errors): the
      // same classification holds for every event of it.
      classifyResponse: (response) => classifySegmentResponse(response),
    },
  })
}

/** The track call of one event as JSON text; `typed` adds `type: "track"` for `/v1/batch`. */
function trackCall(event: RoutedEvent, config: SegmentConfig, delivery: Delivery, typed = false): string {
  // http-api/index.md, "Errors": "each payload has a userId and/or anonymousId".
  const { userId, anonymousId } = resolveUserIdentity(
    event.payload,
    config.identity ?? SEGMENT_DEFAULTS.identity,
    'Segment',
  )
  return JSON.stringify({
    ...(typed ? { type: 'track' } : {}),
    ...(userId === undefined ? {} : { userId }),
    ...(anonymousId === undefined ? {} : { anonymousId }),
    event: event.outgoingName,
    properties: event.payload,
    timestamp: isoTimestamp(event.occurredAt),
    // Segment deduplicates on `messageId` (http-api/index.md, "Errors": unique, fewer
    // than 100 characters). The delivery id is a 36-character UUID that stays the same
    // across retries, so a retry after a lost response is dropped as a duplicate.
    messageId: delivery.id,
    context: { library: LIBRARY },
  })
}

function hostOf(config: SegmentConfig): string {
  return config.baseUrl ?? SEGMENT_HOSTS[config.region ?? SEGMENT_DEFAULTS.region]
}

function headersOf(config: SegmentConfig): Record<string, string> {
  return {
    // http-api/index.md, "Basic authentication": base64 of `<writeKey>:` (with the
    // colon). The header keeps the key out of the body, and so out of logged bodies.
    authorization: basicAuthorization(config.writeKey, ''),
    'content-type': 'application/json',
  }
}
