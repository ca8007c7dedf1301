// How a payload becomes CleverTap `evtName` and `evtData`. The rules come from CleverTap's
// "Platform Considerations" (developer.clevertap.com/docs/platform-considerations, "Events"):
// - "Event property keys must be of type String and property values must be Scalar values,
//   that is, String, Boolean, Integer, Float, or a Date object" (nested objects are an opt-in
//   account feature, "Ingesting Nested Objects via CleverTap APIs");
// - "Prohibited characters in event and property names include percent (%), greater than
//   sign (>), less than sign (<), exclamation point (!), pipe (|), ampersand (&), dot(.),
//   colon( : ), semi-colon(;), dollar sign($), single quote('), double quote("), and
//   backslash( \ )";
// - "User Event keys are limited to 120 characters in length";
// - system event names (App Launched, Notification Sent, ...) "cannot be used for custom
//   events", and event names are not case-sensitive.

/** Joins the keys of a nested value into one CleverTap property name: `customer_id`. */
export const CLEVERTAP_KEY_SEPARATOR = '_'

const PROHIBITED = /[%><!|&.:;$'"\\]/g
const MAX_KEY_LENGTH = 120
const SYSTEM_EVENTS = new Set(
  [
    'Notification Sent',
    'Notification Viewed',
    'Notification Clicked',
    'Notification Delivered',
    'Notification Replied',
    'UTM Visited',
    'App Launched',
    'App Uninstalled',
    'App Version Changed',
    'Stayed',
    'Reply Sent',
    'Experiment Rendered',
    'Reachable By',
    'Identity Reset',
    'Identity Set',
    'Identity Error',
  ].map((name) => normalizeEventName(name)),
)

// Names that differ only by case or spaces are the same CleverTap event.
function normalizeEventName(name: string): string {
  return name.toLowerCase().replace(/\s+/g, '')
}

/** A CleverTap name: every prohibited character (`.`, `:`, `$`, ...) becomes `_`. */
export function toCleverTapName(name: string): string {
  return name.replace(PROHIBITED, '_')
}

/**
 * The `evtName` of an outgoing name: `Loyalty wallet.coins_rewarded` becomes
 * `Loyalty wallet_coins_rewarded`. Throws when it is one of CleverTap's system events.
 */
export function toCleverTapEventName(outgoingName: string): string {
  const name = toCleverTapName(outgoingName)
  if (SYSTEM_EVENTS.has(normalizeEventName(name))) {
    throw new Error(
      `CleverTap reserves the event name \`${name}\` for a system event; change the subscription's event name prefix.`,
    )
  }
  return name
}

type Scalar = string | number | boolean

/**
 * Flattens a payload into CleverTap event properties, which must be scalars:
 * - the payload is first read as JSON (`JSON.stringify`), as every adapter sends it: dates
 *   become ISO strings, `undefined` and functions disappear;
 * - a nested object's keys are joined with `_`: `{ customer: { id } }` gives `customer_id`;
 * - an array's items are numbered from 0: `{ items: [{ sku }] }` gives `items_0_sku`;
 * - `null` values and empty objects or arrays are left out (they have no scalar to send);
 * - prohibited characters in keys become `_` (`$price` gives `_price`).
 * Throws when two payload fields end up with the same name, or a name is empty or longer
 * than 120 characters, rather than silently dropping or renaming data.
 */
export function flattenEventData(payload: Readonly<Record<string, unknown>>): Record<string, Scalar> {
  const json: unknown = JSON.parse(JSON.stringify(payload))
  const data: Record<string, Scalar> = {}
  const origins = new Map<string, string>()

  // `key` is undefined at the root only: an empty payload key is still a level of nesting.
  const visit = (value: unknown, key: string | undefined, origin: string): void => {
    if (value === null) return
    if (typeof value === 'object') {
      const entries = Array.isArray(value)
        ? value.map((item, index) => [String(index), item])
        : Object.entries(value)
      for (const [child, item] of entries as [string, unknown][]) {
        const segment = toCleverTapName(child)
        visit(
          item,
          key === undefined ? segment : `${key}${CLEVERTAP_KEY_SEPARATOR}${segment}`,
          key === undefined ? child : `${origin}.${child}`,
        )
      }
      return
    }
    const shown = `\`${origin.length > 60 ? `${origin.slice(0, 60)}…` : origin}\``
    if (key === undefined || key === '' || key.length > MAX_KEY_LENGTH) {
      throw new Error(
        `CleverTap event property names must be 1-120 characters; the payload field ${shown} flattens to a name of ${key?.length ?? 0} characters.`,
      )
    }
    const earlier = origins.get(key)
    if (earlier !== undefined) {
      throw new Error(
        `The payload fields \`${earlier}\` and ${shown} both become the CleverTap event property \`${key}\`; rename one of them.`,
      )
    }
    origins.set(key, origin)
    data[key] = value as Scalar
  }

  visit(json, undefined, '')
  return data
}
