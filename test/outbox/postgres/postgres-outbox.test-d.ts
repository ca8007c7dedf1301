import type { EventRouter } from 'eventrouter'
import { loyaltyCatalog } from 'eventrouter/catalogs/loyalty'
import {
  type OutboxExecutor,
  type OutboxRouter,
  type PostgresPool,
  type PublishedEvent,
  postgresOutbox,
} from 'eventrouter/outbox/postgres'
import type pg from 'pg'
import { describe, expectTypeOf, it } from 'vitest'

declare const pool: pg.Pool
declare const client: pg.PoolClient

describe('postgresOutbox types', () => {
  it('takes node-postgres as it is', () => {
    expectTypeOf(pool).toExtend<PostgresPool>()
    expectTypeOf(client).toExtend<OutboxExecutor>()
    expectTypeOf<pg.Client>().toExtend<OutboxExecutor>()
  })

  it('relays into a router with or without a catalog', () => {
    expectTypeOf<EventRouter>().toExtend<OutboxRouter>()
    expectTypeOf<EventRouter<typeof loyaltyCatalog>>().toExtend<OutboxRouter>()
  })

  it('types publish() by the catalog, like emit()', () => {
    const typed = postgresOutbox({ pool, catalog: loyaltyCatalog })
    expectTypeOf(typed.publish)
      .parameter(1)
      .toEqualTypeOf<Parameters<EventRouter<typeof loyaltyCatalog>['emit']>[0]>()
    // @ts-expect-error: not an event of the catalog
    void typed.publish(client, 'wallet.coins_rewardd', {})
    // @ts-expect-error: coins must be a number
    void typed.publish(client, 'wallet.coins_rewarded', { coins: '150' })
    const loose = postgresOutbox({ pool })
    expectTypeOf(loose.publish(client, 'anything.at_all', { n: 1 })).resolves.toEqualTypeOf<PublishedEvent>()
  })
})
