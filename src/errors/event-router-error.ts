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

  /**
   * Plain JSON for logs, results and stores: `name`, `code`, `message`, the subclass's own fields
   * (`status`, `issues`, ...) and the cause as `{ name, message }`. `JSON.stringify` of an Error
   * would otherwise keep neither the message nor the cause.
   */
  toJSON(): Record<string, unknown> {
    const json: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(this)) {
      if (typeof value !== 'function' && typeof value !== 'bigint' && typeof value !== 'symbol')
        json[key] = value
    }
    json.name = this.name
    json.code = this.code
    json.message = this.message
    if (this.cause !== undefined) json.cause = causeSummary(this.cause)
    return json
  }
}

/** What a JSON view of an error keeps of its cause: enough to diagnose, always plain data. */
function causeSummary(cause: unknown): unknown {
  if (cause instanceof EventRouterError) return cause.toJSON()
  if (cause instanceof Error) return { name: cause.name, message: cause.message }
  if (typeof cause === 'string' || typeof cause === 'number' || typeof cause === 'boolean') return cause
  try {
    return String(cause)
  } catch {
    return 'an unprintable value'
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
