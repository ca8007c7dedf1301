/**
 * Names a filter may not use as a key anywhere: as a field name, as a segment of a field path
 * (`a.__proto__.b`), or inside a value. In JavaScript they reach the prototype machinery, so
 * code that handles filters after us (a dashboard merging them, a store copying them) could be
 * polluted by them; no payload field of JSON data needs them.
 */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype'])

/** What an object with a literal prototype (see {@link hasLiteralPrototype}) is, for messages. */
export const LITERAL_PROTOTYPE =
  'an object whose prototype was set by a `__proto__` key (`{ __proto__: ... }` in an object literal)'

/** Why a reserved key is refused, for messages. */
export const RESERVED_KEY_ADVICE = '`__proto__`, `constructor` and `prototype` cannot be keys or field names'

/** The first segment of `key` (split at dots) that is reserved: `a.__proto__.b` gives `__proto__`. */
export function reservedSegment(key: string): string | undefined {
  if (RESERVED_KEYS.has(key)) return key
  if (!key.includes('.')) return undefined
  return key.split('.').find((segment) => RESERVED_KEYS.has(segment))
}

/**
 * True for an object whose prototype is an object of its own rather than a class's prototype:
 * what an object literal with a `__proto__` key builds (`{ __proto__: { $gt: 1 } }` has no
 * `__proto__` key, its prototype is `{ $gt: 1 }`), or `Object.create({...})`. Such an object is
 * not JSON, and the key it was written with is reserved. False when the prototype cannot be read.
 */
export function hasLiteralPrototype(value: object): boolean {
  try {
    const prototype: unknown = Object.getPrototypeOf(value)
    if (prototype === null || prototype === Object.prototype || typeof prototype !== 'object') return false
    return !Object.hasOwn(prototype, 'constructor')
  } catch {
    return false
  }
}
