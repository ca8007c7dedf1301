import type Libsql from 'libsql'
import { describe, expectTypeOf, it } from 'vitest'
import type { SqliteDatabase, SqliteStoreOptions } from '../../src/stores/sqlite/index.js'

// node:sqlite's DatabaseSync as @types/node 22 declares it: Node 20's types have no node:sqlite.
type SQLInputValue = null | number | bigint | string | NodeJS.ArrayBufferView
type SQLOutputValue = null | number | bigint | string | Uint8Array
interface StatementResultingChanges {
  changes: number | bigint
  lastInsertRowid: number | bigint
}
declare class StatementSync {
  all(...anonymousParameters: SQLInputValue[]): Record<string, SQLOutputValue>[]
  all(
    namedParameters: Record<string, SQLInputValue>,
    ...anonymousParameters: SQLInputValue[]
  ): Record<string, SQLOutputValue>[]
  get(...anonymousParameters: SQLInputValue[]): Record<string, SQLOutputValue> | undefined
  get(
    namedParameters: Record<string, SQLInputValue>,
    ...anonymousParameters: SQLInputValue[]
  ): Record<string, SQLOutputValue> | undefined
  run(...anonymousParameters: SQLInputValue[]): StatementResultingChanges
  run(
    namedParameters: Record<string, SQLInputValue>,
    ...anonymousParameters: SQLInputValue[]
  ): StatementResultingChanges
  readonly sourceSQL: string
}
declare class DatabaseSync {
  constructor(path: string, options?: { open?: boolean; timeout?: number })
  close(): void
  exec(sql: string): void
  open(): void
  prepare(sql: string): StatementSync
}

// better-sqlite3's Database as @types/better-sqlite3 7.6 declares it (the part that matters).
declare namespace BetterSqlite3 {
  interface RunResult {
    changes: number
    lastInsertRowid: number | bigint
  }
  interface Statement<BindParameters extends unknown[], Result = unknown> {
    run(...params: BindParameters): RunResult
    get(...params: BindParameters): Result | undefined
    all(...params: BindParameters): Result[]
    pluck(toggleState?: boolean): this
  }
  interface Database {
    // biome-ignore lint/complexity/noBannedTypes: as better-sqlite3 declares it
    prepare<BindParameters extends unknown[] | {} = unknown[], Result = unknown>(
      source: string,
    ): BindParameters extends unknown[]
      ? Statement<BindParameters, Result>
      : Statement<[BindParameters], Result>
    exec(source: string): this
    close(): this
    pragma(source: string, options?: { simple?: boolean }): unknown
  }
}

describe('SqliteDatabase', () => {
  it('is satisfied by libsql, node:sqlite and better-sqlite3 connections as they are', () => {
    expectTypeOf<InstanceType<typeof Libsql>>().toExtend<SqliteDatabase>()
    expectTypeOf<DatabaseSync>().toExtend<SqliteDatabase>()
    expectTypeOf<BetterSqlite3.Database>().toExtend<SqliteDatabase>()
  })

  it('sqliteStore takes a path or a database, not both', () => {
    expectTypeOf<{ path: string }>().toExtend<SqliteStoreOptions>()
    expectTypeOf<{ database: DatabaseSync; synchronous: 'full' }>().toExtend<SqliteStoreOptions>()
    expectTypeOf<{ path: string; database: DatabaseSync }>().not.toExtend<SqliteStoreOptions>()
    expectTypeOf<{ path: string; synchronous: 'off' }>().not.toExtend<SqliteStoreOptions>()
  })
})
