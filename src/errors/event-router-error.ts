/** Options shared by every error this package throws. */
export interface EventRouterErrorOptions {
  /** The underlying error, when there is one. */
  cause?: unknown
}

/**
 * Base class of every error thrown or reported by eventrouter.
 *
 * Each subclass sets a stable `code` (for example `ERR_INVALID_FILTER`) that host
 * applications can switch on; messages are for humans and may change.
 */
export class EventRouterError extends Error {
  /** Stable, machine-readable error code. */
  readonly code: string

  constructor(code: string, message: string, options: EventRouterErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'EventRouterError'
    this.code = code
  }
}

/**
 * True when `value` is an eventrouter error, optionally with the given `code`.
 *
 * Checks the `name`/`code` shape as well as `instanceof`, so errors thrown by another
 * copy of the package (a duplicated dependency) are still recognised.
 */
export function isEventRouterError(value: unknown, code?: string): value is EventRouterError {
  if (!(value instanceof Error)) return false
  const candidate = value as Partial<EventRouterError>
  const ours = value instanceof EventRouterError || typeof candidate.code === 'string'
  if (!ours || typeof candidate.code !== 'string' || !candidate.code.startsWith('ERR_')) return false
  return code === undefined || candidate.code === code
}
