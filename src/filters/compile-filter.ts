import { InvalidFilterError } from '../errors/invalid-filter-error.js'
import { isPlainObject } from '../shared/is-plain-object.js'
import { compileFastPath, type FastTest, intersectRanges, type NumberRange, rangeOf } from './fast-paths.js'
import type { Filter, FilterPredicate, FilterValue } from './filter.js'
import {
  type FieldOperator,
  isElementOperatorObject,
  isFieldOperator,
  isLogicalOperator,
  isOperatorKey,
  isOperatorObject,
} from './filter-operators.js'
import { regexFor } from './filter-regex.js'
import { compilePath } from './path.js'
import { allOf, anyOf, never, not, type Predicate } from './predicates.js'
import {
  comparisonTest,
  elemMatchTest,
  equalsTest,
  existsTest,
  inTest,
  regexTest,
  sizeTest,
} from './value-tests.js'

type Operand = FilterValue
type Operators = { readonly [operator: string]: Operand }

/**
 * What one field operator asks, before it is tied to a path or to an `$elemMatch` element:
 * a value test (with whether arrays at the end of the path are searched), or a negation or a
 * conjunction of such conditions. `$ne`, `$nin`, `$not` and `$exists: false` are negations of
 * the whole path condition, so `{ tags: { $ne: 'vip' } }` fails when any tag is `vip`.
 * `fast`, when present, says the same for payloads where the path meets no array, in a shape
 * that fast-paths.ts fuses into one closure.
 */
type Condition =
  | { readonly kind: 'test'; readonly test: Predicate; readonly expand: boolean; readonly fast?: FastTest }
  | { readonly kind: 'not'; readonly conditions: readonly Condition[] }
  | { readonly kind: 'and'; readonly conditions: readonly Condition[]; readonly fast?: FastTest }

/**
 * Compiles a filter that passed {@link parseFilter} into a predicate over payloads, once: the
 * result is a tree of closures with dotted paths pre-split, regular expressions compiled for RE2
 * (reusing those parseFilter compiled) and `$in` lists turned into sets. No `eval`, no
 * `new Function`. The predicate never throws on odd payloads (`null`, primitives, arrays,
 * missing fields) and never mutates them.
 *
 * @example
 * const isBigSpender = compileFilter(parseFilter({ coins: { $gte: 100 }, status: 'active' }))
 * isBigSpender({ coins: 250, status: 'active' }) // true
 */
export function compileFilter(filter: Filter): FilterPredicate {
  return compileDocument(filter)
}

/** A filter over the fields of one document: the payload, or an object inside `$elemMatch`. */
function compileDocument(filter: Filter): Predicate {
  const predicates: Predicate[] = []
  for (const [key, value] of Object.entries(filter)) {
    if (isOperatorKey(key) && !isLogicalOperator(key)) throw unparsed(key)
    if (isLogicalOperator(key)) {
      const branches = (value as readonly Filter[]).map(compileDocument)
      predicates.push(
        key === '$and' ? allOf(branches) : key === '$or' ? anyOf(branches) : not(anyOf(branches)),
      )
    } else if (isPlainObject(value) && isOperatorObject(value)) {
      predicates.push(...compileOperators(value as Operators).map((condition) => atPath(key, condition)))
    } else {
      predicates.push(atPath(key, equalsCondition(value)))
    }
  }
  return allOf(predicates)
}

/** Each operator of an operator object, `$options` being read along with its `$regex`. */
function compileOperators(operators: Operators): Condition[] {
  const conditions: Condition[] = []
  for (const [operator, operand] of Object.entries(operators)) {
    if (!isFieldOperator(operator)) throw unparsed(operator)
    if (operator !== '$options') conditions.push(compileOperator(operator, operand, operators))
  }
  return mergeRanges(conditions)
}

/**
 * `{ $gte: 100, $lte: 20000 }` on a number is one range test instead of two reads and two
 * calls. Only where no array is met: on `[50, 30000]` each comparison finds its own element
 * (MongoDB), so arrays go to the two conditions' general walks, and-ed.
 */
function mergeRanges(conditions: Condition[]): Condition[] {
  const ranges = conditions.filter((condition) => rangeTest(condition) !== undefined)
  if (ranges.length < 2) return conditions
  const range = ranges.map((condition) => rangeTest(condition)!).reduce(intersectRanges)
  const merged: Condition = { kind: 'and', conditions: ranges, fast: { kind: 'range', range } }
  const at = conditions.indexOf(ranges[0]!)
  const rest = conditions.filter((condition) => !ranges.includes(condition))
  return [...rest.slice(0, at), merged, ...rest.slice(at)]
}

function rangeTest(condition: Condition): NumberRange | undefined {
  return condition.kind === 'test' && condition.fast?.kind === 'range' ? condition.fast.range : undefined
}

