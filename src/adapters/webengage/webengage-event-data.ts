// WebEngage's rules for custom events (docs.webengage.com/docs/rest-api-tracking-events,
// "Guidelines for Tracking Custom Events"):
// - "Custom Event names must be less than 50 characters long";
// - "Custom Event Attribute names are case sensitive and must be less than 50 characters
//   long. String attribute values must be less than 1000 characters long";
// - allowed types: String, Number, Boolean, Date, JSON Array, JSON Object (objects can be
//   used to personalise campaigns but not to build segments);
// - "eventName or eventAttributeName must not start with we_ ... such data will be ignored".

/** Longest event or attribute name WebEngage accepts ("less than 50 characters"). */
export const WEBENGAGE_MAX_NAME_LENGTH = 49
/** Longest string attribute value WebEngage accepts ("less than 1000 characters"). */
export const WEBENGAGE_MAX_STRING_LENGTH = 999
/** WebEngage's reserved prefix for event and attribute names. */
export const WEBENGAGE_RESERVED_PREFIX = 'we_'

const length = (value: string): number => {
  let count = 0
  for (const _ of value) count++
  return count
}

/** Throws when WebEngage would refuse or ignore the event name. */
export function assertWebEngageEventName(name: string): void {
  if (length(name) > WEBENGAGE_MAX_NAME_LENGTH) {
    throw new Error(
      `The event name \`${name}\` is ${length(name)} characters; WebEngage needs fewer than 50. Shorten the subscription's \`eventNamePrefix\` or the event name.`,
    )
  }
  if (name.startsWith(WEBENGAGE_RESERVED_PREFIX)) {
    throw new Error(
      `The event name \`${name}\` starts with \`we_\`, which WebEngage reserves (and ignores in custom events); change the subscription's \`eventNamePrefix\`.`,
    )
  }
}

/**
 * Returns the `eventData` WebEngage receives: the payload as is (nested objects and arrays
 * included, which WebEngage accepts), with strings longer than 999 characters cut to 999
 * (code points, so no emoji is split). Throws when an attribute name, at any depth, has 50
 * characters or more or starts with `we_`: renaming is the host's call, not ours.
 */
export function toWebEngageEventData(payload: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const visit = (value: unknown, at: string): unknown => {
    if (typeof value === 'string') {
      return length(value) > WEBENGAGE_MAX_STRING_LENGTH
        ? Array.from(value).slice(0, WEBENGAGE_MAX_STRING_LENGTH).join('')
        : value
    }
    if (Array.isArray(value)) return value.map((item) => visit(item, at))
    if (value === null || typeof value !== 'object') return value
    const copy: Record<string, unknown> = {}
    for (const [key, inner] of Object.entries(value)) {
      const name = at === '' ? key : `${at}.${key}`
      if (length(key) > WEBENGAGE_MAX_NAME_LENGTH) {
        throw new Error(
          `The attribute \`${name}\` has a name of ${length(key)} characters; WebEngage needs fewer than 50. Rename it in the payload.`,
        )
      }
      if (key.startsWith(WEBENGAGE_RESERVED_PREFIX)) {
        throw new Error(
          `The attribute \`${name}\` starts with \`we_\`, which WebEngage reserves (and ignores in custom events); rename it in the payload.`,
        )
      }
      copy[key] = visit(inner, name)
    }
    return copy
  }
  return visit(payload, '') as Record<string, unknown>
}
