import { z } from 'zod'
import type { InvalidFilterError } from '../errors/invalid-filter-error.js'
import { describeValue } from '../shared/describe-value.js'
import { isPlainObject } from '../shared/is-plain-object.js'
import type { Filter, FilterValue } from './filter.js'
import { FilterIssues } from './filter-issues.js'
import { FILTER_LIMITS } from './filter-limits.js'
import {
  type FieldOperator,
  isElementOperatorObject,
  isFieldOperator,
  isLogicalOperator,
  isOperatorKey,
  isOperatorObject,
  type LogicalOperator,
} from './filter-operators.js'
import { compileRegex, type RegexOperator, rememberRegex } from './filter-regex.js'
import { hasLiteralPrototype, LITERAL_PROTOTYPE, RESERVED_KEY_ADVICE } from './reserved-keys.js'
import { toFrozenJson } from './to-frozen-json.js'

type FilterObject = { readonly [key: string]: FilterValue }

const filterObject = z.custom<FilterObject>(isPlainObject)
const comparable = {
  schema: z.union([z.number(), z.string(), z.boolean()]),
  expected: 'a number, string or boolean',
}
const list = { schema: z.array(z.unknown()), expected: 'an array' }
const filters = { schema: z.array(z.unknown()).min(1), expected: 'a non-empty array of filters' }

/** The shape each operator's operand must have; `$eq` and `$ne` take any JSON value. */
const OPERANDS: Readonly<
  Record<Exclude<FieldOperator, '$eq' | '$ne'> | LogicalOperator, { schema: z.ZodType; expected: string }>
> = {
  $gt: comparable,
  $gte: comparable,
  $lt: comparable,
  $lte: comparable,
  $in: list,
  $nin: list,
  $all: list,
  $exists: { schema: z.boolean(), expected: 'a boolean' },
  $regex: { schema: z.string(), expected: 'a string' },
  $options: {
    schema: z.string().refine(isRegexOptions),
    expected: 'distinct regular expression flags among i, m, s and u',
  },
  $size: { schema: z.int().nonnegative(), expected: 'a non-negative integer' },
  $elemMatch: { schema: filterObject, expected: 'an object' },
  $not: {
    schema: z.union([z.string(), filterObject]),
    expected: 'an operator object or a regular expression string',
  },
  $and: filters,
  $or: filters,
  $nor: filters,
}

/**
 * Validates a subscription filter (JSON in the subset of MongoDB's query language described in
 * docs/filters.md) and returns a frozen deep copy of it, so later changes to `input` cannot
 * change the subscription. A subscription created with the result (or with `input`) matches
 * events with it.
 *
 * @param input - The filter, typically `JSON.parse`d from storage. `{}` matches every event.
 * @param field - Where the filter sits in the caller's input; issue paths start with it.
 *   Defaults to `'filter'`; a router loading many subscriptions may pass `subscriptions.3.filter`.
 * @throws {InvalidFilterError} `code` `ERR_INVALID_FILTER`, one issue per problem, e.g.
 *   `filter.coins.$gte`: "`$gte` expects a number, string or boolean, got object".
 *
 * @example
 * parseFilter({ coins: { $gte: 100 }, 'customer.tier': { $in: ['gold', 'silver'] } })
 */
export function parseFilter(input: unknown, field = 'filter'): Filter {
  const issues = new FilterIssues()
  if (typeof input === 'object' && input !== null && hasLiteralPrototype(input)) {
    issues.add(
      field,
      `expects a filter object of plain JSON, got ${LITERAL_PROTOTYPE}: ${RESERVED_KEY_ADVICE}`,
    )
  } else if (!isPlainObject(input)) {
    issues.add(field, `expects a filter object such as { status: 'active' }, got ${describeValue(input)}`)
  } else {
    const copy = toFrozenJson(input, field, issues)
    if (issues.count === 0) checkFilter(copy as Filter, field, issues)
    if (issues.count === 0) return copy as Filter
  }
  throw issues.toError() as InvalidFilterError
}

/**
 * A filter over fields: the root, each `$and`/`$or`/`$nor` branch, or an `$elemMatch` over
 * objects, whose fields messages name after `scope` (`items.` inside `items: { $elemMatch }`).
 */
