// Segment HTTP Tracking API, `track` call. Sources:
// - segmentio/segment-docs, src/connections/sources/catalog/libraries/server/http-api/index.md
//   (commit 00b39f2): endpoint, Basic auth, Content-Type, rate limits, 32 KB per call, errors,
//   `messageId` deduplication (fewer than 100 characters);
// - segment-docs, src/guides/regional-segment.md and src/_includes/content/regional-config.md:
//   the Dublin host `events.eu1.segmentapis.com`;
// - segment-docs, src/connections/spec/common.md: `context.library`, `timestamp` (ISO-8601);
// - segmentio/analytics-next, packages/node/src/plugins/segmentio/context-batch.ts: the
//   official Node library measures the 32 KB limit as 32 * 1024 bytes.

import { isoTimestamp } from '../../events/iso-timestamp.js'
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

/** Identifies this SDK in `context.library`, as Segment's own libraries do. */
const LIBRARY = Object.freeze({ name: 'eventrouter' })

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
 */
export function segmentAdapter(options: SegmentAdapterOptions = {}): Adapter<SegmentConfig> {
  const { type = 'segment' } = options
  return defineAdapter({
    type,
    configSchema: segmentConfigSchema,
    secretFields: ['writeKey'],
    buildRequest: ({ event, config, delivery }) => {
      // http-api/index.md, "Errors": "each payload has a userId and/or anonymousId".
      const { userId, anonymousId } = resolveUserIdentity(
        event.payload,
        config.identity ?? SEGMENT_DEFAULTS.identity,
        'Segment',
      )
      const body = JSON.stringify({
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
      // http-api/index.md, "Max request size": Segment answers 400 to larger calls.
      assertRequestSize(body, {
        maxBytes: SEGMENT_MAX_REQUEST_BYTES,
        request: 'Segment track call',
        api: 'the HTTP API',
      })
      const host = config.baseUrl ?? SEGMENT_HOSTS[config.region ?? SEGMENT_DEFAULTS.region]
      return {
        method: 'POST',
        url: joinBaseUrl(host, '/v1/track'),
        headers: {
          // http-api/index.md, "Basic authentication": base64 of `<writeKey>:` (with the
          // colon). The header keeps the key out of the body, and so out of logged bodies.
          authorization: basicAuthorization(config.writeKey, ''),
          'content-type': 'application/json',
        },
        body,
      }
    },
    classifyResponse: classifySegmentResponse,
  })
}
