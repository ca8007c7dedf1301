import type { z } from 'zod'
import { ASYNC_SCHEMA_MESSAGE, isZodAsyncError } from '../shared/standard-schema.js'
import { toValidationIssues } from './to-validation-issues.js'
import { ValidationError, type ValidationIssue } from './validation-error.js'

/**
 * Parses `input` with `schema`, throwing a {@link ValidationError} about `what` whose
 * issue paths start at `prefix` (e.g. `config`).
 */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown, what: string, prefix = ''): T {
  let issues: ValidationIssue[]
  try {
    const result = schema.safeParse(input)
    if (result.success) return result.data
    // zod builds issue messages lazily, from the input: this may throw too.
    issues = toValidationIssues(result.error, prefix, schema)
  } catch (error) {
    // An async refinement or transform: zod's synchronous safeParse throws rather than wait.
    if (isZodAsyncError(error)) {
      throw new ValidationError(what, [{ path: prefix, message: `its schema ${ASYNC_SCHEMA_MESSAGE}` }], {
        cause: error,
      })
    }
    // zod reads the input's properties: a getter or a Proxy trap that throws (or a revoked
    // Proxy) ends up here. It is still invalid input: report it as such, with the cause.
    const reason = error instanceof Error ? error.message : 'a value was thrown'
    throw new ValidationError(
      what,
      [{ path: prefix, message: `could not be read (a getter or Proxy threw: ${reason}); pass plain data` }],
      { cause: error },
    )
  }
  throw new ValidationError(what, issues)
}
