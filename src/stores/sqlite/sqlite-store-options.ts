import { z } from 'zod'
import { parseInput } from '../../errors/parse-input.js'
import type { SqliteDatabase } from './sqlite-database.js'

/**
 * How hard SQLite pushes each commit to the disk (`PRAGMA synchronous`), in WAL mode:
 * - `'normal'`: crash-safe. A crash of the process loses nothing committed; an OS crash or a
 *   power loss may lose the last transactions committed before it (never corrupts the file).
 * - `'full'`: power-loss-safe too: every commit is fsynced before `write()` returns, which
 *   costs one fsync per batch.
 */
export type SqliteSynchronous = 'normal' | 'full'

/** Settings shared by both ways of giving the store its database. */
export interface SqliteStoreSettings {
  /** See {@link SqliteSynchronous}. @default 'normal' */
  synchronous?: SqliteSynchronous
  /**
   * How long `open()` waits for another process to let go of the file (a router being replaced
   * that is still closing, a backup tool) before it is refused as in use (`PRAGMA busy_timeout`).
   * @default 5000
   */
  busyTimeoutMs?: number
  /**
   * Whether `open()` runs `PRAGMA quick_check` to refuse a corrupt file before using it. It reads
   * the whole file (about a second per GB); a corrupt page is otherwise found only when an
   * operation reaches it, which then fails with a `StoreError`.
   * @default true
   */
  checkIntegrity?: boolean
}

/** `sqliteStore()` opens the file itself, with the `libsql` package (`npm install libsql`). */
export interface SqliteStorePathOptions extends SqliteStoreSettings {
  /** The database file, created when missing (its directory must exist). */
  path: string
  /** Not with `path`: give one or the other. */
  database?: never
}

/** `sqliteStore()` uses a connection you opened: libsql, better-sqlite3 or `node:sqlite`. */
export interface SqliteStoreDatabaseOptions extends SqliteStoreSettings {
  /** An open connection to the database file; see {@link SqliteDatabase}. The store closes it. */
  database: SqliteDatabase
  /** Not with `database`: give one or the other. */
  path?: never
}

/** What `sqliteStore()` takes: a `path`, or a `database` you opened, plus settings. */
export type SqliteStoreOptions = SqliteStorePathOptions | SqliteStoreDatabaseOptions

/** {@link SqliteStoreOptions} after validation, with defaults applied. */
export interface ResolvedSqliteStoreOptions {
  readonly path: string | undefined
  readonly database: SqliteDatabase | undefined
  readonly synchronous: SqliteSynchronous
  readonly busyTimeoutMs: number
  readonly checkIntegrity: boolean
  /** How messages name the file: its path, or `the given database`. */
  readonly location: string
}

export const SQLITE_STORE_DEFAULTS = {
  synchronous: 'normal',
  busyTimeoutMs: 5000,
  checkIntegrity: true,
} as const satisfies Required<SqliteStoreSettings>

const settings = {
  synchronous: z.enum(['normal', 'full']).optional(),
  busyTimeoutMs: z.number().int().min(0).max(2_147_483_647).optional(),
  checkIntegrity: z.boolean().optional(),
}
const pathSchema = z.strictObject({ path: z.string().min(1, 'expected a non-empty file path'), ...settings })
const databaseSchema = z.strictObject({
  database: z
    .object(
      { exec: z.function(), prepare: z.function(), close: z.function() },
      'expected a SQLite connection with exec(), prepare() and close()',
    )
    .loose(),
  ...settings,
})

/** Validates options and applies defaults. Throws `ValidationError` naming the option. */
export function resolveSqliteStoreOptions(options: SqliteStoreOptions): ResolvedSqliteStoreOptions {
  const given = typeof options === 'object' && options !== null && 'database' in options
  const schema: z.ZodType = given ? databaseSchema : pathSchema
  parseInput(schema, options, 'SQLite store options')
  const path = options.path
  return {
    path,
    database: options.database,
    synchronous: options.synchronous ?? SQLITE_STORE_DEFAULTS.synchronous,
    busyTimeoutMs: options.busyTimeoutMs ?? SQLITE_STORE_DEFAULTS.busyTimeoutMs,
    checkIntegrity: options.checkIntegrity ?? SQLITE_STORE_DEFAULTS.checkIntegrity,
    location: path === undefined ? 'the given database' : `\`${path}\``,
  }
}
