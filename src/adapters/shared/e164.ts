/** ITU-T E.164: `+`, a country code not starting with 0, at most 15 digits in all. */
const E164 = /^\+[1-9]\d{1,14}$/

/** True for a phone number in E.164 form, e.g. `+919876543210`. */
export function isE164(value: unknown): value is string {
  return typeof value === 'string' && E164.test(value)
}
