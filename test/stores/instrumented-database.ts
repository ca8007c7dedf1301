import type { SqliteDatabase, SqliteStatement, SqliteValue } from '../../src/stores/sqlite/index.js'

/**
 * A {@link SqliteDatabase} that passes every call to a real one, counts the rows each read
 * returns, and fails on command: a fault injected where the driver would report one.
 */
export class InstrumentedDatabase implements SqliteDatabase {
  readonly #inner: SqliteDatabase
  #runsBeforeFailure: number | undefined
  #failure: Error | undefined
  /** The most rows one `get()` or `all()` call returned since the last {@link resetCounts}. */
  mostRowsPerRead = 0
  /** Rows returned by reads since the last {@link resetCounts}. */
  rowsRead = 0

  constructor(inner: SqliteDatabase) {
    this.#inner = inner
  }

  /** Lets `runs` statement runs through, then makes the next one throw `failure`. */
  failRun(runs: number, failure: Error = sqliteError('disk I/O error', 'SQLITE_IOERR_WRITE')): void {
    this.#runsBeforeFailure = runs
    this.#failure = failure
  }

  resetCounts(): void {
    this.mostRowsPerRead = 0
    this.rowsRead = 0
  }

  exec(sql: string): unknown {
    return this.#inner.exec(sql)
  }

  prepare(sql: string): SqliteStatement {
    const statement = this.#inner.prepare(sql)
    return {
      run: (...params: SqliteValue[]) => {
        this.#maybeFail()
        return statement.run(...params)
      },
      get: (...params: SqliteValue[]) => {
        const row = statement.get(...params)
        this.#count(row === undefined ? 0 : 1)
        return row
      },
      all: (...params: SqliteValue[]) => {
        const rows = statement.all(...params)
        this.#count(rows.length)
        return rows
      },
    }
  }

  close(): unknown {
    return this.#inner.close()
  }

  #maybeFail(): void {
    if (this.#runsBeforeFailure === undefined) return
    if (this.#runsBeforeFailure > 0) {
      this.#runsBeforeFailure--
      return
    }
    this.#runsBeforeFailure = undefined
    throw this.#failure
  }

  #count(rows: number): void {
    this.rowsRead += rows
    this.mostRowsPerRead = Math.max(this.mostRowsPerRead, rows)
  }
}

/** An error shaped like the ones libsql and better-sqlite3 throw. */
export function sqliteError(message: string, code: string): Error {
  return Object.assign(new Error(message), { name: 'SqliteError', code })
}
