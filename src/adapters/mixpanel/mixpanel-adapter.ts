// Mixpanel Ingestion API, `POST /import`. Sources:
// - mixpanel/docs, openapi/src/ingestion.openapi.yaml (commit 001238d): endpoint, `strict`
//   and `project_id`, service-account and project-token Basic auth, the event shape
//   (`time`, `distinct_id`, `$insert_id` required), the `$insert_id` rules, nested object
//   properties (fewer than 255 keys, depth at most 3), responses, rate limits;
// - mixpanel/docs, pages/docs/privacy/in-residency.md: the India host `api-in.mixpanel.com`;
// - mixpanel/docs, reference/import-events.mdx: size limits (mixpanel-limits.ts).
import { createHash } from 'node:crypto'
import type { Delivery } from '../../delivery/delivery.js'
import type { RoutedEvent } from '../../events/routed-event.js'
import type { Adapter } from '../adapter.js'
import { defineAdapter } from '../define-adapter.js'
import { joinBaseUrl } from '../shared/base-url.js'
import { basicAuthorization } from '../shared/basic-authorization.js'
import { readIdentityValue } from '../shared/read-identifier.js'
import {
  MIXPANEL_DEFAULTS,
  MIXPANEL_HOSTS,
  type MixpanelConfig,
  mixpanelConfigSchema,
} from './mixpanel-config.js'
import {
  assertMixpanelLimits,
  MIXPANEL_MAX_BATCH_BYTES,
  MIXPANEL_MAX_BATCH_EVENTS,
} from './mixpanel-limits.js'
import { classifyMixpanelBatchResponse, classifyMixpanelResponse } from './mixpanel-response.js'

/** Options of {@link mixpanelAdapter}. */
export interface MixpanelAdapterOptions {
  /**
   * Type name integrations refer to. Change it to register a second Mixpanel adapter next
   * to the default one.
   * @default 'mixpanel'
   */
  readonly type?: string
}

// ingestion.openapi.yaml, "properties.distinct_id": values Mixpanel disallows, "to prevent
// accidental implementation mistakes"; they are disallowed for `$insert_id` as well.
const INVALID_IDS = new Set([
  '00000000-0000-0000-0000-000000000000',
  'anon',
  'anonymous',
  'nil',
  'none',
  'null',
  'n/a',
  'na',
  'undefined',
  'unknown',
  '<nil>',
  '0',
  '-1',
  'true',
  'false',
  '[]',
  '{}',
])
// ingestion.openapi.yaml, "properties.$insert_id": "≤ 36 bytes and contain only alphanumeric
// characters or "-"".
const INSERT_ID = /^[A-Za-z0-9-]{1,36}$/
// Set by the adapter; a payload key with one of these names is not sent.
const RESERVED_PROPERTIES = new Set(['time', 'distinct_id', '$insert_id'])

/**
 * The `$insert_id` of a delivery. Delivery ids are UUIDs (36 characters, hex digits and
 * `-`), which fit as they are; any other id is replaced by the first 36 hex digits of its
 * SHA-256, the derivation Mixpanel's "Common Issues" recommends. Either way it is stable
 * across retries, so Mixpanel deduplicates a retried event.
 */
export function mixpanelInsertId(deliveryId: string): string {
  if (INSERT_ID.test(deliveryId) && !INVALID_IDS.has(deliveryId.toLowerCase())) return deliveryId
  return createHash('sha256').update(deliveryId, 'utf8').digest('hex').slice(0, 36)
}

function resolveDistinctId(payload: Readonly<Record<string, unknown>>, path: string): string {
  const id = readIdentityValue(payload, path)
  if (id === undefined) {
    throw new Error(
      `Mixpanel needs a \`distinct_id\`, but the payload has no non-empty string or number at \`${path}\` (identity.distinctId).`,
    )
  }
  if (INVALID_IDS.has(id)) {
    throw new Error(
      `Mixpanel rejects \`${id}\` as a \`distinct_id\` (a placeholder value), found at \`${path}\` (identity.distinctId).`,
    )
  }
  return id
}

