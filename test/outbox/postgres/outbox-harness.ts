import { type Catalog, EventRouter, type EventRouterOptions, webhookAdapter } from 'eventrouter'
import { type PostgresOutbox, postgresOutbox } from 'eventrouter/outbox/postgres'
import { MockTransport } from 'eventrouter/testing'
import type pg from 'pg'

/** An outbox with or without a catalog. */
export type AnyOutbox = PostgresOutbox<Catalog | undefined>

/** How long any wait may take before a test gives up: generous, never asserted on. */
export const DEADLINE_MS = 60_000

/** A router on a MockTransport with one webhook integration subscribed to every event. */
export function routerWithMock(options: Partial<EventRouterOptions> = {}): {
  router: EventRouter
  transport: MockTransport
} {
  const transport = new MockTransport()
  const router = new EventRouter({ adapters: [webhookAdapter()], transport, ...options })
  configureRouter(router)
  return { router, transport }
}

/** The integration and subscription every outbox test routes to. */
export function configureRouter(router: EventRouter): void {
  router.integrations.add({
    id: 'crm',
    type: 'webhook',
    config: { url: 'https://crm.example/hooks', signing: false },
  })
  router.subscriptions.create({ event: '*', integrationId: 'crm' })
}

/** How many requests the destination received per event id (the webhook body's `id`). */
export function deliveredPerEvent(transport: MockTransport): Map<string, number> {
  const counts = new Map<string, number>()
  for (const request of transport.requests) {
    const { id } = request.json<{ id: string }>()
    counts.set(id, (counts.get(id) ?? 0) + 1)
  }
  return counts
}

/** Polls `condition` every 10 ms until it holds; fails saying `what` after the deadline. */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`deadline passed waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** An outbox in `schema`, migrated, with a business table `ledger` beside it. */
export async function migratedOutbox(
  pool: pg.Pool,
  schema: string,
  options: Partial<Parameters<typeof postgresOutbox>[0]> = {},
): Promise<AnyOutbox> {
  const outbox = postgresOutbox({ pool, schema, ...options })
  await outbox.migrate()
  await pool.query(
    `CREATE TABLE IF NOT EXISTS "${schema}".ledger (id serial PRIMARY KEY, customer text NOT NULL, coins int NOT NULL)`,
  )
  return outbox
}

/**
 * The host's transaction: credits coins in `ledger` and publishes `wallet.coins_rewarded`
 * through the same client; commits, or rolls back when `rollback`.
 */
export async function rewardCoins(
  pool: pg.Pool,
  outbox: AnyOutbox,
  schema: string,
  event: { id: string; customer?: string; coins?: number; tenant?: string },
  rollback = false,
): Promise<void> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    const customer = event.customer ?? 'c_1'
    const coins = event.coins ?? 150
    await client.query(`INSERT INTO "${schema}".ledger (customer, coins) VALUES ($1, $2)`, [customer, coins])
    await outbox.publish(
      client,
      'wallet.coins_rewarded',
      { coins, customer: { id: customer } },
      { id: event.id, ...(event.tenant === undefined ? {} : { tenant: event.tenant }) },
    )
    await client.query(rollback ? 'ROLLBACK' : 'COMMIT')
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {})
    throw error
  } finally {
    client.release()
  }
}

/** Rows of the outbox table, oldest first. */
export async function outboxRows(
  pool: pg.Pool,
  schema: string,
): Promise<
  {
    id: string
    tenant: string | null
    attempts: number
    relayed: boolean
    failed: boolean
    last_error: string | null
  }[]
> {
  const { rows } = await pool.query(
    `SELECT id, tenant, attempts, relayed_at IS NOT NULL AS relayed, failed_at IS NOT NULL AS failed, last_error
     FROM "${schema}".eventrouter_outbox ORDER BY seq`,
  )
  return rows
}