function checkFilter(filter: FilterObject, path: string, issues: FilterIssues, scope = ''): void {
  for (const [key, value] of Object.entries(filter)) {
    const keyPath = `${path}.${key}`
    if (isLogicalOperator(key)) {
      if (!checkShape(key, value, keyPath, issues)) continue
      for (const [index, branch] of (value as readonly FilterValue[]).entries()) {
        if (isPlainObject(branch)) checkFilter(branch as FilterObject, `${keyPath}.${index}`, issues, scope)
        else
          issues.add(
            `${keyPath}.${index}`,
            `\`${key}\` expects filter objects, got ${describeValue(branch)}`,
            key,
          )
      }
    } else if (isFieldOperator(key)) {
      issues.add(keyPath, `\`${key}\` must be applied to a field, as in { coins: { ${key}: ... } }`, key)
    } else if (isOperatorKey(key)) {
      issues.add(keyPath, `unknown operator \`${key}\``, key)
    } else if (key.split('.').includes('')) {
      issues.add(
        keyPath,
        key === '' ? 'field names must not be empty' : `field path \`${key}\` has an empty segment`,
      )
    } else if (isPlainObject(value) && isOperatorObject(value)) {
      checkOperators(value as FilterObject, keyPath, `${scope}${key}`, issues)
    } else {
      checkLiteral(value, keyPath, issues)
    }
  }
}

/**
 * An operator object such as `{ $gte: 1, $lt: 10 }`, applied to the field `field` or to the
 * elements of the array `field`.
 */
function checkOperators(operators: FilterObject, path: string, field: string, issues: FilterIssues): void {
  const keys = Object.keys(operators)
  const fields = keys.filter((key) => !isOperatorKey(key))
  if (fields.length > 0) {
    const operator = keys.find(isOperatorKey)
    issues.add(
      path,
      `cannot mix operators (\`${operator}\`) and field names (\`${fields[0]}\`) in one object; ` +
        'to test a nested field, use a dotted path such as `customer.tier`',
      operator,
    )
  }
  for (const key of keys) {
    if (!isOperatorKey(key)) continue
    const keyPath = `${path}.${key}`
    if (isLogicalOperator(key)) {
      issues.add(
        keyPath,
        `\`${key}\` combines whole filters and cannot be applied to a field; move it up`,
        key,
      )
    } else if (!isFieldOperator(key)) {
      issues.add(keyPath, `unknown operator \`${key}\``, key)
    } else {
      checkOperand(key, operators[key] as FilterValue, keyPath, field, operators, issues)
    }
  }
}

function checkOperand(
  operator: FieldOperator,
  operand: FilterValue,
  path: string,
  field: string,
  siblings: FilterObject,
  issues: FilterIssues,
): void {
  if (operator === '$eq' || operator === '$ne') {
    checkLiteral(operand, path, issues)
    return
  }
  if (!checkShape(operator, operand, path, issues)) return
  switch (operator) {
    case '$in':
    case '$nin':
      for (const [index, item] of (operand as readonly FilterValue[]).entries()) {
        checkLiteral(item, `${path}.${index}`, issues)
      }
      break
    case '$all':
      checkAll(operand as readonly FilterValue[], path, field, issues)
      break
    case '$regex': {
      const flags = siblings.$options
      // Bad flags are reported on `$options` itself.
      const valid = typeof flags === 'string' && isRegexOptions(flags)
      checkRegex(operator, operand as string, valid ? flags : '', path, field, siblings, issues)
      break
    }
    case '$options':
      if (!Object.hasOwn(siblings, '$regex'))
        issues.add(path, '`$options` needs a `$regex` beside it', operator)
      break
    case '$elemMatch':
      checkElemMatch(operand as FilterObject, path, field, issues)
      break
    case '$not':
      if (typeof operand === 'string') checkRegex(operator, operand, '', path, field, siblings, issues)
      else if (isOperatorObject(operand as FilterObject))
        checkOperators(operand as FilterObject, path, field, issues)
      else
        issues.add(
          path,
          '`$not` expects an operator object such as { $gt: 5 } or a regular expression string',
          operator,
        )
      break
  }
}

