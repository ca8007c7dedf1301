import type { StandardSchemaV1 } from '@standard-schema/spec'
import type { z } from 'zod'
import { parseStandard } from '../errors/parse-standard.js'
import { ValidationError, type ValidationIssue } from '../errors/validation-error.js'
import { closestMatch } from '../shared/closest-match.js'
import { ASYNC_SCHEMA_MESSAGE, isZod4Schema, isZodAsyncError } from '../shared/standard-schema.js'
import { payloadIssueMessage } from './payload-issue-message.js'
import { schemaModel } from './schema-model.js'
import type { Shape } from './schema-shape.js'

/**
 * Validates the payload of event `eventName` against its schema and returns the parsed payload
 * (unknown keys of `z.object` schemas removed). Pure: nothing else happens.
 *
 * zod 4 schemas get eventrouter's messages: `payload.coins` "expected an integer, got string
 * \"150\"", `payload.customer.teir` "unknown field; did you mean `tier`?", and the `ZodError` as
 * `cause`. Other Standard Schema validators keep their own messages, one issue per issue they
 * report, and must validate synchronously.
 *
 * @throws {ValidationError} `code` `ERR_VALIDATION`, one issue per bad field at
 *   `payload.<dotted path>`; at `payload` for a schema that validated asynchronously.
 */
export function validatePayload(
  schema: StandardSchemaV1,
  payload: unknown,
  eventName: string,
): Record<string, unknown> {
  const what = `payload of \`${eventName}\``
  if (!isZod4Schema(schema)) return parseStandard(schema, payload, what, 'payload') as Record<string, unknown>
  let issues: ValidationIssue[]
  let cause: unknown
  try {
    const result = schema.safeParse(payload, { error: payloadIssueMessage })
    if (result.success) return result.data as Record<string, unknown>
    // Issue messages are built lazily, from the payload: this may throw too.
    issues = toPayloadIssues(result.error, schema)
    cause = result.error
  } catch (error) {
    // An async refinement or transform: zod's synchronous safeParse throws rather than wait.
    if (isZodAsyncError(error)) {
      throw new ValidationError(what, [{ path: 'payload', message: `its schema ${ASYNC_SCHEMA_MESSAGE}` }], {
        cause: error,
      })
    }
    // zod reads the payload's properties: a getter or Proxy trap that throws ends up here.
    const reason = error instanceof Error ? error.message : 'a value was thrown'
    throw new ValidationError(
      what,
      [
        {
          path: 'payload',
          message: `could not be read (a getter or Proxy threw: ${reason}); emit plain data`,
        },
      ],
      { cause: error },
    )
  }
  throw new ValidationError(what, issues, { cause })
}

function toPayloadIssues(error: z.ZodError, schema: z.ZodType): ValidationIssue[] {
  return error.issues.flatMap((issue) => {
    const path = ['payload', ...issue.path.map(String)]
    if (issue.code !== 'unrecognized_keys') return [{ path: path.join('.'), message: issue.message }]
    const known = knownKeys(schema, issue.path)
    return issue.keys.map((key) => {
      const suggestion = closestMatch(key, known)
      const message =
        suggestion === undefined ? 'unknown field' : `unknown field; did you mean \`${suggestion}\`?`
      return { path: [...path, key].join('.'), message }
    })
  })
}

/** The property names the schema allows at `path` (array positions included), for hints. */
function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  const model = schemaModel(schema)
  if (model === undefined) return []
  const { reader, root } = model
  let shape: Shape | undefined = root
  for (const key of path) {
    if (shape === undefined) return []
    shape = typeof key === 'number' ? reader.element(shape) : reader.property(shape, String(key))
  }
  return shape === undefined ? [] : [...shape.properties.keys()]
}
