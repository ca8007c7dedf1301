import { readPath } from './payload-path.js'

/**
 * An identifier at `path`, the way Braze, CleverTap and Klaviyo take one: a non-blank string,
 * trimmed; with `allowInteger`, also a safe integer as its digits (a numeric customer id is
 * still an id). `undefined` when `path` is not given or holds nothing usable.
 */
export function readIdentifier(
  payload: unknown,
  path: string | undefined,
  allowInteger = false,
): string | undefined {
  if (path === undefined) return undefined
  const value = readPath(payload, path)
  if (typeof value === 'string' && value.trim() !== '') return value.trim()
  if (allowInteger && typeof value === 'number' && Number.isSafeInteger(value)) return String(value)
  return undefined
}

/**
 * An identity at `path`, the way analytics destinations take one: a
 * non-blank string as it is (not trimmed), or any finite number as `String(number)`.
 * `undefined` when `path` is not given or holds nothing usable.
 */
export function readIdentityValue(payload: unknown, path: string | undefined): string | undefined {
  if (path === undefined) return undefined
  const value = readPath(payload, path)
  if (typeof value === 'string') return value.trim() === '' ? undefined : value
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  return undefined
}
