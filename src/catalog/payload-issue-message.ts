import type { z } from 'zod'
import { describeValue } from '../shared/describe-value.js'
import { listValues } from './describe-shape.js'

type Issue = z.core.$ZodRawIssue

const EXPECTED: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'a boolean',
  object: 'an object',
  array: 'an array',
  null: 'null',
}

const FORMATS: Readonly<Record<string, string>> = {
  datetime: 'an ISO 8601 date-time in UTC such as `2025-01-31T09:30:00Z`',
  date: 'an ISO 8601 date such as `2025-01-31`',
  email: 'an email address such as `ana@example.com`',
  e164: 'a phone number in E.164 form such as `+14155550123`',
  url: 'an http(s) URL such as `https://example.com`',
  uuid: 'a UUID',
}

/**
 * Zod error map for payloads: short messages that say what was expected and what came, as in
 * "is required", "expected an integer, got string \"150\"", "expected one of `gold`, `silver`,
 * got string \"golden\"". Messages set on the schema itself take precedence; anything not covered
 * keeps zod's message.
 */
export function payloadIssueMessage(issue: Issue): string | undefined {
  const got = describeValue(issue.input)
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required'
      return `expected ${isInteger(issue) ? 'an integer' : (EXPECTED[issue.expected] ?? issue.expected)}, got ${got}`
    case 'invalid_format':
      return issue.format in FORMATS ? `expected ${FORMATS[issue.format]}, got ${got}` : undefined
    case 'invalid_value':
      if (issue.input === undefined) return 'is required'
      return issue.values.length === 1
        ? `expected ${listValues(issue.values)}, got ${got}`
        : `expected one of ${listValues(issue.values)}, got ${got}`
    case 'too_small':
    case 'too_big':
      return sizeMessage(issue)
    default:
      return undefined
  }
}

/** True when the issue comes from `z.int()` (or `z.int32()`...), which reports non-numbers as `expected number`. */
function isInteger(issue: Issue): boolean {
  const definition: unknown = issue.schema?._zod.def ?? issue.inst?._zod.def
  const format =
    typeof definition === 'object' && definition !== null
      ? (definition as { format?: unknown }).format
      : undefined
  return format === 'safeint' || format === 'int32' || format === 'uint32'
}

function sizeMessage(
  issue: z.core.$ZodRawIssue<z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig>,
): string | undefined {
  const small = issue.code === 'too_small'
  const bound = Number(small ? issue.minimum : issue.maximum)
  const inclusive = issue.inclusive !== false
  switch (issue.origin) {
    case 'number':
    case 'int':
      return `expected a number ${small ? '>' : '<'}${inclusive ? '=' : ''} ${bound}, got ${describeValue(issue.input)}`
    case 'string':
      if (small && bound === 1) return 'must not be empty'
      return `expected ${small ? 'at least' : 'at most'} ${bound} characters, got ${String(issue.input).length}`
    case 'array':
      return `expected ${small ? 'at least' : 'at most'} ${bound} item${bound === 1 ? '' : 's'}, got ${(issue.input as unknown[]).length}`
    default:
      return undefined
  }
}
