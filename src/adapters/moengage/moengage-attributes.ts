// MoEngage attribute rules. Sources:
// - moengage/moengage-documentation, api/data/data.yaml (Track Event request body) and
//   api/data/data-overview.mdx: "You can not use "moe_" as a prefix while naming events,
//   event attributes, or user attributes ... using it might result in periodic blacklisting";
// - help.moengage.com, "How to Understand the MoEngage Data Tracking Policy": accepted types
//   are numbers, booleans, strings, datetimes, arrays of one primitive type, and Object /
//   Array of Objects; "Attribute values sent as dictionary data types will be rejected"
//   unless the Object data type (an Early Access feature, "Support for Object Data Type")
//   is enabled for the workspace.

/** Separator between the keys of a flattened path: `customer.tier` becomes `customer_tier`. */
export const FLATTEN_SEPARATOR = '_'

/** MoEngage's reserved prefix for events and attributes. */
export const RESERVED_PREFIX = 'moe_'

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

/**
 * Flattens nested objects into top-level attributes joined with `_`
 * (`{ customer: { tier: 'gold' } }` becomes `{ customer_tier: 'gold' }`). Arrays of
 * primitives stay arrays; an array holding an object becomes its JSON text, since arrays
 * of objects also need the Object data type. Empty objects disappear. Throws when two
 * paths flatten to the same key (`customer_tier` next to `customer.tier`).
 */
export function flattenAttributes(payload: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const flat: Record<string, unknown> = {}
  const visit = (value: Readonly<Record<string, unknown>>, prefix: string) => {
    for (const [key, inner] of Object.entries(value)) {
      const name = prefix === '' ? key : `${prefix}${FLATTEN_SEPARATOR}${key}`
      if (isPlainObject(inner)) {
        visit(inner, name)
        continue
      }
      if (Object.hasOwn(flat, name)) {
        throw new Error(
          `Two payload fields flatten to the MoEngage attribute \`${name}\`; rename one, or set \`nestedObjects: 'keep'\` if the Object data type is enabled for your workspace.`,
        )
      }
      flat[name] = Array.isArray(inner) && inner.some(isPlainObject) ? JSON.stringify(inner) : inner
    }
  }
  visit(payload, '')
  return flat
}

/**
 * Throws when the event name or an attribute name (nested ones included) starts with
 * `moe_`, which MoEngage reserves and may answer with blacklisting.
 */
export function assertNoReservedNames(
  eventName: string,
  attributes: Readonly<Record<string, unknown>>,
): void {
  if (eventName.toLowerCase().startsWith(RESERVED_PREFIX)) {
    throw new Error(
      `The event name \`${eventName}\` starts with \`moe_\`, a prefix MoEngage reserves (and may answer with blacklisting); rename the event or change the subscription's \`eventNamePrefix\`.`,
    )
  }
  const visit = (value: unknown, at: string) => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item, at)
      return
    }
    if (!isPlainObject(value)) return
    for (const [key, inner] of Object.entries(value)) {
      const name = at === '' ? key : `${at}.${key}`
      if (key.toLowerCase().startsWith(RESERVED_PREFIX)) {
        throw new Error(
          `The attribute \`${name}\` starts with \`moe_\`, a prefix MoEngage reserves (and may answer with blacklisting); rename it in the payload.`,
        )
      }
      visit(inner, name)
    }
  }
  visit(attributes, '')
}
