/**
 * A value the store binds to a `?` parameter: only strings and finite numbers (flags as 0 and 1,
 * tenants as their JSON), which every driver below binds the same way. Never `null`: libsql
 * reads a lone `null` argument as an object of named parameters, and fails.
 */
export type SqliteValue = string | number

/** A prepared statement of a {@link SqliteDatabase}, bound with positional `?` parameters. */
export interface SqliteStatement {
  /** Runs a statement that returns no rows (INSERT, UPDATE, DELETE). */
  run(...params: SqliteValue[]): unknown
  /** The first row, as an object keyed by column name, or `undefined` when there is none. */
  get(...params: SqliteValue[]): unknown
  /** Every row, as objects keyed by column name. */
  all(...params: SqliteValue[]): unknown[]
}

/**
 * The synchronous SQLite connection `sqliteStore({ database })` drives: the part that libsql's
 * `Database`, better-sqlite3's `Database` and Node's `node:sqlite` `DatabaseSync` (Node >= 22.13)
 * share, so any of them is passed as it is:
 *
 * ```ts
 * import { DatabaseSync } from 'node:sqlite'
 * const store = sqliteStore({ database: new DatabaseSync('eventrouter.db') })
 * ```
 *
 * The store takes the connection over: `open()` sets its pragmas (exclusive locking, WAL,
 * `synchronous`, busy timeout) and `close()` closes it. Transactions are `exec('BEGIN IMMEDIATE')`
 * and `exec('COMMIT')` / `exec('ROLLBACK')`; nothing else of a driver's API is used.
 */
export interface SqliteDatabase {
  /** Runs one or more SQL statements that take no parameters. */
  exec(sql: string): unknown
  /** Compiles one SQL statement. The store prepares each statement once and keeps it. */
  prepare(sql: string): SqliteStatement
  /** Closes the connection, releasing the file and its lock. */
  close(): unknown
}