/** `$all: [values]` or `$all: [{ $elemMatch: ... }, ...]`, not a mix (as in MongoDB). */
function checkAll(entries: readonly FilterValue[], path: string, field: string, issues: FilterIssues): void {
  const isElemMatch = (entry: FilterValue) => isPlainObject(entry) && isOperatorObject(entry)
  const elemMatches = entries.filter(isElemMatch).length
  if (elemMatches > 0 && elemMatches < entries.length) {
    issues.add(path, '`$all` expects either only values or only { $elemMatch: ... } objects', '$all')
    return
  }
  for (const [index, entry] of entries.entries()) {
    const entryPath = `${path}.${index}`
    if (!isElemMatch(entry)) {
      checkLiteral(entry, entryPath, issues)
      continue
    }
    const keys = Object.keys(entry as FilterObject)
    if (keys.length !== 1 || keys[0] !== '$elemMatch') {
      issues.add(entryPath, 'inside `$all`, an operator object must be exactly { $elemMatch: ... }', '$all')
    } else if (
      checkShape('$elemMatch', (entry as FilterObject).$elemMatch, `${entryPath}.$elemMatch`, issues)
    ) {
      checkElemMatch(
        (entry as FilterObject).$elemMatch as FilterObject,
        `${entryPath}.$elemMatch`,
        field,
        issues,
      )
    }
  }
}

function checkElemMatch(operand: FilterObject, path: string, field: string, issues: FilterIssues): void {
  if (isElementOperatorObject(operand)) checkOperators(operand, path, field, issues)
  else checkFilter(operand, path, issues, `${field}.`)
}

/**
 * Compiles the pattern for RE2 now, when the subscription is saved, so that a pattern RE2
 * cannot run is refused here, never met while events flow; compileFilter reuses the result.
 */
function checkRegex(
  operator: RegexOperator,
  pattern: string,
  flags: string,
  path: string,
  field: string,
  owner: FilterObject,
  issues: FilterIssues,
): void {
  if (pattern.length > FILTER_LIMITS.maxRegexLength) {
    issues.add(
      path,
      `\`${operator}\` at \`${field}\`: the pattern is ${pattern.length} characters long; the limit is ${FILTER_LIMITS.maxRegexLength}`,
      operator,
    )
    return
  }
  const result = compileRegex(pattern, flags)
  if ('test' in result) rememberRegex(owner, operator, result.test)
  else issues.add(path, `\`${operator}\` at \`${field}\`: ${result.problem}`, operator)
}

/** `$options`: distinct flags among `i`, `m`, `s` and `u` (checked without a regular expression). */
function isRegexOptions(options: string): boolean {
  if (options.length > 4) return false
  for (let index = 0; index < options.length; index++) {
    const flag = options[index]!
    if (!'imsu'.includes(flag) || options.indexOf(flag) !== index) return false
  }
  return true
}

/** A value compared as is: it may not hide operators, a common mistake for dotted paths. */
function checkLiteral(value: FilterValue, path: string, issues: FilterIssues): void {
  if (typeof value !== 'object' || value === null) return
  if (Array.isArray(value)) {
    for (const [index, item] of (value as readonly FilterValue[]).entries()) {
      checkLiteral(item, `${path}.${index}`, issues)
    }
    return
  }
  for (const [key, item] of Object.entries(value as FilterObject)) {
    if (isOperatorKey(key)) {
      issues.add(
        `${path}.${key}`,
        `\`${key}\` cannot appear inside a value that is compared as is; ` +
          'to test a nested field, use a dotted path such as { "customer.tier": { $in: [...] } }',
        key,
      )
    } else {
      checkLiteral(item, `${path}.${key}`, issues)
    }
  }
}

function checkShape(
  operator: keyof typeof OPERANDS,
  operand: unknown,
  path: string,
  issues: FilterIssues,
): boolean {
  const { schema, expected } = OPERANDS[operator]
  if (schema.safeParse(operand).success) return true
  issues.add(path, `\`${operator}\` expects ${expected}, got ${describeValue(operand)}`, operator)
  return false
}
