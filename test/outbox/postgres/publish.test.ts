import { ValidationError } from 'eventrouter'
import { loyaltyCatalog } from 'eventrouter/catalogs/loyalty'
import { postgresOutbox, type RelayedEvent, templateExecutor } from 'eventrouter/outbox/postgres'
import { describe, expect, it } from 'vitest'
import { reachPostgres, testPool, testSchema } from '../../support/postgres.js'
import {
  deliveredPerEvent,
  migratedOutbox,
  outboxRows,
  rewardCoins,
  routerWithMock,
  waitFor,
} from './outbox-harness.js'

const postgres = await reachPostgres('test/outbox/postgres/publish.test.ts')

describe.skipIf(!postgres.available)('PostgresOutbox.publish', () => {
  it('sends nothing for a transaction that rolls back, and a committed one once, woken by NOTIFY', async () => {
    const pool = testPool()
    const schema = testSchema()
    const outbox = await migratedOutbox(pool, schema)
    const { router, transport } = routerWithMock()
    // Polling every minute: what is relayed sooner was woken by the notification of the commit.
    const relay = outbox.relay(router, { pollIntervalMs: 60_000 })
    const relayed: RelayedEvent[] = []
    relay.on('relayed', (event) => relayed.push(event))
    await relay.onIdle()

    await rewardCoins(pool, outbox, schema, { id: 'rolled-back' }, true)
    await rewardCoins(pool, outbox, schema, { id: 'committed', tenant: 'acme' })
    // Rows are relayed in publish order: once the later one is, nothing committed before it is left.
    await waitFor('the committed event to be relayed', () => relayed.length === 1)
    await router.onIdle()

    expect(Object.fromEntries(deliveredPerEvent(transport))).toEqual({ committed: 1 })
    expect(relayed[0]).toMatchObject({
      eventId: 'committed',
      tenant: 'acme',
      eventName: 'wallet.coins_rewarded',
      duplicate: false,
      attempts: 1,
    })
    expect(transport.requests[0]?.json()).toMatchObject({
      id: 'committed',
      data: { coins: 150, customer: { id: 'c_1' } },
    })
    const ledger = await pool.query(`SELECT count(*)::int AS n FROM "${schema}".ledger`)
    expect(ledger.rows[0].n).toBe(1)
    expect(await outboxRows(pool, schema)).toMatchObject([
      { id: 'committed', tenant: 'acme', relayed: true, failed: false, attempts: 1 },
    ])
    await relay.stop()
    await router.close()
  })

  it('rejects a payload the catalog refuses with a ValidationError: the transaction rolls back, nothing is kept', async () => {
    const pool = testPool()
    const schema = testSchema()
    const outbox = await migratedOutbox(pool, schema, { catalog: loyaltyCatalog })
    const sample = loyaltyCatalog.get('wallet.coins_rewarded').sample
    const client = await pool.connect()
    let error: unknown
    try {
      await client.query('BEGIN')
      await client.query(`INSERT INTO "${schema}".ledger (customer, coins) VALUES ('c_1', 150)`)
      await outbox.publish(client, 'wallet.coins_rewarded', { ...sample, coins: '150' as unknown as number })
      await client.query('COMMIT')
    } catch (caught) {
      error = caught
      await client.query('ROLLBACK')
    } finally {
      client.release()
    }
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as ValidationError).field).toBe('payload.coins')
    expect(await outboxRows(pool, schema)).toEqual([])
    const ledger = await pool.query(`SELECT count(*)::int AS n FROM "${schema}".ledger`)
    expect(ledger.rows[0].n).toBe(0)

    // An unknown event name, and a payload that is not JSON, fail the same way.
    const tx = await pool.connect()
    try {
      await tx.query('BEGIN')
      await expect(
        outbox.publish(tx, 'wallet.coins_rewardd' as 'wallet.coins_rewarded', sample),
      ).rejects.toMatchObject({ name: 'ValidationError', field: 'name' })
      await tx.query('ROLLBACK')
    } finally {
      tx.release()
    }
    const loose = postgresOutbox({ pool, schema })
    await expect(
      loose.publish({ query: () => Promise.resolve() }, 'order.paid', { at: new Date() }),
    ).rejects.toMatchObject({ name: 'ValidationError', field: 'payload.at' })
    await expect(loose.publish({ query: () => Promise.resolve() }, 'order.paid', { n: 1n })).rejects.toThrow(
      ValidationError,
    )
    // A valid event is written.
    const ok = await pool.connect()
    try {
      await ok.query('BEGIN')
      await expect(outbox.publish(ok, 'wallet.coins_rewarded', sample, { id: 'good' })).resolves.toEqual({
        id: 'good',
        tenant: null,
        duplicate: false,
      })
      await ok.query('COMMIT')
    } finally {
      ok.release()
    }
    expect(await outboxRows(pool, schema)).toMatchObject([{ id: 'good', relayed: false }])
  })

  it('writes an id it holds only once (per tenant), and generates ids', async () => {
    const pool = testPool()
    const schema = testSchema()
    const outbox = await migratedOutbox(pool, schema)
    const client = await pool.connect()
    try {
      const first = await outbox.publish(client, 'order.paid', { n: 1 }, { id: 'order-1' })
      const again = await outbox.publish(client, 'order.paid', { n: 2 }, { id: 'order-1' })
      const tenant = await outbox.publish(client, 'order.paid', { n: 3 }, { id: 'order-1', tenant: 'acme' })
      const generated = await outbox.publish(client, 'order.paid', { n: 4 })
      expect(first).toEqual({ id: 'order-1', tenant: null, duplicate: false })
      expect(again).toEqual({ id: 'order-1', tenant: null, duplicate: true })
      expect(tenant).toEqual({ id: 'order-1', tenant: 'acme', duplicate: false })
      expect(generated.id).toMatch(/^[0-9a-f-]{36}$/)
    } finally {
      client.release()
    }
    const { rows } = await pool.query(
      `SELECT id, tenant, payload::text AS payload, occurred_at <= now() AS past FROM "${schema}".eventrouter_outbox ORDER BY seq`,
    )
    expect(rows.map((row) => [row.id, row.tenant, JSON.parse(row.payload).n, row.past])).toEqual([
      ['order-1', null, 1, true],
      ['order-1', 'acme', 3, true],
      [expect.any(String), null, 4, true],
    ])
  })

  it('refuses the pool itself and anything that is not an executor', async () => {
    const pool = testPool()
    const outbox = postgresOutbox({ pool, schema: testSchema() })
    await expect(outbox.publish(pool, 'order.paid', {})).rejects.toMatchObject({
      name: 'ValidationError',
      field: 'executor',
      message: expect.stringContaining('the client of your transaction'),
    })
    await expect(outbox.publish({} as never, 'order.paid', {})).rejects.toMatchObject({ field: 'executor' })
    await expect(
      outbox.publish({ query: () => Promise.resolve() }, 'order.paid', {}, { id: 'no spaces' }),
    ).rejects.toMatchObject({ field: 'options.id' })
    await expect(
      outbox.publish({ query: () => Promise.resolve() }, 'order.paid', {}, { occurredAt: 'yesterday' }),
    ).rejects.toMatchObject({ field: 'options.occurredAt' })
  })

  it('writes through a tagged template (templateExecutor), every value bound', async () => {
    const pool = testPool()
    const schema = testSchema()
    const outbox = await migratedOutbox(pool, schema)
    const client = await pool.connect()
    const seen: { strings: readonly string[]; values: unknown[] }[] = []
    try {
      await client.query('BEGIN')
      // What Prisma's $queryRaw, Kysely's and Drizzle's sql do with a template: placeholders back in.
      const executor = templateExecutor((strings, ...values) => {
        seen.push({ strings: [...strings], values })
        return client.query(
          strings.reduce((text, part, index) => `${text}$${index}${part}`),
          values,
        )
      })
      const published = await outbox.publish(executor, 'order.paid', { quote: "it's $1" }, { id: 'tpl-1' })
      await client.query('COMMIT')
      expect(published.duplicate).toBe(false)
    } finally {
      client.release()
    }
    expect(seen[0]?.strings).toHaveLength(7)
    expect(seen[0]?.strings.every((part) => !part.includes('$'))).toBe(true)
    const { rows } = await pool.query(`SELECT payload->>'quote' AS quote FROM "${schema}".eventrouter_outbox`)
    expect(rows).toEqual([{ quote: "it's $1" }])
  })
})

