/** The fields of one log line: plain data, never a secret. */
export type LogFields = Readonly<Record<string, unknown>>

/** A level of {@link Logger}. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

/**
 * Where the router writes what it does not want to stay silent about: an integration suspended,
 * resumed, disabled or throttled, a delivery that failed for good, a store or listener error.
 *
 * Called **object first**, `logger.warn(fields, message)`, as pino and bunyan take it: pass a
 * pino logger (or `pino.child({ component: 'eventrouter' })`) as it is. `console` fits too (it
 * prints the fields, then the message). winston takes the message first: pass
 * `{ debug: (fields, message) => log.debug(message, fields), ... }` for each level.
 *
 * Fields are flat: `lifecycleEvent` names the router event the line is about, ids
 * (`integrationId`, `tenant`, `deliveryId`, ...) say which, and an error is `err: { name, code,
 * message }`. They hold ids, codes and the router's own messages, whose credentials are scrubbed:
 * never a secret config value, a payload or a request.
 */
export interface Logger {
  /** Routine outcomes: an attempt that failed, a delivery that succeeded or was dead-lettered. */
  debug(fields: LogFields, message: string): void
  /** Changes that mend themselves: an integration resumed, or throttled by its destination. */
  info(fields: LogFields, message: string): void
  /** What may need a human: an integration suspended or disabled, a delivery that failed for good, a filter that threw. */
  warn(fields: LogFields, message: string): void
  /** An `error` lifecycle event other than a filter's: a listener, the store or the dead-letter store failed. */
  error(fields: LogFields, message: string): void
}

/** Writes one line; a logger that throws is ignored: logging must never break delivery. */
export function writeLog(logger: Logger, level: LogLevel, fields: LogFields, message: string): void {
  try {
    logger[level](fields, message)
  } catch {
    // Nowhere else to report it: the `error` event may be what is being logged.
  }
}
