import type { ResolvedDeadLetterQuery } from '../../dead-letters/dead-letter.js'
import { describeValue } from '../../shared/describe-value.js'
import type { SqliteDatabase, SqliteStatement, SqliteValue } from './sqlite-database.js'
import { tenantKey } from './sqlite-schema.js'

/**
 * The SQL of every fixed statement of the store, by name. Each is prepared once, at `open()`.
 * Exported so that a test can check with EXPLAIN QUERY PLAN that each one uses an index.
 */
export const SQL = {
  putDelivery:
    'INSERT INTO deliveries (id, queue, claimed, not_before, record) VALUES (?, ?, ?, ?, ?) ' +
    'ON CONFLICT (id) DO UPDATE SET queue = excluded.queue, ' +
    'claimed = excluded.claimed, not_before = excluded.not_before, record = excluded.record',
  deleteDelivery: 'DELETE FROM deliveries WHERE id = ?',
  getDelivery: 'SELECT record FROM deliveries WHERE id = ?',
  selectDue:
    'SELECT seq, record FROM deliveries WHERE queue = ? AND claimed = 0 AND not_before <= ? ' +
    'ORDER BY not_before, seq LIMIT ?',
  claim: 'UPDATE deliveries SET claimed = 1 WHERE seq = ?',
  nextDue: 'SELECT not_before FROM deliveries WHERE queue = ? AND claimed = 0 ORDER BY not_before LIMIT 1',
  // Text columns read back go through json_quote(): some drivers cut a string read at its first NUL.
  pendingSummary:
    'SELECT json_quote(c.queue) AS queue_json, c.pending, c.unclaimed, (SELECT d.not_before FROM deliveries AS d ' +
    'WHERE d.queue = c.queue AND d.claimed = 0 ORDER BY d.not_before LIMIT 1) ' +
    'AS next_due_at FROM pending_counts AS c ORDER BY c.queue',
  // Only queues with claimed deliveries (pending_counts says which) are visited.
  releaseClaims:
    'UPDATE deliveries SET claimed = 0 WHERE claimed = 1 AND queue IN ' +
    '(SELECT queue FROM pending_counts WHERE unclaimed < pending)',

  // A letter written again (dead-lettered anew) moves to the end of the write order.
  putDeadLetter:
    'INSERT INTO dead_letters (seq, id, tenant_key, integration_id, reason, dead_lettered_at, record) ' +
    'VALUES ((SELECT coalesce(max(seq), 0) + 1 FROM dead_letters), ?, ?, ?, ?, ?, ?) ' +
    'ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, tenant_key = excluded.tenant_key, ' +
    'integration_id = excluded.integration_id, reason = excluded.reason, ' +
    'dead_lettered_at = excluded.dead_lettered_at, record = excluded.record',
  deleteDeadLetter: 'DELETE FROM dead_letters WHERE id = ?',

  putHealth:
    'INSERT INTO health (tenant_key, integration_id, record) VALUES (?, ?, ?) ' +
    'ON CONFLICT (tenant_key, integration_id) DO UPDATE SET record = excluded.record',
  deleteHealth: 'DELETE FROM health WHERE tenant_key = ? AND integration_id = ?',
  loadHealth: 'SELECT record FROM health ORDER BY seq',

  putIntegration:
    'INSERT INTO integrations (tenant_key, id, record) VALUES (?, ?, ?) ' +
    'ON CONFLICT (tenant_key, id) DO UPDATE SET record = excluded.record',
  deleteIntegration: 'DELETE FROM integrations WHERE tenant_key = ? AND id = ?',
  loadIntegrations: 'SELECT record FROM integrations ORDER BY seq',
  putSubscription:
    'INSERT INTO subscriptions (tenant_key, id, record) VALUES (?, ?, ?) ' +
    'ON CONFLICT (tenant_key, id) DO UPDATE SET record = excluded.record',
  deleteSubscription: 'DELETE FROM subscriptions WHERE tenant_key = ? AND id = ?',
  loadSubscriptions: 'SELECT record FROM subscriptions ORDER BY seq',
  disableEvent:
    'INSERT INTO disabled_events (tenant_key, name) VALUES (?, ?) ON CONFLICT (tenant_key, name) DO NOTHING',
  enableEvent: 'DELETE FROM disabled_events WHERE tenant_key = ? AND name = ?',
  loadDisabledEvents: 'SELECT tenant_key, json_quote(name) AS name_json FROM disabled_events ORDER BY seq',

  putAcceptedEvent:
    'INSERT INTO accepted_events (tenant_key, event_id, accepted_at, record) VALUES (?, ?, ?, ?) ' +
    'ON CONFLICT (tenant_key, event_id) DO UPDATE SET accepted_at = excluded.accepted_at, ' +
    'record = excluded.record',
  getAcceptedEvent: 'SELECT record FROM accepted_events WHERE tenant_key = ? AND event_id = ?',
  pruneAcceptedEvents: 'DELETE FROM accepted_events WHERE accepted_at < ?',
} as const

