import type { FilterValue } from '../filters/filter.js'
import type { Shape, ShapeReader } from './schema-shape.js'

/**
 * Questions the filter check asks about a field's shape, under MongoDB's rules: what a
 * condition is compared with, and whether a value of some kind can ever match.
 */

/** A path component that addresses an array element by position: `0`, `12`. */
export const ARRAY_INDEX = /^(?:0|[1-9][0-9]*)$/

/**
 * One component of a dotted path, MongoDB style: a property; or, on an array, a position
 * (`items.0`) or the property of each element (`items.sku`). `undefined` when there is none.
 */
export function stepInto(reader: ShapeReader, shape: Shape, segment: string): Shape | undefined {
  const property = reader.property(shape, segment)
  if (property !== undefined) return property
  const element = reader.element(shape)
  if (element === undefined) return undefined
  return ARRAY_INDEX.test(segment) ? element : reader.property(element, segment)
}

/** What a condition on a field is compared with: the value, and each element when it is an array. */
export function valueShapes(reader: ShapeReader, shape: Shape): Shape[] {
  const element = shape.kinds.has('array') ? reader.element(shape) : undefined
  return element === undefined ? [shape] : [shape, element]
}

/** True when paths can continue below a value of this shape (an object, or an array of objects). */
export function hasFields(reader: ShapeReader, shape: Shape): boolean {
  if (shape.any || shape.kinds.has('object')) return true
  const element = reader.element(shape)
  return element !== undefined && (element.any || element.kinds.has('object'))
}

/** Whether some value of this shape equals `value`: kinds, integers, enums, fields of objects. */
export function canEqual(reader: ShapeReader, shape: Shape, value: FilterValue): boolean {
  if (shape.any) return true
  if (shape.values !== undefined && (typeof value !== 'object' || value === null)) {
    return shape.values.includes(value)
  }
  if (Array.isArray(value)) {
    const element = reader.element(shape)
    return element !== undefined && value.every((item) => item === null || canEqual(reader, element, item))
  }
  if (typeof value === 'object' && value !== null) {
    if (!shape.kinds.has('object')) return false
    return Object.entries(value).every(([key, item]) => {
      const property = reader.property(shape, key)
      return property !== undefined && (item === null || canEqual(reader, property, item))
    })
  }
  if (typeof value === 'number' && !shape.kinds.has('number')) {
    return shape.kinds.has('integer') && Number.isInteger(value)
  }
  return hasKindOf(shape, value)
}

/** Whether a shape allows values of the kind of `value`: what `$gt` and friends compare (MongoDB's type brackets). */
export function hasKindOf(shape: Shape, value: FilterValue): boolean {
  switch (typeof value) {
    case 'string':
      return shape.kinds.has('string')
    case 'number':
      return shape.kinds.has('number') || shape.kinds.has('integer')
    case 'boolean':
      return shape.kinds.has('boolean')
    default:
      return false
  }
}
