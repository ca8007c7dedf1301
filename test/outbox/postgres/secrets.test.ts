import { inspect } from 'node:util'
import type { EventRouterError } from 'eventrouter'
import { type PostgresPool, postgresOutbox } from 'eventrouter/outbox/postgres'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { POSTGRES_CONFIG, reachPostgres, testPool, testSchema } from '../../support/postgres.js'
import { routerWithMock } from './outbox-harness.js'

const postgres = await reachPostgres('test/outbox/postgres/secrets.test.ts')

const PASSWORD = 'Pa55word_of_the_host'

/** Every form an error can be logged in: its message, its JSON, and util.inspect with causes. */
function everyForm(error: unknown): string {
  return `${(error as Error).message}\n${JSON.stringify(error)}\n${inspect(error, { depth: 10 })}`
}

describe.skipIf(!postgres.available)("the pool's password", () => {
  it('never appears in an error or an event, even when the driver puts it in its message', async () => {
    // A database that does not exist on the test server (trust auth ignores the password), on a
    // pool wrapped the way hosts often do: it adds the connection string to its errors.
    const url = `postgres://${POSTGRES_CONFIG.user}:${PASSWORD}@${POSTGRES_CONFIG.host}:${POSTGRES_CONFIG.port}/no_such_database_here`
    const inner = testPool({ connectionString: url, host: undefined, database: undefined })
    const pool: PostgresPool & { options: pg.PoolOptions } = {
      options: inner.options,
      connect: () =>
        inner.connect().catch((error: unknown) => {
          throw new Error(`${(error as Error).message} (connecting to ${url})`, { cause: error })
        }),
      query: (text, values) => inner.query(text, values),
      on: (event, listener) => inner.on(event, listener),
      removeListener: (event, listener) => inner.removeListener(event, listener),
    }
    const outbox = postgresOutbox({ pool, schema: testSchema() })

    const migrateError = await outbox.migrate().catch((error: unknown) => error)
    expect(migrateError).toMatchObject({ name: 'StoreError', code: 'ERR_STORE' })
    expect((migrateError as Error).message).toContain('no_such_database_here')
    expect((migrateError as Error).message).toContain('[REDACTED]')
    expect(everyForm(migrateError)).not.toContain(PASSWORD)

    const { router } = routerWithMock()
    const relay = outbox.relay(router, { listen: false, reconnect: { minTimeout: 10, maxTimeout: 20 } })
    const error = await new Promise<EventRouterError>((resolve) => relay.once('error', resolve))
    expect(error).toMatchObject({ name: 'StoreError' })
    expect(error.message).toContain('[REDACTED]')
    expect(everyForm(error)).not.toContain(PASSWORD)
    await relay.stop()
    await router.close()
  })

  it('is kept out of what a lost connection reports (disconnected)', async () => {
    // Nothing listens on port 1 of 127.0.0.1: every connection is refused.
    const url = `postgres://postgres:${encodeURIComponent(`${PASSWORD}@x`)}@127.0.0.1:1/test`
    const inner = new pg.Pool({ connectionString: url, connectionTimeoutMillis: 2000 })
    inner.on('error', () => {})
    const pool: PostgresPool & { options: pg.PoolOptions } = {
      options: inner.options,
      connect: () =>
        inner.connect().catch((error: unknown) => {
          throw Object.assign(new Error(`${(error as Error).message} at ${url}`), { code: 'ECONNREFUSED' })
        }),
      query: (text, values) => inner.query(text, values),
      on: (event, listener) => inner.on(event, listener),
      removeListener: (event, listener) => inner.removeListener(event, listener),
    }
    const { router } = routerWithMock()
    const relay = postgresOutbox({ pool }).relay(router, { reconnect: { minTimeout: 10, maxTimeout: 20 } })
    const lost = await new Promise<EventRouterError>((resolve) =>
      relay.once('disconnected', ({ error }) => resolve(error)),
    )
    expect(lost.message).toMatch(/^Could not reach the database of the outbox public\.eventrouter_outbox: /)
    expect(lost.message).toContain('[REDACTED]')
    expect(everyForm(lost)).not.toContain(PASSWORD)
    expect(everyForm(lost)).not.toContain(encodeURIComponent(PASSWORD))
    await relay.stop()
    await router.close()
    await inner.end()
  })
})
