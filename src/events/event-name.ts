import { ValidationError } from '../errors/validation-error.js'

const EVENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,199}$/

/** True for a valid event name: 1–200 chars of letters, digits, `_ . : / -`, starting with a letter or digit. */
export function isEventName(value: unknown): value is string {
  return typeof value === 'string' && EVENT_NAME.test(value)
}

/** Throws a {@link ValidationError} on `field` unless `value` is a valid event name. */
export function assertEventName(value: unknown, field: string): asserts value is string {
  if (!isEventName(value)) {
    throw new ValidationError('event name', [
      {
        path: field,
        message: `expected an event name such as \`wallet.coins_rewarded\` (letters, digits, _ . : / -, at most 200 chars), got ${describe(value)}`,
      },
    ])
  }
}

/** Short description of a value for error messages: `'x' (string)`, `42 (number)`, ... */
export function describe(value: unknown): string {
  if (typeof value === 'string') return `\`${value.length > 60 ? `${value.slice(0, 60)}…` : value}\` (string)`
  if (value === null) return '`null`'
  if (typeof value === 'object') return isArray(value) ? 'an array' : 'an object'
  return `\`${String(value)}\` (${typeof value})`
}

/** Array.isArray, which throws on a revoked Proxy: the value is then no array we can read. */
function isArray(value: object): boolean {
  try {
    return Array.isArray(value)
  } catch {
    return false
  }
}
