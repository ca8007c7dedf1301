import { unknownKeyMessage } from '../errors/to-validation-issues.js'
import { ValidationError } from '../errors/validation-error.js'
import { describeValue } from './describe-value.js'
import { isPlainObject } from './is-plain-object.js'
import { assertNoForbiddenKeys } from './json-data.js'

/**
 * Refuses the keys of `options` that are not in `known`, naming each (`options.timeout: unknown
 * field; did you mean \`timeoutMs\`?`): a misspelt option must not be silently ignored.
 *
 * @param prefix where `options` is, for the issue paths (e.g. `options`)
 * @throws {ValidationError} `code` `ERR_VALIDATION`, one issue per unknown key
 */
export function assertKnownKeys(
  options: Record<string, unknown>,
  known: readonly string[],
  subject: string,
  prefix: string,
): void {
  let issues: { path: string; message: string }[] | undefined
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue
    issues ??= []
    issues.push({ path: prefix === '' ? key : `${prefix}.${key}`, message: unknownKeyMessage(key, known) })
  }
  if (issues) throw new ValidationError(subject, issues)
}

/**
 * Reads an options object that may be anything (null, a throwing Proxy): `undefined` is `{}`;
 * a key not in `known` is refused, naming it (at `<prefix>.<key>`).
 */
export function readOptions(
  options: unknown,
  known: readonly string[],
  subject: string,
  prefix = '',
): Record<string, unknown> {
  if (options === undefined) return {}
  try {
    if (isPlainObject(options)) {
      assertNoForbiddenKeys(options, subject)
      assertKnownKeys(options, known, subject, prefix)
      // Read here, once: a getter that throws is reported below as unreadable options.
      const read: Record<string, unknown> = {}
      for (const key of known) if (options[key] !== undefined) read[key] = options[key]
      return read
    }
  } catch (error) {
    if (error instanceof ValidationError) throw error
    // Reported below.
  }
  throw new ValidationError(subject, [
    { path: 'options', message: `expected an options object, got ${describeValue(options)}` },
  ])
}
