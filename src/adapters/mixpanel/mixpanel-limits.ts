// Mixpanel's published size limits of `/import`: mixpanel/docs, reference/import-events.mdx
// (commit ba22906, published as https://developer.mixpanel.com/reference/import-events),
// "Request Format": "We accept up to 2000 events and 10MB uncompressed per request", and
// "High-level requirements": "Each event must be smaller than 1MB of uncompressed JSON",
// "Each event must have fewer than 255 properties". MB is counted as 1024 × 1024 bytes, as
// Mixpanel's own 413 answer does ("request exceeds max limit of 2097152 bytes").

import { formatSize } from '../shared/request-size.js'

/** Most properties a Mixpanel event may have: "fewer than 255", so 254 (the adapter's `time`, `distinct_id` and `$insert_id` included). */
export const MIXPANEL_MAX_PROPERTIES = 254

/** Largest Mixpanel event, in UTF-8 bytes of JSON: "smaller than 1MB", so 1 MB minus one byte. */
export const MIXPANEL_MAX_EVENT_BYTES = 1024 * 1024 - 1

/**
 * Largest `/import` request, in bytes of uncompressed JSON ("10MB"). The adapter sends one
 * event per request, so {@link MIXPANEL_MAX_EVENT_BYTES} is the limit a request can reach.
 */
export const MIXPANEL_MAX_REQUEST_BYTES = 10 * 1024 * 1024

/**
 * Throws when the event breaks one of Mixpanel's size limits, naming the limit, so the
 * delivery fails at once (`ERR_ADAPTER`) instead of sending what `/import` would refuse.
 *
 * @param properties the event's `properties` as sent (payload plus `time`, `distinct_id`, `$insert_id`)
 * @param event the event's JSON as sent (one element of the request's array)
 */
export function assertMixpanelLimits(properties: Readonly<Record<string, unknown>>, event: string): void {
  const count = Object.keys(properties).length
  if (count > MIXPANEL_MAX_PROPERTIES) {
    throw new Error(
      `The Mixpanel event has ${count} properties (the payload's, plus \`time\`, \`distinct_id\` and \`$insert_id\`), over Mixpanel's limit of fewer than ${MIXPANEL_MAX_PROPERTIES + 1} properties per event, so it was not sent; send fewer payload fields.`,
    )
  }
  const bytes = Buffer.byteLength(event, 'utf8')
  if (bytes > MIXPANEL_MAX_EVENT_BYTES) {
    throw new Error(
      `The Mixpanel event is ${bytes} bytes of JSON, over Mixpanel's limit: each event must be smaller than ${formatSize(MIXPANEL_MAX_EVENT_BYTES + 1)} (${MIXPANEL_MAX_EVENT_BYTES + 1} bytes) of uncompressed JSON, so it was not sent; send a smaller payload.`,
    )
  }
}

/**
 * Largest `/import` request the adapter sends when it batches, in bytes: 2 MB. Mixpanel's
 * documents disagree (reference/import-events.mdx says 10 MB; the ingestion OpenAPI's 413
 * example answers "request exceeds max limit of 2097152 bytes" and older versions of the page
 * say 2MB): the smaller one is kept.
 */
export const MIXPANEL_MAX_BATCH_BYTES = 2 * 1024 * 1024

/** Most events in one `/import` request ("We accept up to 2000 events"). */
export const MIXPANEL_MAX_BATCH_EVENTS = 2000
