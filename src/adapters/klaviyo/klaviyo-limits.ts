// Klaviyo's published size limits of Create Event: klaviyo/openapi,
// openapi/stable/apis/create_event.json (commit f0a30ba, revision 2026-07-15), `properties`:
// "Properties of this event (must not exceed 400 properties). The size of the event payload
// must not exceed 5 MB, and each string cannot be larger than 100 KB." KB and MB are counted
// as 1024 and 1024 × 1024 bytes, as the other adapters count their destinations' limits.

import { assertRequestSize, formatSize } from '../shared/request-size.js'

/** Most properties a Klaviyo event may have (create_event.json: "must not exceed 400 properties"). */
export const KLAVIYO_MAX_PROPERTIES = 400

/** Largest Create Event payload, in UTF-8 bytes ("must not exceed 5 MB"). */
export const KLAVIYO_MAX_PAYLOAD_BYTES = 5 * 1024 * 1024

/** Largest string value in an event's properties, in UTF-8 bytes ("cannot be larger than 100 KB"). */
export const KLAVIYO_MAX_STRING_BYTES = 100 * 1024

/** The path and size of the first string in `value` over the limit, or `undefined`. */
function findLongString(value: unknown): { path: string; bytes: number } | undefined {
  const stack: [string, unknown][] = [['', value]]
  while (stack.length > 0) {
    const [path, current] = stack.pop() as [string, unknown]
    if (typeof current === 'string') {
      const bytes = Buffer.byteLength(current, 'utf8')
      if (bytes > KLAVIYO_MAX_STRING_BYTES) return { path, bytes }
    } else if (current !== null && typeof current === 'object') {
      const entries = Array.isArray(current) ? current.entries() : Object.entries(current)
      for (const [key, child] of entries) stack.push([path === '' ? String(key) : `${path}.${key}`, child])
    }
  }
  return undefined
}

/**
 * Throws when the event breaks one of Create Event's size limits, naming the limit, so the
 * delivery fails at once (`ERR_ADAPTER`) instead of sending what Klaviyo would refuse.
 *
 * @param properties the event's properties (the payload)
 * @param body the request body as it would be sent
 */
export function assertKlaviyoLimits(properties: Readonly<Record<string, unknown>>, body: string): void {
  const count = Object.keys(properties).length
  if (count > KLAVIYO_MAX_PROPERTIES) {
    throw new Error(
      `The Klaviyo event has ${count} properties, over Create Event's limit of ${KLAVIYO_MAX_PROPERTIES} properties per event, so it was not sent; send fewer payload fields.`,
    )
  }
  assertRequestSize(body, {
    maxBytes: KLAVIYO_MAX_PAYLOAD_BYTES,
    request: 'Klaviyo Create Event payload',
    api: 'Create Event',
  })
  // Every string is inside the body, so a body within the string limit has no long string.
  if (Buffer.byteLength(body, 'utf8') <= KLAVIYO_MAX_STRING_BYTES) return
  const long = findLongString(properties)
  if (long !== undefined) {
    throw new Error(
      `The Klaviyo event's property \`${long.path}\` is a string of ${long.bytes} bytes, over Create Event's limit of ${KLAVIYO_MAX_STRING_BYTES} bytes (${formatSize(KLAVIYO_MAX_STRING_BYTES)}) per string, so it was not sent; shorten it.`,
    )
  }
}
