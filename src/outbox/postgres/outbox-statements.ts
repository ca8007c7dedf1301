import { createHash } from 'node:crypto'

/** The SQL of one outbox table, its identifiers validated and quoted once. */
export interface OutboxStatements {
  /** `"schema"."table"`, for SQL. */
  readonly table: string
  /** `schema.table`, for messages. */
  readonly label: string
  /** `"schema"."table_migrations"`. */
  readonly migrations: string
  /** The key of the advisory lock migrations take: one per table, as a bigint in decimal. */
  readonly lockKey: string
  /** `$1` id, `$2` tenant, `$3` name, `$4` payload JSON, `$5` occurred at, [`$6` channel]: returns the row written, none for a duplicate. */
  readonly publish: string
  readonly publishNotify: string
  /** Begins a relay's transaction, with the settings its claim and marks run under. */
  readonly beginClaim: string
  /** `$1` batch size: the due rows, oldest first, locked, skipping those another relay holds. */
  readonly claim: string
  /** `$1` seqs. */
  readonly markRelayed: string
  /** `$1` seq, `$2` error message. */
  readonly markFailed: string
  /** `$1` seq, `$2` error message, `$3` delay in ms. */
  readonly markRetry: string
  /** `$1` age in ms, `$2` most rows: deletes relayed rows older than that. */
  readonly prune: string
}

/** Builds the statements of `schema.table`; both must already be valid identifiers. */
export function outboxStatements(schema: string, table: string): OutboxStatements {
  const name = `${quote(schema)}.${quote(table)}`
  const values = '($1::text, $2::text, $3::text, $4::json, $5::timestamptz)'
  // The unique index is on (coalesce(tenant, ''), id): '' is no tenant id, so the platform's
  // ids never meet a tenant's. ON CONFLICT names the same expression to use that index.
  const insert = `WITH inserted AS (
  INSERT INTO ${name} (id, tenant, name, payload, occurred_at) VALUES ${values}
  ON CONFLICT ((coalesce(tenant, '')), id) DO NOTHING
  RETURNING seq
)`
  const lock = createHash('sha256').update(`eventrouter.outbox:${schema}.${table}`).digest()
  return {
    table: name,
    label: `${schema}.${table}`,
    migrations: `${quote(schema)}.${quote(`${table}_migrations`)}`,
    lockKey: lock.readBigInt64BE(0).toString(),
    publish: `${insert}\nSELECT seq::text AS seq FROM inserted`,
    // pg_notify() returns void, which some clients cannot read (Prisma): the column is text.
    // NOTIFY is sent at commit, never for a transaction that rolls back.
    publishNotify: `${insert}\nSELECT seq::text AS seq, pg_notify($6::text, '')::text AS notified FROM inserted`,
    beginClaim: BEGIN_CLAIM,
    // ORDER BY o.seq, the column: a bare `seq` would be the text alias (and a sort of every row).
    claim: `SELECT o.seq::text AS seq, o.id, o.tenant, o.name, o.payload::text AS payload,
  (extract(epoch FROM o.occurred_at) * 1000)::float8 AS occurred_at_ms, o.attempts
FROM ${name} AS o
WHERE o.relayed_at IS NULL AND o.failed_at IS NULL AND o.available_at <= now()
ORDER BY o.seq
LIMIT $1
FOR UPDATE SKIP LOCKED`,
    markRelayed: `UPDATE ${name} SET relayed_at = now(), attempts = attempts + 1, last_error = NULL
WHERE seq = ANY($1::bigint[])`,
    markFailed: `UPDATE ${name} SET failed_at = now(), attempts = attempts + 1, last_error = $2::text
WHERE seq = $1::bigint`,
    markRetry: `UPDATE ${name} SET attempts = attempts + 1, last_error = $2::text,
  available_at = now() + $3::float8 * interval '1 millisecond'
WHERE seq = $1::bigint`,
    prune: `DELETE FROM ${name} WHERE seq IN (
  SELECT seq FROM ${name}
  WHERE relayed_at < now() - $1::float8 * interval '1 millisecond'
  ORDER BY relayed_at
  LIMIT $2
  FOR UPDATE SKIP LOCKED
)`,
  }
}

/*
 * One round trip (no parameters, so several statements may go in one query), scoped to the
 * relay's own transaction:
 * - synchronous_commit off: a mark need not wait for its WAL flush. One that a crash of the server
 *   loses leaves its row pending, and emitting it again is a duplicate the router drops; waiting
 *   would cost an fsync per batch. Publishing keeps the host's own setting.
 * - no sort, bitmap or sequential scan: the claim walks the pending index in `seq` order and stops
 *   after a batch. With stale statistics (a fresh table, a backlog piled up after an outage) the
 *   planner otherwise reads and sorts every pending row to return a batch of them: 20 ms instead
 *   of 1 ms per claim over a 20,000-row backlog.
 */
const BEGIN_CLAIM =
  'BEGIN; SET LOCAL synchronous_commit TO OFF; SET LOCAL enable_sort TO OFF; SET LOCAL enable_bitmapscan TO OFF; SET LOCAL enable_seqscan TO OFF'

/** A double-quoted identifier (the names are validated, so this is only for case and keywords). */
export function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`
}

/** Longest identifier PostgreSQL keeps (NAMEDATALEN - 1). */
const MAX_IDENTIFIER = 63

/**
 * The default NOTIFY channel of a table: `schema.table`, or, past 63 characters, its start and a
 * hash (pg_notify() refuses a longer channel name, LISTEN would truncate it).
 */
export function defaultChannel(schema: string, table: string): string {
  const full = `${schema}.${table}`
  if (full.length <= MAX_IDENTIFIER) return full
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 12)
  return `${full.slice(0, MAX_IDENTIFIER - 13)}_${hash}`
}
