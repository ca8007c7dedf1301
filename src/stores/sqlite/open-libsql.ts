import { StoreError } from '../../errors/store-error.js'
import type { SqliteDatabase } from './sqlite-database.js'
import { toStoreError } from './to-store-error.js'

/**
 * Opens `path` with the `libsql` package, an optional peer dependency: it is imported here, on
 * first use, so that an app that never opens a SQLite store does not need it installed.
 */
export async function openLibsql(path: string, operation: string): Promise<SqliteDatabase> {
  let Database: new (path: string) => SqliteDatabase
  try {
    Database = (await import('libsql')).default
  } catch (error) {
    throw new StoreError(
      operation,
      'the `libsql` package could not be loaded. Install it (`npm install libsql`), or open the database ' +
        'yourself and pass `{ database }` (better-sqlite3, or `node:sqlite` on Node >= 22.13).',
      { cause: error },
    )
  }
  try {
    return new Database(path)
  } catch (error) {
    // libsql reports a file it cannot open without a result code.
    throw toStoreError(operation, error, { kind: 'cantopen' })
  }
}
