import type { StandardSchemaV1 } from '@standard-schema/spec'
import type { Filter, FilterValue } from '../filters/filter.js'
import { FilterIssues } from '../filters/filter-issues.js'
import {
  isElementOperatorObject,
  isLogicalOperator,
  isOperatorKey,
  isOperatorObject,
} from '../filters/filter-operators.js'
import { closestMatch } from '../shared/closest-match.js'
import { describeValue } from '../shared/describe-value.js'
import { isPlainObject } from '../shared/is-plain-object.js'
import { fieldPaths } from './catalog-fields.js'
import { describeShape, isDate } from './describe-shape.js'
import { schemaModel } from './schema-model.js'
import type { Shape, ShapeReader } from './schema-shape.js'
import { ARRAY_INDEX, canEqual, hasFields, hasKindOf, stepInto, valueShapes } from './shape-matching.js'

type FilterObject = { readonly [key: string]: FilterValue }

/** The field a condition applies to. */
interface Field {
  readonly shape: Shape
  /** Dotted path from the payload's root: `order.items.sku`. */
  readonly path: string
  /** How messages name it: "`coins`", "each element of `tags`". */
  readonly subject: string
}

/** Where field names are looked up: the payload, or the elements of an array (`$elemMatch`). */
interface Scope {
  readonly shape: Shape
  /** The array whose elements are the documents, for `$elemMatch`. */
  readonly arrayPath: string | undefined
}

/** An ISO 8601 date or date-time, or a prefix of one: what orders chronologically against ISO strings. */
const ISO_DATE_PREFIX =
  /^\d{4}(?:-\d{2}(?:-\d{2}(?:T\d{2}(?::\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:\d{2})?)?)?)?$/

/**
 * Checks a valid filter (see `parseFilter`) against the payload schema of event `eventName`:
 * every field path must exist, and every operator must be able to match the field's type
 * (a number compared with a string, `$regex` on a number, `$size` on a non-array, a value outside
 * an enum never match, so they are mistakes). Follows MongoDB's path rules: a path crosses
 * arrays (`items.sku`), a number picks a position (`items.0.sku`), and a condition on an array
 * tests its elements. `null` is accepted everywhere: it matches missing fields. Parts of the
 * filter that `parseFilter` would reject are skipped, not reported: parse it first.
 *
 * The check reads the schema's JSON Schema (zod 4's, or another validator's Standard JSON
 * Schema). A schema without one (valibot on its own, zod 3) cannot be checked against: every
 * filter passes, and mistakes show up only as filters that never match.
 *
 * @param field - Where the filter sits in the caller's input; issue paths start with it.
 * @throws {InvalidFilterError} `code` `ERR_INVALID_FILTER`, one issue per problem (up to 20),
 *   e.g. `filter.customer.teir`: "`customer.teir` is not a field of `wallet.coins_rewarded`;
 *   did you mean `customer.tier`?"
 */
export function checkFilterAgainstSchema(
  filter: Filter,
  schema: StandardSchemaV1,
  eventName: string,
  field = 'filter',
): void {
  const model = schemaModel(schema)
  if (model === undefined) return
  const issues = new FilterIssues()
  const { reader, root } = model
  new FilterSchemaCheck(reader, () => fieldPaths(schema), eventName, issues).document(
    filter,
    { shape: root, arrayPath: undefined },
    field,
  )
  const error = issues.toError()
  if (error !== undefined) throw error
}

class FilterSchemaCheck {
  readonly #reader: ShapeReader
  readonly #paths: () => readonly string[]
  readonly #event: string
  readonly #issues: FilterIssues

  constructor(reader: ShapeReader, paths: () => readonly string[], event: string, issues: FilterIssues) {
    this.#reader = reader
    this.#paths = paths
    this.#event = event
    this.#issues = issues
  }

