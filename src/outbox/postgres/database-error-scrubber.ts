import { StoreError } from '../../errors/store-error.js'
import { REDACTED, SecretScrubber } from '../../shared/secret-scrubber.js'
import type { PostgresPool } from './postgres-pool.js'

/**
 * Turns what the database or the driver threw into what the outbox hands out (a `StoreError`'s
 * message and cause, a `disconnected` event, a `last_error`), with the pool's password replaced
 * by `[REDACTED]` wherever it appears: given as `password`, inside `connectionString`, or in
 * `PGPASSWORD`. node-postgres keeps it out of its own messages today; a driver, a pg-compatible
 * pool or a wrapper of the host's may not, and a password must never reach a log.
 */
export class DatabaseErrorScrubber {
  readonly #scrubber: SecretScrubber

  constructor(pool: PostgresPool) {
    this.#scrubber = new SecretScrubber(passwordsOf(pool))
  }

  /** `text` without the password. */
  scrub(text: string): string {
    return this.#scrubber.scrub(text)
  }

  /** The message of `error`, without the password. */
  messageOf(error: unknown): string {
    return this.scrub(error instanceof Error ? error.message : String(error))
  }

  /**
   * `error` itself when no part of it shows the password (so its SQLSTATE `code` and fields stay
   * for the host), else a plain `Error` of the same name with the scrubbed message and code.
   */
  safeError(error: unknown): Error {
    if (error instanceof Error && !this.#shows(error)) return error
    const safe = new Error(this.messageOf(error))
    if (error instanceof Error) {
      safe.name = error.name
      const code = (error as { code?: unknown }).code
      if (typeof code === 'string') Object.assign(safe, { code: this.scrub(code) })
      if (error.stack !== undefined) safe.stack = this.scrub(error.stack)
    }
    return safe
  }

  /** A `StoreError` saying that `operation` failed with `error`, then `hint`; nothing of it shows the password. */
  storeError(operation: string, error: unknown, hint = ''): StoreError {
    return new StoreError(operation, `${this.messageOf(error)}${hint}`, { cause: this.safeError(error) })
  }

  #shows(error: Error): boolean {
    if (!this.#scrubber.active) return false
    if (this.#scrubber.finds(error.message) || this.#scrubber.finds(error.stack ?? '')) return true
    for (const value of Object.values(error)) {
      if (typeof value === 'string' && this.#scrubber.finds(value)) return true
    }
    const cause = (error as { cause?: unknown }).cause
    return cause instanceof Error ? this.#shows(cause) : false
  }
}

/** The passwords a pool may connect with, as far as its options and the environment say. */
function passwordsOf(pool: PostgresPool): string[] {
  const found: string[] = []
  const options = (pool as { options?: unknown }).options
  if (typeof options === 'object' && options !== null) {
    const { password, connectionString } = options as { password?: unknown; connectionString?: unknown }
    if (typeof password === 'string') found.push(password)
    if (typeof connectionString === 'string') found.push(...passwordsInUrl(connectionString))
  }
  const fromEnvironment = process.env.PGPASSWORD
  if (fromEnvironment !== undefined && fromEnvironment !== '') found.push(fromEnvironment)
  return found.filter((password) => password !== REDACTED)
}

/** `postgres://user:password@host/db`: the password as written and decoded. */
function passwordsInUrl(connectionString: string): string[] {
  let written: string | undefined
  try {
    written = new URL(connectionString).password
  } catch {
    // `postgres://user:pass@/db?host=/run/postgresql` is no WHATWG URL: read the userinfo by hand,
    // up to the last `@` before the path (a password may hold an unencoded `@`).
    const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(connectionString)?.[1] ?? ''
    const userinfo = authority.includes('@') ? authority.slice(0, authority.lastIndexOf('@')) : ''
    written = userinfo.includes(':') ? userinfo.slice(userinfo.indexOf(':') + 1) : undefined
  }
  if (written === undefined || written === '') return []
  try {
    return [written, decodeURIComponent(written)]
  } catch {
    return [written]
  }
}
