import { StoreError } from 'eventrouter'
import { postgresOutbox } from 'eventrouter/outbox/postgres'
import { describe, expect, it } from 'vitest'
import { reachPostgres, testPool, testSchema } from '../../support/postgres.js'

const postgres = await reachPostgres('test/outbox/postgres/migrate.test.ts')

describe.skipIf(!postgres.available)('PostgresOutbox.migrate', () => {
  it('creates the schema, table and indexes once, and does nothing the second time', async () => {
    const pool = testPool()
    const schema = testSchema()
    const outbox = postgresOutbox({ pool, schema, table: 'Events_Out' })
    expect(await outbox.migrate()).toEqual({ fromVersion: 0, toVersion: 1 })
    expect(await outbox.migrate()).toEqual({ fromVersion: 1, toVersion: 1 })
    const { rows } = await pool.query(
      `SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = 'Events_Out' ORDER BY indexname`,
      [schema],
    )
    expect(rows.map((row) => row.indexname)).toEqual([
      'Events_Out_event',
      'Events_Out_pending',
      'Events_Out_pkey',
      'Events_Out_relayed',
    ])
    const versions = await pool.query(`SELECT version FROM "${schema}"."Events_Out_migrations"`)
    expect(versions.rows).toEqual([{ version: 1 }])
  })

  it('is safe to run from several processes at once (advisory lock)', async () => {
    const schema = testSchema()
    // One pool per "process": each migrates on its own connection.
    const outboxes = Array.from({ length: 4 }, () => postgresOutbox({ pool: testPool({ max: 1 }), schema }))
    const results = await Promise.all(outboxes.map((outbox) => outbox.migrate()))
    expect(results.filter((result) => result.fromVersion === 0)).toHaveLength(1)
    expect(results.every((result) => result.toVersion === 1)).toBe(true)
  })

  it('refuses a table of a newer schema version, untouched', async () => {
    const pool = testPool()
    const schema = testSchema()
    const outbox = postgresOutbox({ pool, schema })
    await outbox.migrate()
    await pool.query(`INSERT INTO "${schema}".eventrouter_outbox_migrations (version) VALUES (2)`)
    const error = await outbox.migrate().catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(StoreError)
    expect((error as StoreError).message).toMatch(
      /migrate the outbox table .*: the table is at schema version 2, newer than this eventrouter knows \(1\); upgrade eventrouter/,
    )
  })

  it('reports what the database refused as a StoreError naming the table', async () => {
    const pool = testPool()
    const outbox = postgresOutbox({ pool, schema: 'pg_catalog', table: 'outbox' })
    await expect(outbox.migrate()).rejects.toMatchObject({
      name: 'StoreError',
      message: expect.stringMatching(/^Could not migrate the outbox table pg_catalog\.outbox: /),
    })
  })
})
