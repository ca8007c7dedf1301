import { EventRouterError } from '../errors/event-router-error.js'
import { ValidationError } from '../errors/validation-error.js'
import { describe } from '../events/event-name.js'
import { isPlainObject } from '../shared/is-plain-object.js'
import { assertNoForbiddenKeys } from '../shared/json-data.js'
import { assertKnownKeys } from '../shared/read-options.js'

/** Property added to the payload of test sends, so every destination can tell them apart. */
export const TEST_MARKER = 'eventrouter_test'

/**
 * Runs `action` on item `path` of a snapshot (or of what a store holds): a problem becomes a
 * `ValidationError` about `what` whose paths start at `path`.
 */
export function at(path: string, action: () => void, what = 'router snapshot'): void {
  try {
    action()
  } catch (error) {
    if (error instanceof ValidationError) {
      throw new ValidationError(
        what,
        error.issues.map((issue) => ({
          path: issue.path ? `${path}.${issue.path}` : path,
          message: issue.message,
        })),
        { cause: error },
      )
    }
    if (error instanceof EventRouterError) {
      throw new ValidationError(what, [{ path, message: error.message }], { cause: error })
    }
    throw error
  }
}

/** emit()'s options as read, not yet checked. */
export interface RawEmitOptions {
  readonly id?: unknown
  readonly occurredAt?: unknown
  readonly tenant?: unknown
  readonly signal?: unknown
}

export const NO_OPTIONS: RawEmitOptions = Object.freeze({})

/** The keys `emit()` takes. */
export const EMIT_KEYS: readonly string[] = Object.freeze(['id', 'occurredAt', 'tenant'])
/** The keys `emitAsync()` takes. */
export const EMIT_ASYNC_KEYS: readonly string[] = Object.freeze([...EMIT_KEYS, 'signal'])

/**
 * Reads emit()'s options, only those given: anything that is not a readable plain object, and a
 * key not in `known` (a misspelt `occuredAt`), is a ValidationError.
 */
export function readEmitOptions(options: unknown, known: readonly string[] = EMIT_KEYS): RawEmitOptions {
  try {
    if (isPlainObject(options)) {
      assertNoForbiddenKeys(options, 'event')
      assertKnownKeys(options, known, 'event', 'options')
      const read: { -readonly [K in keyof RawEmitOptions]: unknown } = {}
      for (const key of known) {
        const value = options[key]
        if (value !== undefined) read[key as keyof RawEmitOptions] = value
      }
      return read
    }
  } catch (error) {
    if (error instanceof ValidationError) throw error
    // A getter that throws: reported below like any unreadable options.
  }
  throw new ValidationError('event', [
    {
      path: 'options',
      message: `expected an options object { ${known.map((key) => `${key}?`).join(', ')} }, got ${describe(options)}`,
    },
  ])
}

/** The test payload: the event's, plus the marker. A getter that throws is the caller's input error. */
export function markedAsTest(data: Record<string, unknown>): Record<string, unknown> {
  try {
    return { ...data, [TEST_MARKER]: true }
  } catch (error) {
    const why = error instanceof Error ? error.message : 'a property could not be read'
    throw new ValidationError('test send', [{ path: 'payload', message: `could not be read: ${why}` }], {
      cause: error,
    })
  }
}

export function toEpochMs(value: unknown): number {
  if (value === undefined) return Date.now()
  let date = new Date(Number.NaN)
  try {
    if (value instanceof Date) date = new Date(value.getTime())
    else if (typeof value === 'string' || typeof value === 'number') date = new Date(value)
  } catch {
    // A revoked Proxy, a Date subclass whose getTime throws: not a valid date.
  }
  if (Number.isNaN(date.getTime()) || (typeof value === 'string' && !/^\d{4}-\d{2}-\d{2}T/.test(value))) {
    throw new ValidationError('event', [
      {
        path: 'options.occurredAt',
        message: `expected a valid Date, ISO-8601 string or epoch ms, got ${describe(value)}`,
      },
    ])
  }
  return date.getTime()
}
