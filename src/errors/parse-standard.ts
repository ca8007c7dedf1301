import type { StandardSchemaV1 } from '@standard-schema/spec'
import type { z } from 'zod'
import {
  ASYNC_SCHEMA_MESSAGE,
  isZod4Schema,
  joinPath,
  runStandard,
  threwMessage,
} from '../shared/standard-schema.js'
import { parseInput } from './parse-input.js'
import { ValidationError, type ValidationIssue } from './validation-error.js'

/**
 * Parses `input` with any Standard Schema, throwing a {@link ValidationError} about `what` whose
 * issue paths start at `prefix` (e.g. `config`). zod 4 schemas go through {@link parseInput},
 * so their messages are exactly as before; other validators keep their own messages, one issue
 * per issue they report, at `<prefix>.<path>`.
 *
 * @throws {ValidationError} `code` `ERR_VALIDATION`: for invalid input; for a schema that
 *   validated asynchronously (eventrouter validates synchronously); for a validator that threw
 *   (its error as `cause`).
 */
export function parseStandard<T>(
  schema: StandardSchemaV1<unknown, T>,
  input: unknown,
  what: string,
  prefix = '',
): T {
  if (isZod4Schema(schema)) return parseInput(schema as unknown as z.ZodType<T>, input, what, prefix)
  const outcome = runStandard(schema, input)
  switch (outcome.status) {
    case 'valid':
      return outcome.value
    case 'invalid':
      throw new ValidationError(
        what,
        outcome.issues.map(
          (issue): ValidationIssue => ({ path: joinPath([prefix, ...issue.path]), message: issue.message }),
        ),
      )
    case 'async':
      throw new ValidationError(what, [{ path: prefix, message: `its schema ${ASYNC_SCHEMA_MESSAGE}` }])
    case 'threw':
      throw new ValidationError(what, [{ path: prefix, message: threwMessage(schema, outcome.error) }], {
        cause: outcome.error,
      })
  }
}
