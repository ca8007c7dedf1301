/**
 * True for an object literal or `JSON.parse` result (prototype `Object.prototype` or `null`),
 * false for arrays, `null`, class instances such as `Date`, and everything else.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const prototype: unknown = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}
