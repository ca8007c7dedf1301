export type { SqliteDatabase, SqliteStatement, SqliteValue } from './sqlite-database.js'
export { type SqliteStore, sqliteStore } from './sqlite-store.js'
export type {
  SqliteStoreDatabaseOptions,
  SqliteStoreOptions,
  SqliteStorePathOptions,
  SqliteStoreSettings,
  SqliteSynchronous,
} from './sqlite-store-options.js'
