import type { DeadLetter, ResolvedDeadLetterQuery } from '../../dead-letters/dead-letter.js'
import { StoreError } from '../../errors/store-error.js'
import type {
  AcceptedEvent,
  ClaimedDeliveries,
  DeliveryRecord,
  IntegrationHealth,
  PendingSummary,
  Store,
  StoredConfiguration,
  StoredIntegration,
  StoredSubscription,
  StoreOperation,
} from '../store.js'
import { applyOperation } from './apply-operation.js'
import { openLibsql } from './open-libsql.js'
import type { SqliteDatabase } from './sqlite-database.js'
import { releaseSqliteFile, takeSqliteFile } from './sqlite-file.js'
import { deadLetterQuery, SqliteStatements } from './sqlite-queries.js'
import { tenantKey, tenantOfKey } from './sqlite-schema.js'
import {
  type ResolvedSqliteStoreOptions,
  resolveSqliteStoreOptions,
  type SqliteStoreOptions,
} from './sqlite-store-options.js'
import { toStoreError } from './to-store-error.js'

type State = 'created' | 'opening' | 'open' | 'closed'

/**
 * Every store open in this process. An open store holds its file's lock until close(); a libsql
 * connection nothing references is closed by the garbage collector, which would let the file go
 * while the store was never closed (a host that dropped its router without closing it).
 */
const OPEN_STORES = new Set<SqliteStore>()

/**
 * A {@link Store} in one SQLite file, for a router that runs as one process:
 *
 * ```ts
 * import { sqliteStore } from 'eventrouter/stores/sqlite'
 * const store = sqliteStore({ path: 'var/eventrouter.db' })
 * ```
 *
 * - One file in WAL mode (with a `-wal` file beside it while open). Every `write()` is one
 *   transaction; see `synchronous` for what a crash or a power loss can cost.
 * - One router per file: `open()` takes an exclusive lock that the file keeps until `close()`
 *   or the death of the process (the OS drops it, even on SIGKILL); a second router's `open()`
 *   is refused with a `StoreError` saying the file is in use.
 * - The schema is versioned and migrated at `open()`; a file of a newer eventrouter, a corrupt
 *   one, or one that is not an eventrouter store is refused, and never recreated.
 * - Methods other than `open()` are synchronous, so `emit()` returns once its deliveries are on
 *   disk. Every failure is a `StoreError` naming the operation, with the driver's error as cause.
 *
 * The file is opened with the `libsql` package (an optional peer: `npm install libsql`), or
 * pass a connection of your own as `database` (better-sqlite3, `node:sqlite`).
 */
export function sqliteStore(options: SqliteStoreOptions): SqliteStore {
  return new SqliteStore(options)
}

/** The store {@link sqliteStore} makes. */
export class SqliteStore implements Store {
  readonly durable = true
  readonly #options: ResolvedSqliteStoreOptions
  #state: State = 'created'
  #db: SqliteDatabase | undefined
  #statements: SqliteStatements | undefined

  constructor(options: SqliteStoreOptions) {
    this.#options = resolveSqliteStoreOptions(options)
  }

  /** The database file, as given; `undefined` when the store was given a `database`. */
  get path(): string | undefined {
    return this.#options.path
  }

