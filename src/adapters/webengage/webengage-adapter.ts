// WebEngage REST API, Tracking Events (`POST /v1/accounts/<LICENSE_CODE>/events`). Sources:
// - docs.webengage.com/docs/rest-api-getting-started: hosts of the global and India data
//   centers, Bearer authentication with the REST API key, 401 for a bad key and 404 for a
//   bad license code, the `response` container, the date format `yyyy-MM-ddTHH:mm:ssZ`
//   ("Example: 2013-01-26T07:31+0000");
// - docs.webengage.com/docs/rest-api-tracking-events: `userId` / `anonymousId`,
//   `eventName`, `eventTime`, `eventData`, and the name and value limits;
// - the body fields as public clients send them: rudderlabs/rudder-transformer,
//   src/v0/destinations/webengage (data/WEBENGAGETrackConfig.json formats `eventTime` as
//   `yyyy-MM-DDTHH:mm:ssZZ`, i.e. `+0000`), n25a/gowebengage requests.go (`EventRequest`).
// WebEngage documents no idempotency key for events, so a retry after a lost response can
// record the event twice.

import type { Adapter } from '../adapter.js'
import { defineAdapter } from '../define-adapter.js'
import { joinBaseUrl } from '../shared/base-url.js'
import { resolveUserIdentity } from '../shared/user-identity.js'
import {
  WEBENGAGE_DEFAULTS,
  WEBENGAGE_HOSTS,
  type WebEngageConfig,
  webengageConfigSchema,
} from './webengage-config.js'
import { assertWebEngageEventName, toWebEngageEventData } from './webengage-event-data.js'
import { classifyWebEngageResponse } from './webengage-response.js'

/** Options of {@link webengageAdapter}. */
export interface WebEngageAdapterOptions {
  /**
   * Type name integrations refer to. Change it to register a second WebEngage adapter next
   * to the default one.
   * @default 'webengage'
   */
  readonly type?: string
}

/**
 * `eventTime` in WebEngage's date format, `yyyy-MM-ddTHH:mm:ssZ` with a `+hhmm` offset:
 * the UTC time to the second, e.g. `2025-03-14T09:26:53+0000`.
 */
export function formatWebEngageTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}+0000`
}

/**
 * The WebEngage adapter: sends each event to the REST API's `/events` endpoint of the
 * account named by its license code, authenticated with `Authorization: Bearer <REST API
 * key>`. The outgoing name is the `eventName`, `occurredAt` the `eventTime`, and the payload
 * the `eventData` (nested objects kept; strings cut to 999 characters).
 *
 * @example
 * const router = new EventRouter({ adapters: [webengageAdapter()] })
 * router.integrations.add({
 *   id: 'webengage',
 *   type: 'webengage',
 *   config: { licenseCode: 'in~76aa301', apiKey: process.env.WEBENGAGE_API_KEY, dataCenter: 'in' },
 * })
 */
export function webengageAdapter(options: WebEngageAdapterOptions = {}): Adapter<WebEngageConfig> {
  const { type = 'webengage' } = options
  return defineAdapter({
    type,
    configSchema: webengageConfigSchema,
    secretFields: ['apiKey'],
    buildRequest: ({ event, config }) => {
      const { userId, anonymousId } = resolveUserIdentity(
        event.payload,
        config.identity ?? WEBENGAGE_DEFAULTS.identity,
        'WebEngage',
      )
      assertWebEngageEventName(event.outgoingName)
      const body = JSON.stringify({
        ...(userId === undefined ? {} : { userId }),
        ...(anonymousId === undefined ? {} : { anonymousId }),
        eventName: event.outgoingName,
        eventTime: formatWebEngageTime(event.occurredAt),
        eventData: toWebEngageEventData(event.payload),
      })
      const host = config.baseUrl ?? WEBENGAGE_HOSTS[config.dataCenter ?? WEBENGAGE_DEFAULTS.dataCenter]
      return {
        method: 'POST',
        url: joinBaseUrl(host, `/v1/accounts/${encodeURIComponent(config.licenseCode)}/events`),
        headers: {
          authorization: `Bearer ${config.apiKey}`,
          'content-type': 'application/json',
        },
        body,
      }
    },
    classifyResponse: classifyWebEngageResponse,
  })
}
