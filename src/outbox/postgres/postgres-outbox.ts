import { z } from 'zod'
import type { Catalog } from '../../catalog/catalog.js'
import { parseInput } from '../../errors/parse-input.js'
import { ValidationError } from '../../errors/validation-error.js'
import type { EmittableName, EmittablePayload } from '../../router/typed-events.js'
import { type OutboxPublishOptions, toOutboxEntry } from '../outbox-entry.js'
import type { PublishedEvent } from '../outbox-event.js'
import { type OutboxExecutor, rowsReturned } from '../outbox-executor.js'
import type { OutboxRouter } from '../outbox-router.js'
import { DatabaseErrorScrubber } from './database-error-scrubber.js'
import { migrateOutbox, type OutboxMigration } from './outbox-migrations.js'
import { OutboxRelay } from './outbox-relay.js'
import { type OutboxRelayOptions, resolveOutboxRelayOptions } from './outbox-relay-options.js'
import { type OutboxStatements, outboxStatements } from './outbox-statements.js'
import {
  type PostgresOutboxOptions,
  type ResolvedPostgresOutboxOptions,
  resolvePostgresOutboxOptions,
} from './postgres-outbox-options.js'

/** Rows one prune statement deletes at most: short statements, short locks. */
const PRUNE_CHUNK = 5000

/**
 * A transactional outbox in a table of the host's PostgreSQL: events are written in the host's
 * own transaction, with its business change, and relayed into a router after commit.
 *
 * ```ts
 * import { postgresOutbox } from 'eventrouter/outbox/postgres'
 *
 * const outbox = postgresOutbox({ pool, catalog: loyaltyCatalog })
 * await outbox.migrate()
 *
 * // In the host's transaction: rolled back with it, committed with it.
 * await client.query('BEGIN')
 * await client.query('UPDATE wallets SET coins = coins + $1 WHERE customer_id = $2', [150, 'c_1'])
 * await outbox.publish(client, 'wallet.coins_rewarded', payload, { tenant: 'acme' })
 * await client.query('COMMIT')
 *
 * // In any process: emits what was committed, once.
 * const relay = outbox.relay(router)
 * ```
 */
export function postgresOutbox<C extends Catalog | undefined = undefined>(
  options: PostgresOutboxOptions<C>,
): PostgresOutbox<C> {
  return new PostgresOutbox(options)
}

/** The outbox {@link postgresOutbox} makes. */
export class PostgresOutbox<C extends Catalog | undefined = undefined> {
  readonly #options: ResolvedPostgresOutboxOptions
  readonly #sql: OutboxStatements
  readonly #errors: DatabaseErrorScrubber

  constructor(options: PostgresOutboxOptions<C>) {
    this.#options = resolvePostgresOutboxOptions(options as PostgresOutboxOptions<Catalog | undefined>)
    this.#sql = outboxStatements(this.#options.schema, this.#options.table)
    this.#errors = new DatabaseErrorScrubber(this.#options.pool)
  }

  /** The table, as `schema.table`. */
  get table(): string {
    return this.#sql.label
  }

  /** The LISTEN/NOTIFY channel. */
  get channel(): string {
    return this.#options.channel
  }

