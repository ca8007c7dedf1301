// CleverTap Upload Events, `POST /1/upload`, one event record per request. Sources:
// - https://developer.clevertap.com/docs/upload-events-api: URL, headers, the `d` array of
//   `{ type: "event", identity | objectId, ts, evtName, evtData }`, 1000 records per call;
// - https://developer.clevertap.com/docs/common-api-components: regions, headers;
// - https://developer.clevertap.com/docs/api-request-limit and /docs/api-faqs: 15 concurrent
//   requests per account, 429 "Too many concurrent requests", no time-window rate limit;
// - https://developer.clevertap.com/docs/api-errors: status codes and upload error codes;
// - https://developer.clevertap.com/docs/platform-considerations: name and value rules
//   (see clevertap-event-data.ts).

import type { Adapter } from '../adapter.js'
import { defineAdapter } from '../define-adapter.js'
import { joinBaseUrl } from '../shared/base-url.js'
import { readIdentifier } from '../shared/read-identifier.js'
import {
  CLEVERTAP_DEFAULTS,
  CLEVERTAP_HOSTS,
  type CleverTapConfig,
  cleverTapConfigSchema,
} from './clevertap-config.js'
import { flattenEventData, toCleverTapEventName } from './clevertap-event-data.js'
import { classifyCleverTapResponse } from './clevertap-response.js'

/** Options of {@link clevertapAdapter}. */
export interface CleverTapAdapterOptions {
  /**
   * Type name integrations refer to. Change it to register a second CleverTap adapter.
   * @default 'clevertap'
   */
  readonly type?: string
}

/**
 * CleverTap's published limits of Upload Events. The limit is on concurrency, not on a time
 * window: at most 15 requests in flight per account (api-request-limit: beyond it, 429 "Too
 * many concurrent requests"; "CleverTap does not enforce rate limits based on specific time
 * frames"). Also at most 1000 records per request, property names up to 120 characters and
 * values up to 512 (upload-events-api, platform-considerations). Integrations of the adapter
 * keep at most 15 requests in flight by default (their `pacing.concurrency`); lower it when
 * several integrations share one CleverTap account.
 */
export const CLEVERTAP_LIMITS = Object.freeze({
  /** Upload Events (`POST /1/upload`). */
  upload: Object.freeze({
    /** Requests in flight at once, per account. */
    maxConcurrentRequests: 15,
    /** Records in one request. */
    maxRecordsPerRequest: 1000,
    /** Characters in a property name. */
    maxPropertyNameLength: 120,
    /** Characters in a property value. */
    maxPropertyValueLength: 512,
  }),
})

type Identifier = { identity: string } | { objectId: string }

/** upload-events-api: "You have to set a value for one of these parameters to identify the user". */
function identifierOf(payload: unknown, config: CleverTapConfig): Identifier {
  const mapping = config.identity ?? CLEVERTAP_DEFAULTS.identity
  const identity = readIdentifier(payload, mapping.identity, true)
  if (identity !== undefined) return { identity }
  const objectId = readIdentifier(payload, mapping.objectId)
  if (objectId !== undefined) return { objectId }
  const wanted = [
    mapping.identity === undefined ? undefined : `an identity at \`${mapping.identity}\``,
    mapping.objectId === undefined ? undefined : `an objectId at \`${mapping.objectId}\``,
  ].filter((part) => part !== undefined)
  throw new Error(
    `CleverTap needs a user identifier, but the payload has none of: ${wanted.join(', ')}. Add one to the event, or point the integration's \`identity\` config at the right path.`,
  )
}

/**
 * The CleverTap adapter: sends each event to Upload Events (`POST /1/upload`) as one record
 * `{ type: "event", identity | objectId, ts, evtName, evtData }`. `evtName` is the outgoing
 * name (prefix included) with CleverTap's prohibited characters (`.`, `:`, ...) replaced by
 * `_`; `evtData` is the payload flattened to scalars (`customer.id` becomes `customer_id`); `ts` is `occurredAt` in epoch seconds.
 *
 * CleverTap documents no idempotency or deduplication key for uploaded events: a retry after
 * a lost response can record the event twice.
 *
 * @example
 * const router = new EventRouter({ adapters: [clevertapAdapter()] })
 * router.integrations.add({
 *   id: 'clevertap',
 *   type: 'clevertap',
 *   config: { accountId: 'W9R-486-4W5Z', passcode: process.env.CLEVERTAP_PASSCODE, region: 'in1' },
 * })
 */
export function clevertapAdapter(options: CleverTapAdapterOptions = {}): Adapter<CleverTapConfig> {
  const { type = 'clevertap' } = options
  return defineAdapter({
    type,
    configSchema: cleverTapConfigSchema,
    secretFields: ['passcode'],
    pacing: { concurrency: CLEVERTAP_LIMITS.upload.maxConcurrentRequests },
    buildRequest: ({ event, config }) => {
      const record = {
        ...identifierOf(event.payload, config),
        // upload-events-api: `ts` is "formatted as a UNIX epoch in seconds".
        ts: Math.floor(event.occurredAt.getTime() / 1000),
        type: 'event',
        evtName: toCleverTapEventName(event.outgoingName),
        evtData: flattenEventData(event.payload),
      }
      const host = config.baseUrl ?? CLEVERTAP_HOSTS[config.region ?? CLEVERTAP_DEFAULTS.region]
      return {
        method: 'POST',
        url: joinBaseUrl(host, '/1/upload'),
        headers: {
          'X-CleverTap-Account-Id': config.accountId,
          'X-CleverTap-Passcode': config.passcode,
          // upload-events-api, "Headers": "always set to application/json; charset=utf-8".
          'Content-Type': 'application/json; charset=utf-8',
        },
        body: JSON.stringify({ d: [record] }),
      }
    },
    classifyResponse: (response, { config }) => classifyCleverTapResponse(response, config.passcode),
  })
}
