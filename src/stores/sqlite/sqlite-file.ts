import { StoreError } from '../../errors/store-error.js'
import type { SqliteDatabase } from './sqlite-database.js'
import { SQL } from './sqlite-queries.js'
import { APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION } from './sqlite-schema.js'
import type { ResolvedSqliteStoreOptions } from './sqlite-store-options.js'
import { isBusyError, isCorruptError, toStoreError } from './to-store-error.js'

/** Problems of `PRAGMA quick_check` quoted in the error: enough to diagnose. */
const MAX_PROBLEMS_QUOTED = 3

/**
 * Makes a freshly opened connection the store's: takes the file for this process alone, checks
 * that it is an eventrouter store this build can read, migrates it, and releases the claims of
 * the process that had it before. Throws a `StoreError` saying what to do when it cannot.
 *
 * The lock: `PRAGMA locking_mode = EXCLUSIVE` before the first access, then a write. SQLite then
 * holds an exclusive lock on the file until the connection lets it go ({@link releaseSqliteFile}),
 * so any other connection, in this process or another, fails with SQLITE_BUSY, reported as "in
 * use by another router". It is an OS file lock (fcntl), so the OS drops it when the process dies,
 * even by SIGKILL: no stale lock file is left to clean up. In WAL mode it also makes SQLite keep
 * the WAL index in its own memory instead of a `-shm` file. (A lock file of our own would survive
 * a SIGKILL; an advisory lock in a table would not keep out a second router that ignores it.)
 */
export function takeSqliteFile(
  db: SqliteDatabase,
  options: ResolvedSqliteStoreOptions,
  operation: string,
): void {
  try {
    db.exec('PRAGMA locking_mode = EXCLUSIVE')
    db.exec(`PRAGMA busy_timeout = ${options.busyTimeoutMs}`)
    // Checks first, with reads only, so that a file it refuses is left byte for byte as it was.
    // The first read is where a file held by another router is refused (SQLITE_BUSY).
    const version = checkIdentity(db, options, operation)
    if (options.checkIntegrity) checkIntegrity(db, options, operation)
    const journal = pragma(db, 'journal_mode', 'WAL')
    if (journal !== 'wal' && journal !== 'memory') {
      throw new StoreError(
        operation,
        `SQLite could not switch ${options.location} to WAL mode (it stays in \`${String(journal)}\` mode): put the file on a local disk.`,
      )
    }
    db.exec(`PRAGMA synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`)
    migrateAndTake(db, version)
  } catch (error) {
    // The advice for a busy or corrupt file already says it was left alone.
    const untouched = isBusyError(error) || isCorruptError(error)
    throw toStoreError(operation, error, untouched ? {} : { outcome: 'The file was not changed' })
  }
}

/**
 * Gives the file back, then closes the connection; also after a failed {@link takeSqliteFile}.
 * libsql's `close()` keeps the connection, and its lock, until its prepared statements are
 * garbage-collected, so a store opened again on the file would find it busy: the lock is let go
 * first. SQLite keeps an exclusive lock taken in WAL mode until the connection leaves WAL mode,
 * so it goes back to rollback mode (which checkpoints the WAL into the file, as the last close
 * would), then to normal locking, which the next read applies. The next `open()` switches to WAL
 * again.
 */
export function releaseSqliteFile(db: SqliteDatabase): void {
  try {
    if (pragma(db, 'journal_mode') === 'wal') pragma(db, 'journal_mode', 'DELETE')
    db.exec('PRAGMA locking_mode = NORMAL')
    pragma(db, 'user_version')
  } finally {
    db.close()
  }
}

/** The schema version of the file (0 for a new one); refuses a file that is not ours or too new. */
function checkIdentity(db: SqliteDatabase, options: ResolvedSqliteStoreOptions, operation: string): number {
  const applicationId = pragma(db, 'application_id')
  const version = Number(pragma(db, 'user_version'))
  if (applicationId === APPLICATION_ID) {
    if (version > SCHEMA_VERSION) {
      throw new StoreError(
        operation,
        `${options.location} has schema version ${version}, written by a newer eventrouter; this one knows up to version ${SCHEMA_VERSION}. Upgrade eventrouter to open it; the file was not changed.`,
      )
    }
    return version
  }
  const objects = (db.prepare('SELECT count(*) AS count FROM sqlite_master').get() as { count: number }).count
  if (applicationId === 0 && version === 0 && Number(objects) === 0) return 0
  throw new StoreError(
    operation,
    `${options.location} is a SQLite database of something else, not an eventrouter store (application_id ${String(applicationId)}, ${objects} schema objects). It was not changed: point \`path\` at a file of its own.`,
  )
}

function checkIntegrity(db: SqliteDatabase, options: ResolvedSqliteStoreOptions, operation: string): void {
  const rows = db.prepare('PRAGMA quick_check').all() as { quick_check?: unknown }[]
  const problems = rows.map((row) => String(row.quick_check)).filter((line) => line !== 'ok')
  if (problems.length === 0) return
  throw new StoreError(
    operation,
    `${options.location} is corrupt (PRAGMA quick_check: ${problems.slice(0, MAX_PROBLEMS_QUOTED).join('; ')}${problems.length > MAX_PROBLEMS_QUOTED ? `; and ${problems.length - MAX_PROBLEMS_QUOTED} more` : ''}). It was left as it is, not recreated: restore it from a backup, or point \`path\` elsewhere to start with an empty store.`,
  )
}

/**
 * One transaction: the migrations from `version` on, the release of every claim (they belonged to
 * a process that is gone) and a header write, which takes the exclusive lock even when there is
 * nothing to migrate or release.
 */
function migrateAndTake(db: SqliteDatabase, version: number): void {
  db.exec('BEGIN IMMEDIATE')
  try {
    for (const migration of MIGRATIONS.slice(version)) db.exec(migration)
    db.exec(`PRAGMA application_id = ${APPLICATION_ID}`)
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`)
    db.prepare(SQL.releaseClaims).run()
    db.exec('COMMIT')
  } catch (error) {
    try {
      db.exec('ROLLBACK')
    } catch {
      // SQLite already rolled back (e.g. on SQLITE_FULL): nothing is left to undo.
    }
    throw error
  }
}

/** Reads (or sets, then reads) a pragma; its one column is named after it. */
function pragma(db: SqliteDatabase, name: string, value?: string): unknown {
  const row = db.prepare(`PRAGMA ${name}${value === undefined ? '' : ` = ${value}`}`).get()
  return (row as Record<string, unknown> | undefined)?.[name]
}
