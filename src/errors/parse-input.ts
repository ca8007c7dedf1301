import type { z } from 'zod'
import { toValidationIssues } from './to-validation-issues.js'
import { ValidationError } from './validation-error.js'

/**
 * Parses `input` with `schema`, throwing a {@link ValidationError} about `what` whose
 * issue paths start at `prefix` (e.g. `config`).
 */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown, what: string, prefix = ''): T {
  let result: ReturnType<z.ZodType<T>['safeParse']>
  try {
    result = schema.safeParse(input)
  } catch (error) {
    // zod reads the input's properties: a getter or a Proxy trap that throws ends up here.
    // It is still invalid input: report it as such, with the host's error as the cause.
    const reason = error instanceof Error ? error.message : 'a value was thrown'
    throw new ValidationError(
      what,
      [{ path: prefix, message: `could not be read (a getter or Proxy threw: ${reason}); pass plain data` }],
      { cause: error },
    )
  }
  if (!result.success) throw new ValidationError(what, toValidationIssues(result.error, prefix))
  return result.data
}
