import type { z } from 'zod'
import type { ValidationIssue } from './validation-error.js'

/**
 * Converts zod issues to {@link ValidationIssue}s whose paths start at `prefix`. An
 * unknown key is reported at its own path, so `field` names it.
 */
export function toValidationIssues(error: z.ZodError, prefix: string): ValidationIssue[] {
  return error.issues.flatMap((issue) => {
    const base = [prefix, ...issue.path.map(String)]
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: join([...base, key]), message: 'unknown field' }))
    }
    return [{ path: join(base), message: issue.message }]
  })
}

function join(parts: string[]): string {
  return parts.filter((part) => part !== '').join('.')
}