  /**
   * Writes an event into the outbox through `executor`, the host's transaction: it is relayed
   * if and only if that transaction commits. Checks it first as `emit()` will (name, JSON
   * payload, options, and with a catalog the payload's schema), so a bad event rejects here with
   * a `ValidationError` and nothing is written: let it fail the transaction. With `notify`, the
   * same statement sends `pg_notify()`, which PostgreSQL delivers on commit only.
   *
   * An id the outbox already holds (in the same tenant) writes nothing: `duplicate: true`.
   * Errors of the database are passed on as the executor raised them (SQLSTATE included).
   *
   * @throws {ValidationError} for a bad event, option or executor (nothing written).
   */
  async publish<N extends EmittableName<C>>(
    executor: OutboxExecutor,
    name: N,
    payload: EmittablePayload<C, N>,
    options?: OutboxPublishOptions,
  ): Promise<PublishedEvent> {
    this.#checkExecutor(executor)
    const entry = toOutboxEntry(name, payload, options, this.#options.catalog)
    const values = [entry.id, entry.tenant, entry.name, entry.payload, entry.occurredAt]
    const result = this.#options.notify
      ? await executor.query(this.#sql.publishNotify, [...values, this.#options.channel])
      : await executor.query(this.#sql.publish, values)
    return { id: entry.id, tenant: entry.tenant, duplicate: rowsReturned(result) === 0 }
  }

  /**
   * Starts relaying committed events into `router` and returns the running relay (`stop()` it
   * on shutdown, before closing the router). Run one in as many processes as you like: they
   * share the rows. With `listen`, the relay keeps one connection of the pool checked out for as
   * long as it runs, and takes another for each batch.
   *
   * @throws {ValidationError} for a bad option.
   */
  relay(router: OutboxRouter, options: OutboxRelayOptions = {}): OutboxRelay {
    if (typeof (router as { emit?: unknown } | null)?.emit !== 'function') {
      throw new ValidationError('outbox relay', [
        { path: 'router', message: 'expected an EventRouter (an object with emit())' },
      ])
    }
    const resolved = resolveOutboxRelayOptions(options)
    const { pool, channel } = this.#options
    const max = (pool as { options?: { max?: unknown } }).options?.max
    if (resolved.listen && typeof max === 'number' && max < 2) {
      // The LISTEN connection stays checked out: the claims would wait for a connection forever.
      throw new ValidationError('outbox relay options', [
        {
          path: 'listen',
          message: `the relay keeps one connection of the pool for LISTEN and needs another to claim, but the pool's max is ${max}: raise it, or set listen: false`,
        },
      ])
    }
    return new OutboxRelay(
      {
        pool,
        channel,
        sql: this.#sql,
        errors: this.#errors,
        prune: (olderThanMs) => this.#prune(olderThanMs),
      },
      router,
      resolved,
    )
  }

  /**
   * Creates the schema (when missing), the table and its indexes, or migrates an older table;
   * does nothing when it is up to date. Safe to run from several processes at once (they take
   * an advisory lock of the table in turn). Run it at deploy or at start, before publishing.
   *
   * @throws {StoreError} when the database refuses (a table of a newer eventrouter, a permission).
   */
  migrate(): Promise<OutboxMigration> {
    return migrateOutbox(
      this.#options.pool,
      this.#options.schema,
      this.#options.table,
      this.#sql,
      this.#errors,
    )
  }

  /**
   * Deletes relayed rows relayed more than `olderThanMs` ago (failed and pending rows are never
   * deleted) and resolves with how many. Relays do this on their own (`retentionMs`).
   *
   * @throws {StoreError} when the database fails.
   */
  async prune(options: { olderThanMs: number }): Promise<number> {
    const { olderThanMs } = parseInput(pruneSchema, options, 'prune options')
    return this.#prune(olderThanMs)
  }

  async #prune(olderThanMs: number): Promise<number> {
    let total = 0
    for (;;) {
      let deleted: number
      try {
        const result = await this.#options.pool.query(this.#sql.prune, [olderThanMs, PRUNE_CHUNK])
        deleted = result.rowCount ?? 0
      } catch (error) {
        throw this.#errors.storeError(`delete old relayed rows from the outbox ${this.#sql.label}`, error)
      }
      total += deleted
      if (deleted < PRUNE_CHUNK) return total
    }
  }

  #checkExecutor(executor: unknown): void {
    let message: string | undefined
    if (executor === this.#options.pool) {
      message =
        'expected the client of your transaction, got the pool itself: on the pool, the event would be committed on its own, not with your change'
    } else if (typeof (executor as { query?: unknown } | null)?.query !== 'function') {
      message = 'expected the transaction to write in: an object with query(text, values), e.g. a pg client'
    }
    if (message !== undefined) throw new ValidationError('event', [{ path: 'executor', message }])
  }
}

const pruneSchema = z.strictObject({ olderThanMs: z.number().int().min(0) }, 'expected { olderThanMs }')
