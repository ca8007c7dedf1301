/**
 * True for an object literal or `JSON.parse` result (prototype `Object.prototype` or `null`),
 * false for arrays, `null`, class instances such as `Date`, and everything else, including a
 * Proxy whose `getPrototypeOf` trap throws or that was revoked: nothing that can be read as JSON.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  let prototype: unknown
  try {
    prototype = Object.getPrototypeOf(value)
  } catch {
    return false
  }
  return prototype === Object.prototype || prototype === null
}