describe('postgresOutbox() and relay() options', () => {
  const pool = { connect() {}, query() {}, on() {}, removeListener() {} } as never

  it('names the bad option', () => {
    expect(() => postgresOutbox({} as never)).toThrow(
      /Invalid postgresOutbox\(\) options: pool: expected a node-postgres Pool/,
    )
    expect(() => postgresOutbox({ pool, table: 'drop table' })).toThrow(
      /table: expected 1–48 letters, digits and _, starting with a letter or _, got `drop table` \(string\)/,
    )
    expect(() => postgresOutbox({ pool, table: 'x'.repeat(49) })).toThrow(/table: expected 1–48 letters/)
    expect(() => postgresOutbox({ pool, tabel: 'x' } as never)).toThrow(ValidationError)
    expect(() => postgresOutbox({ pool, notify: 'yes' } as never)).toThrow(/notify/)
    const outbox = postgresOutbox({ pool })
    const router = { emit() {} } as never
    expect(() => outbox.relay(router, { batchSize: 0 })).toThrow(
      /batchSize: expected an integer from 1 to 10000, got `0` \(number\)/,
    )
    expect(() => outbox.relay(router, { pollIntervalMs: -1 })).toThrow(/pollIntervalMs/)
    expect(() => outbox.relay(router, { retry: { minTimeout: 10, maxTimeout: 1 } })).toThrow(
      /minTimeout <= maxTimeout/,
    )
    expect(() => outbox.relay(router, { retentionMs: 'week' } as never)).toThrow(/retentionMs/)
    expect(() => outbox.relay({} as never)).toThrow(/router: expected an EventRouter/)
  })

  it('refuses to LISTEN on a pool of one connection, which the claims would then wait for forever', () => {
    const single = { ...(pool as object), options: { max: 1 } } as never
    const router = { emit() {} } as never
    expect(() => postgresOutbox({ pool: single }).relay(router)).toThrow(
      /Invalid outbox relay options: listen: the relay keeps one connection of the pool for LISTEN .* the pool's max is 1/,
    )
    expect(() => postgresOutbox({ pool: single }).relay(router)).toThrow(ValidationError)
  })

  it('refuses a templateExecutor() tag that is not a function', () => {
    expect(() => templateExecutor('SELECT 1' as never)).toThrow(
      /Invalid templateExecutor\(\): tag: expected a tagged template function, got `SELECT 1` \(string\)/,
    )
  })

  it('defaults the table, schema and channel', () => {
    const outbox = postgresOutbox({ pool })
    expect(outbox.table).toBe('public.eventrouter_outbox')
    expect(outbox.channel).toBe('public.eventrouter_outbox')
    const long = postgresOutbox({ pool, schema: 's'.repeat(40), table: 't'.repeat(40) })
    expect(long.channel).toHaveLength(63)
  })
})