export type QueryName = keyof typeof SQL

/**
 * A dead-letter query as SQL: one statement per combination of the fields given, each served by
 * an index of `dead_letters` (see the schema). Throws a `TypeError` for a `tenant` that is neither
 * a string nor null.
 */
export function deadLetterQuery(query: ResolvedDeadLetterQuery): { sql: string; params: SqliteValue[] } {
  const where: string[] = []
  const params: SqliteValue[] = []
  // A list of ids is the narrowest filter: the other columns get a unary `+`, which keeps
  // SQLite from picking their index instead (and reading, say, all of a tenant's letters).
  const column = (name: string) => (query.ids === undefined ? name : `+${name}`)
  if (query.ids !== undefined) {
    // One parameter for any number of ids, so the statement is prepared once.
    where.push('id IN (SELECT value FROM json_each(?))')
    params.push(JSON.stringify(query.ids))
  }
  // Present and null: the platform's letters; absent: every tenant's.
  if (query.tenant !== undefined) {
    if (query.tenant !== null && typeof query.tenant !== 'string') {
      throw new TypeError(`expected \`tenant\` to be a string or null, got ${describeValue(query.tenant)}`)
    }
    where.push(`${column('tenant_key')} = ?`)
    params.push(tenantKey(query.tenant))
  }
  if (query.integrationId !== undefined) {
    where.push(`${column('integration_id')} = ?`)
    params.push(query.integrationId)
  }
  if (query.reason !== undefined) {
    where.push(`${column('reason')} = ?`)
    params.push(query.reason)
  }
  if (query.since !== undefined) {
    where.push(`${column('dead_lettered_at')} >= ?`)
    params.push(query.since)
  }
  // LIMIT -1: no limit.
  params.push(query.limit ?? -1)
  const filter = where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`
  return { sql: `SELECT record FROM dead_letters${filter} ORDER BY dead_lettered_at, seq LIMIT ?`, params }
}

/**
 * The prepared statements of one open store: the fixed ones, and the dead-letter queries as they
 * are first asked for.
 */
export class SqliteStatements {
  readonly #db: SqliteDatabase
  readonly #fixed: Record<QueryName, SqliteStatement>
  readonly #cached = new Map<string, SqliteStatement>()

  constructor(db: SqliteDatabase) {
    this.#db = db
    this.#fixed = Object.fromEntries(
      Object.entries(SQL).map(([name, sql]) => [name, db.prepare(sql)]),
    ) as Record<QueryName, SqliteStatement>
  }

  /** The statement named `name`. */
  get(name: QueryName): SqliteStatement {
    return this.#fixed[name]
  }

  /** The statement for `sql`, prepared on first use. */
  prepared(sql: string): SqliteStatement {
    let statement = this.#cached.get(sql)
    if (statement === undefined) {
      statement = this.#db.prepare(sql)
      this.#cached.set(sql, statement)
    }
    return statement
  }
}
