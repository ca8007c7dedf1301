import { describeValue } from '../shared/describe-value.js'
import { isPlainObject } from '../shared/is-plain-object.js'
import type { FilterValue } from './filter.js'
import type { FilterIssues } from './filter-issues.js'
import { FILTER_LIMITS } from './filter-limits.js'
import {
  hasLiteralPrototype,
  LITERAL_PROTOTYPE,
  RESERVED_KEY_ADVICE,
  reservedSegment,
} from './reserved-keys.js'

/** How much of the filter was copied so far, against `FILTER_LIMITS`. */
interface Size {
  nodes: number
  /** Characters of `$regex` and `$not` patterns, each compiled when the filter is parsed. */
  patternLength: number
  readonly root: string
}

const HINTS: Readonly<Record<string, string>> = {
  Date: '; use an ISO 8601 string',
  RegExp: "; use { $regex: '...' }",
}

/**
 * A frozen deep copy of `input`, checked to be JSON (null, booleans, finite numbers, strings,
 * arrays, plain objects with data properties) within `FILTER_LIMITS.maxDepth` and
 * `FILTER_LIMITS.maxNodes`, without reserved keys (`__proto__`, `constructor`, `prototype`,
 * also as a segment of a dotted key). Problems are added to `issues` (located from `path`) and
 * the result is then incomplete. A cycle is reported as excessive depth. `-0` becomes `0`, as
 * in JSON.
 */
export function toFrozenJson(input: unknown, path: string, issues: FilterIssues): FilterValue | undefined {
  return copy(input, path, 1, { nodes: 0, patternLength: 0, root: path }, issues)
}

function copy(
  value: unknown,
  path: string,
  depth: number,
  size: Size,
  issues: FilterIssues,
): FilterValue | undefined {
  if (issues.done) return undefined
  size.nodes++
  if (size.nodes > FILTER_LIMITS.maxNodes) {
    issues.halt(size.root, `has more than ${FILTER_LIMITS.maxNodes} values; split it into smaller filters`)
    return undefined
  }
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value
    case 'number':
      if (Number.isFinite(value)) return value === 0 ? 0 : value
      issues.add(path, `expects a finite number, got ${describeValue(value)}`)
      return undefined
    case 'object':
      if (value === null) return null
      if (depth > FILTER_LIMITS.maxDepth) {
        issues.halt(path, `is nested more than ${FILTER_LIMITS.maxDepth} levels deep`)
        return undefined
      }
      try {
        if (Array.isArray(value)) return copyArray(value, path, depth, size, issues)
        if (isPlainObject(value)) return copyObject(value, path, depth, size, issues)
      } catch (error) {
        // A Proxy whose traps throw, or a revoked one: not JSON data.
        const reason = error instanceof Error ? error.message : 'a value was thrown'
        issues.add(path, `expects a JSON value, got an object that cannot be read (${reason})`)
        return undefined
      }
      if (hasLiteralPrototype(value)) {
        issues.add(path, `expects a JSON value, got ${LITERAL_PROTOTYPE}: ${RESERVED_KEY_ADVICE}`)
        return undefined
      }
      break
  }
  const kind = describeValue(value)
  issues.add(path, `expects a JSON value, got ${kind}${HINTS[kind] ?? ''}`)
  return undefined
}

function copyArray(
  array: readonly unknown[],
  path: string,
  depth: number,
  size: Size,
  issues: FilterIssues,
): FilterValue {
  const result: FilterValue[] = []
  for (let index = 0; index < array.length; index++) {
    const itemPath = `${path}.${index}`
    if (!(index in array)) {
      issues.add(itemPath, 'expects a JSON value, got an empty array slot')
      continue
    }
    const item = copy(array[index], itemPath, depth + 1, size, issues)
    if (item !== undefined) result.push(item)
  }
  return Object.freeze(result)
}

function copyObject(
  object: Record<string, unknown>,
  path: string,
  depth: number,
  size: Size,
  issues: FilterIssues,
): FilterValue {
  const entries: [string, FilterValue][] = []
  for (const key of Object.keys(object)) {
    const keyPath = `${path}.${key}`
    const reserved = reservedSegment(key)
    if (reserved !== undefined) {
      const what =
        reserved === key
          ? `\`${key}\` is reserved`
          : `field path \`${key}\` has the reserved segment \`${reserved}\``
      issues.add(keyPath, `${what}: ${RESERVED_KEY_ADVICE}`)
      continue
    }
    const descriptor = Object.getOwnPropertyDescriptor(object, key)
    if (descriptor === undefined || !('value' in descriptor)) {
      issues.add(keyPath, 'expects a JSON value, got a getter or setter')
      continue
    }
    const item = copy(descriptor.value, keyPath, depth + 1, size, issues)
    if ((key === '$regex' || key === '$not') && typeof item === 'string') {
      size.patternLength += item.length
      if (size.patternLength > FILTER_LIMITS.maxRegexTotalLength) {
        issues.halt(
          size.root,
          `has more than ${FILTER_LIMITS.maxRegexTotalLength} characters of regular expressions; split it into smaller filters`,
        )
      }
    }
    if (item !== undefined) entries.push([key, item])
  }
  // fromEntries defines properties: even a key that slipped through could not set a prototype.
  return Object.freeze(Object.fromEntries(entries))
}