  async open(): Promise<void> {
    const operation = `open the SQLite store at ${this.#options.location}`
    if (this.#state !== 'created') {
      throw new StoreError(
        operation,
        `the store is already ${this.#state === 'closed' ? 'closed' : 'open'}: a store is opened once (make a new one to open the file again).`,
      )
    }
    this.#state = 'opening'
    let db: SqliteDatabase | undefined
    try {
      db = this.#options.database ?? (await openLibsql(this.#options.path ?? '', operation))
      if (this.#state !== 'opening') throw new StoreError(operation, 'close() was called while it opened.')
      takeSqliteFile(db, this.#options, operation)
      this.#statements = new SqliteStatements(db)
    } catch (error) {
      if (db !== undefined) closeQuietly(db)
      // A `path` store can try again (the file may be free later); a given connection is closed now.
      if (this.#state === 'opening') this.#state = this.#options.database === undefined ? 'created' : 'closed'
      throw toStoreError(operation, error)
    }
    this.#db = db
    this.#state = 'open'
    OPEN_STORES.add(this)
  }

  close(): void {
    const db = this.#db
    const wasOpen = this.#state === 'open'
    this.#state = 'closed'
    this.#db = undefined
    this.#statements = undefined
    OPEN_STORES.delete(this)
    if (!wasOpen || db === undefined) return
    try {
      releaseSqliteFile(db)
    } catch (error) {
      throw toStoreError(`close the SQLite store at ${this.#options.location}`, error)
    }
  }

  write(operations: readonly StoreOperation[]): void {
    const count = operations.length
    const operation = `write ${count === 1 ? 'an operation' : `${count} operations`} to the SQLite store at ${this.#options.location}`
    const statements = this.#use(operation)
    if (count === 0) return
    const db = this.#db!
    let step = 'at BEGIN'
    try {
      db.exec('BEGIN IMMEDIATE')
      for (const [index, item] of operations.entries()) {
        step = `at operation ${index + 1} of ${count} (${describeType(item)})`
        applyOperation(statements, item)
      }
      step = 'at COMMIT'
      db.exec('COMMIT')
    } catch (error) {
      rollback(db)
      throw toStoreError(operation, error, { detail: step, outcome: 'Nothing of the batch was kept' })
    }
  }

  loadConfiguration(): StoredConfiguration {
    return this.#read(`load the configuration from the SQLite store at ${this.#options.location}`, (s) => ({
      integrations: records<StoredIntegration>(s.get('loadIntegrations').all()),
      subscriptions: records<StoredSubscription>(s.get('loadSubscriptions').all()),
      disabledEvents: (s.get('loadDisabledEvents').all() as { tenant_key: string; name_json: string }[]).map(
        (row) => ({ tenant: tenantOfKey(row.tenant_key), name: JSON.parse(row.name_json) as string }),
      ),
    }))
  }

