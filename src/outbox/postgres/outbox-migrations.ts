import { StoreError } from '../../errors/store-error.js'
import type { DatabaseErrorScrubber } from './database-error-scrubber.js'
import { type OutboxStatements, quote } from './outbox-statements.js'
import type { PostgresPool, PostgresPoolClient } from './postgres-pool.js'

/** What `outbox.migrate()` did. */
export interface OutboxMigration {
  /** The table's schema version before: `0` when it did not exist. */
  readonly fromVersion: number
  /** Its version now: the latest this eventrouter knows. */
  readonly toVersion: number
}

/*
 * Each migration runs once per table, in order, in the transaction that records it in the
 * `<table>_migrations` table. Never edit one that has shipped: add the next.
 * - `seq` is the publish order, which relays follow (`ORDER BY seq`).
 * - `payload` is `json`, not `jsonb`: the text is kept as published (key order, duplicate keys,
 *   `\u0000`), so the router is given exactly the payload publish() checked.
 * - A row is pending (`relayed_at` and `failed_at` null), relayed, or failed; `available_at` is
 *   the time before which a relay does not claim it again after a retryable failure.
 */
function migrations(table: string, name: string): readonly string[] {
  const index = (suffix: string) => quote(`${table}_${suffix}`)
  return [
    `CREATE TABLE ${name} (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id text NOT NULL,
  tenant text,
  name text NOT NULL,
  payload json NOT NULL,
  occurred_at timestamptz NOT NULL,
  published_at timestamptz NOT NULL DEFAULT now(),
  available_at timestamptz NOT NULL DEFAULT now(),
  attempts integer NOT NULL DEFAULT 0,
  relayed_at timestamptz,
  failed_at timestamptz,
  last_error text,
  CONSTRAINT ${index('one_outcome')} CHECK (relayed_at IS NULL OR failed_at IS NULL)
);
CREATE UNIQUE INDEX ${index('event')} ON ${name} ((coalesce(tenant, '')), id);
CREATE INDEX ${index('pending')} ON ${name} (seq) WHERE relayed_at IS NULL AND failed_at IS NULL;
CREATE INDEX ${index('relayed')} ON ${name} (relayed_at) WHERE relayed_at IS NOT NULL;`,
  ]
}

/**
 * Creates the schema (when missing), the table and its indexes, or brings an older table up to
 * date, in one transaction under an advisory lock of the table: processes that migrate at once
 * wait for each other, and the ones after the first find nothing to do. A table of a newer
 * eventrouter is refused, untouched.
 *
 * @throws {StoreError} naming the table, with the database's error as `cause`.
 */
export async function migrateOutbox(
  pool: PostgresPool,
  schema: string,
  table: string,
  sql: OutboxStatements,
  errors: DatabaseErrorScrubber,
): Promise<OutboxMigration> {
  const operation = `migrate the outbox table ${sql.label}`
  let client: PostgresPoolClient
  try {
    client = await pool.connect()
  } catch (error) {
    throw errors.storeError(operation, error)
  }
  // A connection lost while checked out is reported on the client: without a listener, that
  // would be an uncaught exception. The query in progress rejects with it anyway.
  const ignore = () => {}
  client.on('error', ignore)
  let broken: unknown
  try {
    await client.query('BEGIN')
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [sql.lockKey])
    const found = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])
    // CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege even when the schema exists, so it
    // runs only when the schema is missing; IF NOT EXISTS still, for another table's migration
    // (another lock) creating the same schema at the same time.
    if (found.rows.length === 0) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quote(schema)}`)
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${sql.migrations} (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
    )
    const current = await client.query(
      `SELECT coalesce(max(version), 0)::int AS version FROM ${sql.migrations}`,
    )
    const fromVersion = Number(current.rows[0]?.version ?? 0)
    const steps = migrations(table, sql.table)
    if (fromVersion > steps.length) {
      await client.query('ROLLBACK')
      throw new StoreError(
        operation,
        `the table is at schema version ${fromVersion}, newer than this eventrouter knows (${steps.length}); upgrade eventrouter`,
      )
    }
    for (let version = fromVersion + 1; version <= steps.length; version++) {
      await client.query(steps[version - 1] as string)
      await client.query(`INSERT INTO ${sql.migrations} (version) VALUES ($1::int)`, [version])
    }
    await client.query('COMMIT')
    return { fromVersion, toVersion: steps.length }
  } catch (error) {
    if (error instanceof StoreError) throw error
    broken = error
    await client.query('ROLLBACK').catch(() => {})
    throw errors.storeError(operation, error)
  } finally {
    client.removeListener('error', ignore)
    client.release(broken instanceof Error ? broken : undefined)
  }
}
