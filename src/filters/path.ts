import type { Predicate } from './predicates.js'

/** A path component that addresses an array element by position: `0`, `1`, `12` (no sign, no leading zero). */
const ARRAY_INDEX = /^(?:0|[1-9][0-9]*)$/

const BUILT_IN_PROTOTYPES: readonly object[] = [
  Object.prototype,
  Array.prototype,
  String.prototype,
  Number.prototype,
  Boolean.prototype,
]

/**
 * True for a field name that no built-in prototype has and that is not an array index
 * (`tier`, `coins`), as opposed to `constructor`, `toString`, `length`, `__proto__` or `0`.
 * A plain key can be read with `value[key]`: on JSON data that finds own properties only.
 */
export function isPlainKey(key: string): boolean {
  return !ARRAY_INDEX.test(key) && !BUILT_IN_PROTOTYPES.some((prototype) => key in prototype)
}

/**
 * Compiles a dotted field path (`customer.tier`, `items.0.sku`) into a predicate over a
 * document (the payload, or an element inside `$elemMatch`): true when `test` holds for at
 * least one value the path reaches, MongoDB style.
 *
 * - Names that a built-in prototype also has (`constructor`, `toString`, `length`,
 *   `__proto__`) and numeric names are only read as own enumerable properties, so they never
 *   reach a built-in value; other names are read directly, which on JSON data finds own
 *   properties only. `test` gets `undefined` when nothing is there (a missing field, or a
 *   property holding `undefined`).
 * - An array met before the end of the path is crossed: the rest of the path is followed into
 *   each element that is an object. Elements that are not objects, and an empty array, count
 *   as a missing value (MongoDB >= 9.0, SERVER-36681), which matters to `null` equality only.
 *   A numeric component (`items.0`) picks the element at that position instead.
 * - With `expandLeafArrays`, an array at the end of the path matches when one of its elements
 *   or the array as a whole passes `test` (`$eq`, `$in`, `$gt`, `$regex`...), except when it
 *   was reached by position. `$size`, `$elemMatch` and `$exists` see the array itself.
 *
 * Paths that meet no array cost a few property reads and no allocation.
 */
export function compilePath(path: string, test: Predicate, expandLeafArrays: boolean): Predicate {
  const keys = path.split('.')
  const plain = keys.map(isPlainKey)
  const indexes = keys.map((key) => (ARRAY_INDEX.test(key) ? Number(key) : -1))
  const last = keys.length - 1
  const atLeaf: Predicate = expandLeafArrays
    ? (value) => test(value) || (Array.isArray(value) && someElement(value, test))
    : test

  const fromValue = (start: unknown, depth: number): boolean => {
    let value = start
    for (let index = depth; index <= last; index++) {
      if (Array.isArray(value)) return fromArray(value, index)
      value = fieldValue(value, keys[index]!, plain[index]!)
    }
    return atLeaf(value)
  }

  const fromArray = (array: readonly unknown[], depth: number): boolean => {
    const position = indexes[depth]!
    if (position >= 0) {
      // MongoDB does not expand an array reached by position (match_numeric_components.js).
      return depth === last ? test(array[position]) : fromValue(array[position], depth + 1)
    }
    let missingTested = false
    for (const element of array) {
      if (typeof element === 'object' && element !== null && !Array.isArray(element)) {
        if (fromValue(element, depth)) return true
      } else if (!missingTested) {
        missingTested = true
        if (test(undefined)) return true
      }
    }
    return array.length === 0 && test(undefined)
  }

  // The first component is always a field of the document, even when the document is an
  // array (an `$elemMatch` element): MongoDB reads arrays as documents keyed "0", "1"...
  const first = keys[0]!
  const firstPlain = plain[0]!
  if (last === 0) return (document) => atLeaf(fieldValue(document, first, firstPlain))
  return (document) => fromValue(fieldValue(document, first, firstPlain), 1)
}

/** The field `key` of `container` when it is an object (or array) with such a property. */
function fieldValue(container: unknown, key: string, plain: boolean): unknown {
  if (typeof container !== 'object' || container === null) return undefined
  if (plain) return (container as Record<string, unknown>)[key]
  return Object.prototype.propertyIsEnumerable.call(container, key)
    ? (container as Record<string, unknown>)[key]
    : undefined
}

function someElement(array: readonly unknown[], test: Predicate): boolean {
  for (const element of array) if (test(element)) return true
  return false
}