  /** A filter over fields: the root, a logical operator's branch, an `$elemMatch` over objects. */
  document(filter: FilterObject, scope: Scope, issuePath: string): void {
    for (const [key, value] of Object.entries(filter)) {
      if (this.#issues.done) return
      const keyPath = `${issuePath}.${key}`
      if (isLogicalOperator(key)) {
        for (const [index, branch] of (Array.isArray(value) ? value : []).entries()) {
          if (isPlainObject(branch)) this.document(branch as FilterObject, scope, `${keyPath}.${index}`)
        }
      } else if (!isOperatorKey(key)) {
        const field = this.#resolve(scope, key, keyPath)
        if (field === undefined) continue
        if (isPlainObject(value) && isOperatorObject(value))
          this.#operators(value as FilterObject, field, keyPath)
        else this.#equality(value, field, keyPath, undefined)
      }
    }
  }

  #resolve(scope: Scope, key: string, keyPath: string): Field | undefined {
    const segments = key.split('.')
    let shape = scope.shape
    for (const [index, segment] of segments.entries()) {
      const next = stepInto(this.#reader, shape, segment)
      if (next === undefined) {
        this.#unknownField(scope, segments, index, shape, keyPath)
        return undefined
      }
      shape = next
    }
    const path = scope.arrayPath === undefined ? key : `${scope.arrayPath}.${key}`
    return { shape, path: stripPositions(path), subject: `\`${path}\`` }
  }

  #unknownField(
    scope: Scope,
    segments: readonly string[],
    index: number,
    parent: Shape,
    keyPath: string,
  ): void {
    const key = segments.join('.')
    const parentPath = segments.slice(0, index).join('.')
    const where =
      scope.arrayPath === undefined
        ? `\`${this.#event}\``
        : `the elements of \`${scope.arrayPath}\` in \`${this.#event}\``
    let message = `\`${key}\` is not a field of ${where}`
    if (parentPath !== '' && !hasFields(this.#reader, parent)) {
      message += `: \`${parentPath}\` is ${describeShape(parent, this.#reader)}`
    } else {
      const suggestion = this.#suggest(scope, segments, index, parent)
      if (suggestion !== undefined) message += `; did you mean \`${suggestion}\`?`
    }
    this.#issues.add(keyPath, message)
  }

  /**
   * A close name for the unknown component among its siblings (`customer.teir` ->
   * `customer.tier`), else a close path anywhere (`tier` -> `customer.tier`).
   */
  #suggest(scope: Scope, segments: readonly string[], index: number, parent: Shape): string | undefined {
    const element = parent.kinds.has('object') ? undefined : this.#reader.element(parent)
    const siblings = [...(element ?? parent).properties.keys()]
    const sibling = closestMatch(segments[index]!, siblings)
    if (sibling !== undefined)
      return [...segments.slice(0, index), sibling, ...segments.slice(index + 1)].join('.')
    const prefix = scope.arrayPath === undefined ? '' : `${scope.arrayPath}.`
    const candidates = this.#paths()
      .filter((path) => path.startsWith(prefix))
      .map((path) => path.slice(prefix.length))
    return closestMatch(segments.join('.'), candidates)
  }