  loadHealth(): readonly IntegrationHealth[] {
    return this.#read(`load integration health from the SQLite store at ${this.#options.location}`, (s) =>
      records<IntegrationHealth>(s.get('loadHealth').all()),
    )
  }

  pendingSummary(): readonly PendingSummary[] {
    return this.#read(`summarize pending deliveries in the SQLite store at ${this.#options.location}`, (s) =>
      (s.get('pendingSummary').all() as SummaryRow[]).map((row) => ({
        queue: JSON.parse(row.queue_json) as string,
        pending: Number(row.pending),
        unclaimed: Number(row.unclaimed),
        nextDueAt: row.next_due_at === null ? null : Number(row.next_due_at),
      })),
    )
  }

  claimDue(queue: string, now: number, limit: number): ClaimedDeliveries {
    const operation = `claim due deliveries of queue \`${String(queue)}\` in the SQLite store at ${this.#options.location}`
    const statements = this.#use(operation)
    if (typeof queue !== 'string' || typeof now !== 'number' || Number.isNaN(now)) {
      throw new StoreError(operation, 'expected a queue (string) and `now` (epoch ms).')
    }
    if (!Number.isSafeInteger(limit) || limit < 0) {
      throw new StoreError(
        operation,
        `expected \`limit\` to be a non-negative integer, got ${String(limit)}.`,
      )
    }
    // ±Infinity as the largest REAL SQLite keeps: "everything" and "nothing" stay what they mean.
    const cutoff = Math.max(-Number.MAX_VALUE, Math.min(Number.MAX_VALUE, now))
    const db = this.#db!
    try {
      db.exec('BEGIN IMMEDIATE')
      const rows = limit === 0 ? [] : (statements.get('selectDue').all(queue, cutoff, limit) as DueRow[])
      const claim = statements.get('claim')
      const claimed = rows.map((row) => {
        claim.run(row.seq)
        return parseRecord<DeliveryRecord>(row.record)
      })
      const next = statements.get('nextDue').get(queue) as { not_before: number } | undefined
      db.exec('COMMIT')
      return { records: claimed, nextDueAt: next === undefined ? null : Number(next.not_before) }
    } catch (error) {
      rollback(db)
      throw toStoreError(operation, error, { outcome: 'Nothing was claimed' })
    }
  }

  getDeliveries(ids: readonly string[]): readonly DeliveryRecord[] {
    return this.#read(
      `read ${ids.length} deliveries from the SQLite store at ${this.#options.location}`,
      (s) => {
        const statement = s.get('getDelivery')
        const found: DeliveryRecord[] = []
        for (const id of ids) {
          if (typeof id !== 'string')
            throw new TypeError(`expected delivery ids to be strings, got ${typeof id}`)
          const row = statement.get(id) as RecordRow | undefined
          if (row !== undefined) found.push(parseRecord<DeliveryRecord>(row.record))
        }
        return found
      },
    )
  }

  listDeadLetters(query: ResolvedDeadLetterQuery): readonly DeadLetter[] {
    return this.#read(`list dead letters in the SQLite store at ${this.#options.location}`, (s) => {
      if (query.limit !== undefined && !(Number.isSafeInteger(query.limit) && query.limit >= 0)) {
        throw new TypeError(`expected \`limit\` to be a non-negative integer, got ${String(query.limit)}`)
      }
      const { sql, params } = deadLetterQuery(query)
      return records<DeadLetter>(s.prepared(sql).all(...params))
    })
  }

  getAcceptedEvent(tenant: string | null, eventId: string): AcceptedEvent | undefined {
    return this.#read(
      `look up accepted event \`${String(eventId)}\` in the SQLite store at ${this.#options.location}`,
      (s) => {
        if (typeof eventId !== 'string')
          throw new TypeError(`expected an event id string, got ${typeof eventId}`)
        const row = s.get('getAcceptedEvent').get(tenantKey(tenant), eventId) as RecordRow | undefined
        return row === undefined ? undefined : parseRecord<AcceptedEvent>(row.record)
      },
    )
  }

  /** The statements of the open store; throws a `StoreError` about `operation` when it is not open. */
  #use(operation: string): SqliteStatements {
    if (this.#state === 'open' && this.#statements !== undefined) return this.#statements
    const why =
      this.#state === 'closed' ? 'the store is closed.' : 'the store is not open: call open() first.'
    throw new StoreError(operation, why)
  }

  #read<T>(operation: string, body: (statements: SqliteStatements) => T): T {
    const statements = this.#use(operation)
    try {
      return body(statements)
    } catch (error) {
      throw toStoreError(operation, error)
    }
  }
}

interface RecordRow {
  readonly record: string
}

interface DueRow extends RecordRow {
  readonly seq: number
}

interface SummaryRow {
  readonly queue_json: string
  readonly pending: number
  readonly unclaimed: number
  readonly next_due_at: number | null
}

function records<T>(rows: unknown[]): T[] {
  return (rows as RecordRow[]).map((row) => parseRecord<T>(row.record))
}

function parseRecord<T>(text: unknown): T {
  if (typeof text !== 'string')
    throw new TypeError('a stored row has no record: the file was changed by hand')
  try {
    return JSON.parse(text) as T
  } catch (error) {
    throw new TypeError(
      'a stored record is not JSON: the file was changed by hand; restore it from a backup',
      {
        cause: error,
      },
    )
  }
}

function describeType(operation: unknown): string {
  const type: unknown = (operation as { type?: unknown } | null)?.type
  return typeof type === 'string' ? type : 'no type'
}

function rollback(db: SqliteDatabase): void {
  try {
    db.exec('ROLLBACK')
  } catch {
    // No transaction left: BEGIN failed, or SQLite rolled back itself (SQLITE_FULL, I/O errors).
  }
}

function closeQuietly(db: SqliteDatabase): void {
  try {
    releaseSqliteFile(db)
  } catch {
    // Already failing: the error that made open() give up is the one worth reporting.
  }
}
