import { postgresOutbox, type RelayedEvent } from 'eventrouter/outbox/postgres'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { type OwnPostgres, startOwnPostgres } from '../../support/postgres.js'
import {
  type AnyOutbox,
  deliveredPerEvent,
  migratedOutbox,
  rewardCoins,
  routerWithMock,
  waitFor,
} from './outbox-harness.js'

/*
 * PostgreSQL restarted under a running relay, on a server of this test's own (initdb in a
 * temporary directory, on a free port), so the machine's cluster is never touched.
 */
const started = await startOwnPostgres()
const own: OwnPostgres | undefined = 'reason' in started ? undefined : started
if ('reason' in started) {
  const line = `cannot start a PostgreSQL of the test's own: ${started.reason}`
  if (process.env.CI === 'true')
    throw new Error(`test/outbox/postgres/restart.test.ts: ${line} (CI=true: failing, not skipping)`)
  console.warn(`skipped test/outbox/postgres/restart.test.ts: ${line}`)
}
afterAll(() => own?.destroy())

describe.skipIf(own === undefined)('OutboxRelay when PostgreSQL restarts', () => {
  it('reconnects on its own, LISTENs again, and loses nothing', async () => {
    const server = own as OwnPostgres
    const pool = new pg.Pool({ ...server.config, max: 4, connectionTimeoutMillis: 2000 })
    // No 'error' listener of the host's on the pool: while the relay runs, its own keeps an idle
    // connection that dies with the server from being an uncaught exception.
    const schema = 'restart'
    const outbox = await migratedOutbox(pool, schema)
    // The same table, written without NOTIFY: what it publishes wakes no relay.
    const quiet: AnyOutbox = postgresOutbox({ pool, schema, notify: false })
    const { router, transport } = routerWithMock()
    // It never polls within the test: whatever it relays was found by the claim it makes when its
    // LISTEN connection is back, or woken by a NOTIFY on that new connection.
    const relay = outbox.relay(router, {
      pollIntervalMs: 3_600_000,
      reconnect: { minTimeout: 20, maxTimeout: 250 },
    })
    const relayed: RelayedEvent[] = []
    const seen: string[] = []
    relay.on('relayed', (event) => relayed.push(event))
    relay.on('disconnected', () => seen.push('disconnected'))
    relay.on('reconnected', () => seen.push('reconnected'))
    relay.on('error', (error) => seen.push(`error ${error.message}`))
    await relay.onIdle()

    // Committed while the relay sleeps, then the server goes down: these are still rows only.
    for (let index = 0; index < 5; index++) await rewardCoins(pool, quiet, schema, { id: `before-${index}` })
    expect(relayed).toEqual([])
    await server.stop()
    await waitFor('the relay to notice', () => seen.includes('disconnected'))
    await server.start()
    await waitFor('the relay to reconnect', () => seen.includes('reconnected'))
    await waitFor(
      'the events committed before the restart',
      () => relayed.filter((event) => event.eventId.startsWith('before')).length === 5,
    )

    // Published after the restart, with NOTIFY: heard on the new LISTEN connection.
    for (let index = 0; index < 5; index++) await rewardCoins(pool, outbox, schema, { id: `after-${index}` })
    await waitFor('the events of after the restart', () => relayed.length === 10)
    await router.onIdle()

    const counts = deliveredPerEvent(transport)
    expect(counts.size).toBe(10)
    expect([...counts.values()].every((count) => count === 1)).toBe(true)
    expect(seen.filter((entry) => entry.startsWith('error'))).toEqual([])
    expect(seen.indexOf('disconnected')).toBeLessThan(seen.indexOf('reconnected'))
    const { rows } = await pool.query(
      `SELECT count(*)::int AS n FROM restart.eventrouter_outbox WHERE relayed_at IS NULL`,
    )
    expect(rows[0].n).toBe(0)
    await relay.stop()
    pool.on('error', () => {})
    await router.close()
    await pool.end()
  }, 120_000)
})