  /** An operator object such as `{ $gte: 1, $lt: 10 }` applied to a field (or to array elements). */
  #operators(operators: FilterObject, field: Field, path: string): void {
    for (const [operator, operand] of Object.entries(operators)) {
      if (this.#issues.done) return
      const operatorPath = `${path}.${operator}`
      switch (operator) {
        case '$eq':
        case '$ne':
          this.#equality(operand, field, operatorPath, operator)
          break
        case '$gt':
        case '$gte':
        case '$lt':
        case '$lte':
          this.#comparison(operator, operand, field, operatorPath)
          break
        case '$in':
        case '$nin':
          for (const [index, value] of asArray(operand).entries()) {
            this.#equality(value, field, `${operatorPath}.${index}`, operator)
          }
          break
        case '$all':
          this.#all(asArray(operand), field, operatorPath)
          break
        case '$regex':
          this.#regex(operator, field, operatorPath)
          break
        case '$size':
          if (!field.shape.any && !field.shape.kinds.has('array')) {
            this.#mismatch(
              operatorPath,
              `\`$size\` counts the elements of an array, and ${this.#is(field)}`,
              operator,
            )
          }
          break
        case '$elemMatch':
          if (isPlainObject(operand)) this.#elemMatch(operand as FilterObject, field, operatorPath)
          break
        case '$not':
          if (typeof operand === 'string') this.#regex(operator, field, operatorPath)
          else if (isPlainObject(operand)) this.#operators(operand as FilterObject, field, operatorPath)
          break
        // `$exists` and `$options` suit every field.
      }
    }
  }

  /** Equality (implicit, `$eq`, `$ne`, an entry of `$in`, `$nin` or `$all`). */
  #equality(value: FilterValue, field: Field, path: string, operator: string | undefined): void {
    if (value === null) return
    const shapes = valueShapes(this.#reader, field.shape)
    if (shapes.some((shape) => canEqual(this.#reader, shape, value))) return
    const using = operator === undefined ? 'comparing it with' : `\`${operator}\` with`
    let message = `${this.#is(field)}, so ${using} ${describeValue(value)} never matches`
    if (typeof value === 'string') {
      const allowed = shapes.flatMap((shape) => shape.values ?? []).filter((v) => typeof v === 'string')
      const suggestion = closestMatch(value, allowed)
      if (suggestion !== undefined) message += `; did you mean \`${suggestion}\`?`
    }
    this.#mismatch(path, message, operator)
  }

  #comparison(operator: string, operand: FilterValue, field: Field, path: string): void {
    const shapes = valueShapes(this.#reader, field.shape)
    if (shapes.some((shape) => shape.any)) return
    const comparable = shapes.filter((shape) => hasKindOf(shape, operand))
    if (comparable.length === 0) {
      this.#mismatch(
        path,
        `${this.#is(field)}, so \`${operator}\` with ${describeValue(operand)} never matches`,
        operator,
      )
    } else if (typeof operand === 'string' && comparable.every(isDate) && !ISO_DATE_PREFIX.test(operand)) {
      this.#mismatch(
        path,
        `${this.#is(field)}, so \`${operator}\` needs an ISO 8601 date or date-time such as ` +
          `"2025-01-31" or "2025-01-31T09:30:00Z", got ${describeValue(operand)}`,
        operator,
      )
    }
  }

  #regex(operator: string, field: Field, path: string): void {
    const shapes = valueShapes(this.#reader, field.shape)
    if (shapes.some((shape) => shape.any || shape.kinds.has('string'))) return
    this.#mismatch(path, `\`${operator}\` matches strings only, and ${this.#is(field)}`, operator)
  }

  #all(entries: readonly FilterValue[], field: Field, path: string): void {
    if (field.shape.any) return
    if (!field.shape.kinds.has('array')) {
      this.#mismatch(
        path,
        `\`$all\` tests the elements of an array, and ${this.#is(field)}; use \`$in\` or equality`,
        '$all',
      )
      return
    }
    for (const [index, entry] of entries.entries()) {
      const elemMatch = isPlainObject(entry) && isOperatorObject(entry) ? entry.$elemMatch : undefined
      if (isPlainObject(elemMatch)) {
        this.#elemMatch(elemMatch as FilterObject, field, `${path}.${index}.$elemMatch`)
      } else {
        this.#equality(entry, field, `${path}.${index}`, '$all')
      }
    }
  }

  #elemMatch(operand: FilterObject, field: Field, path: string): void {
    const element = this.#reader.element(field.shape)
    if (element === undefined) {
      this.#mismatch(
        path,
        `\`$elemMatch\` tests the elements of an array, and ${this.#is(field)}`,
        '$elemMatch',
      )
      return
    }
    if (isElementOperatorObject(operand)) {
      this.#operators(
        operand,
        { shape: element, path: field.path, subject: `each element of ${field.subject}` },
        path,
      )
    } else if (hasFields(this.#reader, element)) {
      this.document(operand, { shape: element, arrayPath: field.path }, path)
    } else {
      this.#mismatch(
        path,
        `each element of ${field.subject} is ${describeShape(element, this.#reader)}, so it has no fields; ` +
          'apply operators to the elements instead, as in { "$elemMatch": { "$gte": 1 } }',
        '$elemMatch',
      )
    }
  }

  #is(field: Field): string {
    return `${field.subject} is ${describeShape(field.shape, this.#reader)}`
  }

  #mismatch(path: string, message: string, operator: string | undefined): void {
    this.#issues.add(path, message, operator)
  }
}

/** A path without its array positions (`items.0.sku` -> `items.sku`), as field lists name it. */
function stripPositions(path: string): string {
  return path
    .split('.')
    .filter((segment) => !ARRAY_INDEX.test(segment))
    .join('.')
}

/** The operand as a list; a malformed operand (not from `parseFilter`) is skipped. */
function asArray(operand: FilterValue): readonly FilterValue[] {
  return Array.isArray(operand) ? operand : []
}