function basicAuth(config: MixpanelConfig): string {
  // ingestion.openapi.yaml, /import "Authentication": service account username and secret,
  // or the project token "as the basic auth username value with an empty password".
  return config.serviceAccount === undefined
    ? basicAuthorization(config.projectToken ?? '', '')
    : basicAuthorization(config.serviceAccount.username, config.serviceAccount.secret)
}

/**
 * The Mixpanel adapter: imports each event with `POST /import?strict=1` (one event per
 * request), authenticated with a service account or the project token. The outgoing name
 * is the `event`; the payload's properties are sent as they are (Mixpanel accepts nested
 * objects) next to `time` (ms since epoch), `distinct_id` and `$insert_id`, the delivery id
 * on which Mixpanel deduplicates, so a retry never counts twice.
 *
 * Batching (on by default): up to 2,000 events and 2 MB per `/import` request. Mixpanel
 * imports the valid events of a request and lists the others in `failed_records`: those fail
 * alone (by their `index`), the rest succeed.
 *
 * @example
 * const router = new EventRouter({ adapters: [mixpanelAdapter()] })
 * router.integrations.add({
 *   id: 'mixpanel',
 *   type: 'mixpanel',
 *   config: { serviceAccount: { username, secret }, projectId: '3285009', region: 'in' },
 * })
 */
export function mixpanelAdapter(options: MixpanelAdapterOptions = {}): Adapter<MixpanelConfig> {
  const { type = 'mixpanel' } = options
  return defineAdapter({
    type,
    configSchema: mixpanelConfigSchema,
    secretFields: ['serviceAccount', 'projectToken'],
    buildRequest: ({ event, config, delivery }) => ({
      method: 'POST',
      url: importUrl(config),
      headers: headersOf(config),
      body: `[${eventJson(event, config, delivery)}]`,
    }),
    classifyResponse: classifyMixpanelResponse,
    batching: {
      maxItems: MIXPANEL_MAX_BATCH_EVENTS,
      maxBytes: MIXPANEL_MAX_BATCH_BYTES,
      buildItem: ({ event, config, delivery }) => ({ json: eventJson(event, config, delivery) }),
      buildRequest: ({ config, entries }) => ({
        method: 'POST',
        url: importUrl(config),
        headers: headersOf(config),
        body: `[${entries.map((entry) => entry.item.json).join(',')}]`,
      }),
      classifyResponse: (response, { entries }) => classifyMixpanelBatchResponse(response, entries.length),
    },
  })
}

/** One event as `/import` takes it, checked against Mixpanel's per-event limits. */
function eventJson(event: RoutedEvent, config: MixpanelConfig, delivery: Delivery): string {
  const identity = config.identity ?? MIXPANEL_DEFAULTS.identity
  const properties: Record<string, unknown> = {
    time: event.occurredAt.getTime(),
    distinct_id: resolveDistinctId(event.payload, identity.distinctId),
    $insert_id: mixpanelInsertId(delivery.id),
  }
  for (const [key, value] of Object.entries(event.payload)) {
    if (!RESERVED_PROPERTIES.has(key)) properties[key] = value
  }
  const json = JSON.stringify({ event: event.outgoingName, properties })
  assertMixpanelLimits(properties, json)
  return json
}

function importUrl(config: MixpanelConfig): string {
  const host = config.baseUrl ?? MIXPANEL_HOSTS[config.region ?? MIXPANEL_DEFAULTS.region]
  const query = new URLSearchParams({ strict: '1' })
  if (config.projectId !== undefined) query.set('project_id', config.projectId)
  return joinBaseUrl(host, `/import?${query.toString()}`)
}

function headersOf(config: MixpanelConfig): Record<string, string> {
  return {
    authorization: basicAuth(config),
    'content-type': 'application/json',
    accept: 'application/json',
  }
}
