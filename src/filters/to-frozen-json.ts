import { describeValue } from './describe-value.js'
import type { FilterValue } from './filter.js'
import type { FilterIssues } from './filter-issues.js'
import { FILTER_LIMITS } from './filter-limits.js'
import { isPlainObject } from './is-plain-object.js'

const HINTS: Readonly<Record<string, string>> = {
  Date: '; use an ISO 8601 string',
  RegExp: "; use { $regex: '...' }",
}

/**
 * A frozen deep copy of `input`, checked to be JSON (null, booleans, finite numbers, strings,
 * arrays, plain objects with data properties) within `FILTER_LIMITS.maxDepth` and
 * `FILTER_LIMITS.maxNodes`. Problems are added to `issues` (located from `path`) and the result
 * is then incomplete. A cycle is reported as excessive depth. `-0` becomes `0`, as in JSON.
 */
export function toFrozenJson(input: unknown, path: string, issues: FilterIssues): FilterValue | undefined {
  const nodes = { count: 0, root: path }
  return copy(input, path, 1, nodes, issues)
}

function copy(
  value: unknown,
  path: string,
  depth: number,
  nodes: { count: number; readonly root: string },
  issues: FilterIssues,
): FilterValue | undefined {
  if (issues.done) return undefined
  nodes.count++
  if (nodes.count > FILTER_LIMITS.maxNodes) {
    issues.halt(nodes.root, `has more than ${FILTER_LIMITS.maxNodes} values; split it into smaller filters`)
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
        if (Array.isArray(value)) return copyArray(value, path, depth, nodes, issues)
        if (isPlainObject(value)) return copyObject(value, path, depth, nodes, issues)
      } catch (error) {
        // A Proxy whose traps throw, or a revoked one: not JSON data.
        const reason = error instanceof Error ? error.message : 'a value was thrown'
        issues.add(path, `expects a JSON value, got an object that cannot be read (${reason})`)
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
  nodes: { count: number; readonly root: string },
  issues: FilterIssues,
): FilterValue {
  const result: FilterValue[] = []
  for (let index = 0; index < array.length; index++) {
    const itemPath = `${path}.${index}`
    if (!(index in array)) {
      issues.add(itemPath, 'expects a JSON value, got an empty array slot')
      continue
    }
    const item = copy(array[index], itemPath, depth + 1, nodes, issues)
    if (item !== undefined) result.push(item)
  }
  return Object.freeze(result)
}

function copyObject(
  object: Record<string, unknown>,
  path: string,
  depth: number,
  nodes: { count: number; readonly root: string },
  issues: FilterIssues,
): FilterValue {
  const entries: [string, FilterValue][] = []
  for (const key of Object.keys(object)) {
    const keyPath = `${path}.${key}`
    const descriptor = Object.getOwnPropertyDescriptor(object, key)
    if (descriptor === undefined || !('value' in descriptor)) {
      issues.add(keyPath, 'expects a JSON value, got a getter or setter')
      continue
    }
    const item = copy(descriptor.value, keyPath, depth + 1, nodes, issues)
    if (item !== undefined) entries.push([key, item])
  }
  // fromEntries defines properties, so a `__proto__` key stays a plain key.
  return Object.freeze(Object.fromEntries(entries))
}
