import type { z } from 'zod'
import { closestMatch } from '../shared/closest-match.js'
import type { ValidationIssue } from './validation-error.js'

/**
 * Converts zod issues to {@link ValidationIssue}s whose paths start at `prefix`. An
 * unknown key is reported at its own path, so `field` names it; given the `schema` that was
 * parsed, the message also names the key that was most likely meant (`unknown field; did you
 * mean \`timeoutMs\`?`).
 */
export function toValidationIssues(error: z.ZodError, prefix: string, schema?: z.ZodType): ValidationIssue[] {
  return error.issues.flatMap((issue) => {
    const base = [prefix, ...issue.path.map(String)]
    if (issue.code === 'unrecognized_keys') {
      const known = schema ? knownKeysAt(schema, issue.path) : []
      return issue.keys.map((key) => ({ path: join([...base, key]), message: unknownKeyMessage(key, known) }))
    }
    return [{ path: join(base), message: issue.message }]
  })
}

/** "unknown field", with the closest of `known` when one is close. */
export function unknownKeyMessage(key: string, known: Iterable<string>): string {
  const meant = closestMatch(key, known)
  return meant === undefined ? 'unknown field' : `unknown field; did you mean \`${meant}\`?`
}

/** The keys an object schema at `path` of `schema` knows, through optional, nullable, unions and arrays. */
function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let candidates: z.ZodType[] = [schema]
  for (const segment of path) {
    candidates = candidates.flatMap(unwrap).flatMap((candidate) => {
      const def = candidate._zod.def as {
        type: string
        shape?: Record<string, z.ZodType>
        element?: z.ZodType
      }
      if (def.type === 'object' && typeof segment === 'string') {
        const child = def.shape?.[segment]
        return child ? [child] : []
      }
      if (def.type === 'array' && typeof segment === 'number' && def.element) return [def.element]
      return []
    })
  }
  const keys = new Set<string>()
  for (const candidate of candidates.flatMap(unwrap)) {
    const def = candidate._zod.def as { type: string; shape?: Record<string, z.ZodType> }
    if (def.type === 'object' && def.shape) for (const key of Object.keys(def.shape)) keys.add(key)
  }
  return [...keys]
}

/** The schemas a value at this place may be checked by: wrappers removed, unions split. */
function unwrap(schema: z.ZodType): z.ZodType[] {
  const def = schema._zod.def as {
    type: string
    innerType?: z.ZodType
    options?: readonly z.ZodType[]
    in?: z.ZodType
  }
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return def.innerType ? unwrap(def.innerType) : []
    case 'union':
      return (def.options ?? []).flatMap(unwrap)
    case 'pipe':
      return def.in ? unwrap(def.in) : []
    default:
      return [schema]
  }
}

function join(parts: string[]): string {
  return parts.filter((part) => part !== '').join('.')
}
