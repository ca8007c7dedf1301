import Database from 'libsql'
import { describe, expect, it } from 'vitest'
import type { ResolvedDeadLetterQuery } from '../../src/dead-letters/dead-letter.js'
import { sqliteStore } from '../../src/stores/sqlite/index.js'
import { deadLetterQuery, type QueryName, SQL } from '../../src/stores/sqlite/sqlite-queries.js'

/** The lines of EXPLAIN QUERY PLAN for `sql`, every `?` bound to a placeholder value. */
function planOf(db: InstanceType<typeof Database>, sql: string): string[] {
  const params = Array.from({ length: (sql.match(/\?/g) ?? []).length }, () => 'x')
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map(
    (row) => row.detail,
  )
}

const BY_ID = /USING (COVERING )?INDEX sqlite_autoindex_\w+ \(/
const DUE = /^SEARCH (deliveries|d) USING (COVERING )?INDEX deliveries_due \(queue=\? AND claimed=\?/

// What each statement must do. Statements that read a whole table on purpose (the loads of
// `start()`) are the only ones allowed a SCAN of it.
const EXPECTED: Record<QueryName, RegExp[]> = {
  putDelivery: [],
  deleteDelivery: [BY_ID],
  getDelivery: [BY_ID],
  selectDue: [/^SEARCH deliveries USING INDEX deliveries_due \(queue=\? AND claimed=\? AND not_before/],
  claim: [/USING INTEGER PRIMARY KEY \(rowid=\?\)/],
  nextDue: [DUE],
  pendingSummary: [/^SCAN c$/, DUE],
  releaseClaims: [DUE, /^SCAN pending_counts$/],
  putDeadLetter: [/^SEARCH dead_letters$/],
  deleteDeadLetter: [BY_ID],
  putHealth: [],
  deleteHealth: [BY_ID],
  loadHealth: [/^SCAN health$/],
  putIntegration: [],
  deleteIntegration: [BY_ID],
  loadIntegrations: [/^SCAN integrations$/],
  putSubscription: [],
  deleteSubscription: [BY_ID],
  loadSubscriptions: [/^SCAN subscriptions$/],
  disableEvent: [],
  enableEvent: [BY_ID],
  loadDisabledEvents: [/^SCAN disabled_events$/],
  putAcceptedEvent: [],
  getAcceptedEvent: [BY_ID],
  pruneAcceptedEvents: [/^SEARCH accepted_events USING INDEX accepted_events_by_time \(accepted_at<\?\)$/],
}

const DEAD_LETTER_QUERIES: [ResolvedDeadLetterQuery, RegExp][] = [
  [{ ids: ['dlv_1'] }, /^SEARCH dead_letters USING INDEX sqlite_autoindex_dead_letters_1 \(id=\?\)$/],
  [
    { integrationId: 'crm' },
    /^SEARCH dead_letters USING INDEX dead_letters_by_integration \(integration_id=\?\)$/,
  ],
  [{ reason: 'shutdown' }, /^SEARCH dead_letters USING INDEX dead_letters_by_reason \(reason=\?\)$/],
  [{ since: 0 }, /^SEARCH dead_letters USING INDEX dead_letters_by_time \(dead_lettered_at>\?\)$/],
  [
    { integrationId: 'crm', since: 0, limit: 10 },
    /^SEARCH dead_letters USING INDEX dead_letters_by_integration \(integration_id=\? AND dead_lettered_at>\?\)$/,
  ],
  // One tenant's letters (the platform's too) are found without reading every tenant's.
  [{ tenant: 'acme' }, /^SEARCH dead_letters USING INDEX dead_letters_by_tenant \(tenant_key=\?\)$/],
  [{ tenant: null, limit: 10 }, /^SEARCH dead_letters USING INDEX dead_letters_by_tenant \(tenant_key=\?\)$/],
  [
    { tenant: 'acme', since: 0 },
    /^SEARCH dead_letters USING INDEX dead_letters_by_tenant \(tenant_key=\? AND dead_lettered_at>\?\)$/,
  ],
  [
    { tenant: 'acme', integrationId: 'crm' },
    /^SEARCH dead_letters USING INDEX dead_letters_by_tenant_integration \(tenant_key=\? AND integration_id=\?\)$/,
  ],
  [
    { tenant: 'acme', integrationId: 'crm', since: 0, limit: 10 },
    /^SEARCH dead_letters USING INDEX dead_letters_by_tenant_integration \(tenant_key=\? AND integration_id=\? AND dead_lettered_at>\?\)$/,
  ],
  [
    { tenant: 'acme', reason: 'shutdown' },
    /^SEARCH dead_letters USING INDEX dead_letters_by_tenant_reason \(tenant_key=\? AND reason=\?\)$/,
  ],
  [
    { tenant: 'acme', reason: 'shutdown', since: 0 },
    /^SEARCH dead_letters USING INDEX dead_letters_by_tenant_reason \(tenant_key=\? AND reason=\? AND dead_lettered_at>\?\)$/,
  ],
  [
    { tenant: 'acme', integrationId: 'crm', reason: 'shutdown' },
    /^SEARCH dead_letters USING INDEX dead_letters_by_tenant_(integration \(tenant_key=\? AND integration_id=\?\)|reason \(tenant_key=\? AND reason=\?\))$/,
  ],
  // A list of ids is the narrowest filter, whatever it is combined with.
  [
    { tenant: 'acme', ids: ['dlv_1'] },
    /^SEARCH dead_letters USING INDEX sqlite_autoindex_dead_letters_1 \(id=\?\)$/,
  ],
  [
    { ids: ['dlv_1'], tenant: null, integrationId: 'crm', reason: 'shutdown', since: 0, limit: 1 },
    /^SEARCH dead_letters USING INDEX sqlite_autoindex_dead_letters_1 \(id=\?\)$/,
  ],
  // Everything, oldest first: the index gives the order, no sort.
  [{ limit: 10 }, /^SCAN dead_letters USING INDEX dead_letters_by_time$/],
]

describe('sqliteStore query plans (EXPLAIN QUERY PLAN)', async () => {
  const db = new Database(':memory:')
  await sqliteStore({ database: db }).open()

  it.each(Object.entries(EXPECTED) as [QueryName, RegExp[]][])('%s uses its index', (name, expected) => {
    const plan = planOf(db, SQL[name])
    for (const pattern of expected)
      expect(
        plan.some((line) => pattern.test(line)),
        plan.join(' | '),
      ).toBe(true)
    expect(plan.filter((line) => /^SCAN (deliveries|d|dead_letters|accepted_events)\b/.test(line))).toEqual(
      [],
    )
    expect(plan.filter((line) => line.includes('TEMP B-TREE'))).toEqual([])
  })

  it.each(DEAD_LETTER_QUERIES)('listDeadLetters(%o) uses an index', (query, pattern) => {
    const plan = planOf(db, deadLetterQuery(query).sql)
    expect(
      plan.some((line) => pattern.test(line)),
      plan.join(' | '),
    ).toBe(true)
    // Only a list of ids is sorted, and it is as short as the list.
    if (query.ids === undefined) expect(plan.filter((line) => line.includes('TEMP B-TREE'))).toEqual([])
    // No query reads every letter, except the one asking for them all.
    if (Object.keys(query).some((key) => key !== 'limit'))
      expect(plan.filter((line) => /^SCAN dead_letters\b/.test(line))).toEqual([])
  })

  it('lists the configuration of one tenant through its index (no statement does it yet)', () => {
    for (const table of ['integrations', 'subscriptions']) {
      expect(planOf(db, `SELECT record FROM ${table} WHERE tenant_key = ? ORDER BY seq`)).toEqual([
        `SEARCH ${table} USING INDEX ${table}_by_tenant (tenant_key=?)`,
      ])
    }
    expect(planOf(db, 'SELECT name FROM disabled_events WHERE tenant_key = ?')).toEqual([
      'SEARCH disabled_events USING COVERING INDEX sqlite_autoindex_disabled_events_1 (tenant_key=?)',
    ])
  })
})
