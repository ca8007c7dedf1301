import type { z } from 'zod'
import { toValidationIssues } from './to-validation-issues.js'
import { ValidationError } from './validation-error.js'

/**
 * Parses `input` with `schema`, throwing a {@link ValidationError} about `what` whose
 * issue paths start at `prefix` (e.g. `config`).
 */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown, what: string, prefix = ''): T {
  const result = schema.safeParse(input)
  if (!result.success) throw new ValidationError(what, toValidationIssues(result.error, prefix))
  return result.data
}