/** compileFilter trusts parseFilter's checks, but never compiles an operator it does not know. */
function unparsed(operator: string): InvalidFilterError {
  const message = `unknown operator \`${operator}\`; check filters with parseFilter before compiling them`
  return new InvalidFilterError([{ path: operator, message }], operator)
}

function compileOperator(operator: FieldOperator, operand: Operand, siblings: Operators): Condition {
  switch (operator) {
    case '$eq':
      return equalsCondition(operand)
    case '$ne':
      return negation([equalsCondition(operand)])
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte': {
      const test = comparisonTest(operator, operand as number | string | boolean)
      return typeof operand === 'number'
        ? { kind: 'test', test, expand: true, fast: { kind: 'range', range: rangeOf(operator, operand) } }
        : valueCondition(test, true)
    }
    case '$in':
      return inCondition(operand as readonly FilterValue[])
    case '$nin':
      return negation([inCondition(operand as readonly FilterValue[])])
    case '$exists':
      return operand === true
        ? valueCondition(existsTest, false)
        : negation([valueCondition(existsTest, false)])
    case '$regex':
      return valueCondition(regexTest(regexFor(siblings, '$regex')), true)
    case '$size':
      return valueCondition(sizeTest(operand as number), false)
    case '$all':
      return compileAll(operand as readonly FilterValue[])
    case '$elemMatch':
      return valueCondition(compileElemMatch(operand as Operators), false)
    case '$not':
      return typeof operand === 'string'
        ? negation([valueCondition(regexTest(regexFor(siblings, '$not')), true)])
        : negation(compileOperators(operand as Operators))
    case '$options':
      // Read along with its `$regex`: on its own it asks nothing.
      return { kind: 'and', conditions: [] }
  }
}

/** `$all: [a, b]` is `a` and `b` each matching; `$all: []` matches nothing, as in MongoDB. */
function compileAll(entries: readonly FilterValue[]): Condition {
  if (entries.length === 0) return valueCondition(never, false)
  return {
    kind: 'and',
    conditions: entries.map((entry) =>
      isPlainObject(entry) && isOperatorObject(entry)
        ? valueCondition(compileElemMatch(entry.$elemMatch as Operators), false)
        : equalsCondition(entry),
    ),
  }
}

/** `{ $gt: 1, $lt: 5 }` applies to each element; `{ sku: 'A1' }` is a filter over each object element. */
function compileElemMatch(operand: Operators): Predicate {
  if (isElementOperatorObject(operand))
    return elemMatchTest(allOf(compileOperators(operand).map(onValue)), false)
  return elemMatchTest(compileDocument(operand), true)
}

/** Ties a condition to a field path: each test looks for one matching value on its own. */
function atPath(path: string, condition: Condition): Predicate {
  switch (condition.kind) {
    case 'test': {
      const general = compilePath(path, condition.test, condition.expand)
      return condition.fast === undefined
        ? general
        : (compileFastPath(path, condition.fast, general) ?? general)
    }
    case 'not': {
      const [only] = condition.conditions
      // `$ne`, `$nin`: the fused closure negates its own answer, saving a call.
      if (condition.conditions.length === 1 && only?.kind === 'test' && only.fast !== undefined) {
        const general = compilePath(path, only.test, only.expand)
        const fused = compileFastPath(path, only.fast, general, true)
        if (fused !== undefined) return fused
      }
      return not(allOf(condition.conditions.map((inner) => atPath(path, inner))))
    }
    case 'and': {
      const general = allOf(condition.conditions.map((inner) => atPath(path, inner)))
      return condition.fast === undefined
        ? general
        : (compileFastPath(path, condition.fast, general) ?? general)
    }
  }
}

/** Applies a condition to one value as it is (inside `$elemMatch`), without paths or array search. */
function onValue(condition: Condition): Predicate {
  switch (condition.kind) {
    case 'test':
      return condition.test
    case 'not':
      return not(allOf(condition.conditions.map(onValue)))
    case 'and':
      return allOf(condition.conditions.map(onValue))
  }
}

function equalsCondition(literal: FilterValue): Condition {
  const test = equalsTest(literal)
  return literal !== null && typeof literal !== 'object'
    ? { kind: 'test', test, expand: true, fast: { kind: 'equals', literal } }
    : valueCondition(test, true)
}

function inCondition(literals: readonly FilterValue[]): Condition {
  const test = inTest(literals)
  return literals.every((literal) => literal !== null && typeof literal !== 'object')
    ? { kind: 'test', test, expand: true, fast: { kind: 'in', values: new Set(literals) } }
    : valueCondition(test, true)
}

function valueCondition(predicate: Predicate, expand: boolean): Condition {
  return { kind: 'test', test: predicate, expand }
}

function negation(conditions: readonly Condition[]): Condition {
  return { kind: 'not', conditions }
}
