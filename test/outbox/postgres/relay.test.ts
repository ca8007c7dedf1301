import { defineCatalog, defineEvent, type EventRouterError } from 'eventrouter'
import { postgresOutbox, type RelayedEvent, type RelayRetry } from 'eventrouter/outbox/postgres'
import { describe, expect, it, vi } from 'vitest'
import { z } from 'zod'
import { envInt } from '../../support/escaped-errors.js'
import { reachPostgres, testPool, testSchema } from '../../support/postgres.js'
import {
  deliveredPerEvent,
  migratedOutbox,
  outboxRows,
  rewardCoins,
  routerWithMock,
  waitFor,
} from './outbox-harness.js'

const postgres = await reachPostgres('test/outbox/postgres/relay.test.ts')

/** Events published by the concurrency test (OUTBOX_EVENTS, default 400). */
const EVENTS = envInt('OUTBOX_EVENTS', 400)

describe.skipIf(!postgres.available)('OutboxRelay', () => {
  it('shares a table between two relays: every event is delivered once', async () => {
    const pool = testPool({ max: 8 })
    const schema = testSchema()
    const outbox = await migratedOutbox(pool, schema)
    // Two routers, each on its own memory store: nothing but SKIP LOCKED keeps them from both
    // taking a row, and a row taken twice would reach the destination twice.
    const one = routerWithMock()
    const two = routerWithMock()
    const relays = [
      outbox.relay(one.router, { batchSize: 7, pollIntervalMs: 20 }),
      outbox.relay(two.router, { batchSize: 7, pollIntervalMs: 20 }),
    ]
    let relayed = 0
    const errors: unknown[] = []
    for (const relay of relays) {
      relay.on('relayed', () => relayed++)
      relay.on('error', (error) => errors.push(error))
    }
    // Several host transactions at once, some rolled back.
    const writers = Array.from({ length: 4 }, async (_, writer) => {
      for (let index = writer; index < EVENTS; index += 4) {
        await rewardCoins(pool, outbox, schema, { id: `evt-${index}` }, index % 10 === 9)
      }
    })
    await Promise.all(writers)
    const committed = EVENTS - Array.from({ length: EVENTS }, (_, i) => i).filter((i) => i % 10 === 9).length
    await waitFor(`${committed} events relayed`, () => relayed >= committed)
    await Promise.all(relays.map((relay) => relay.onIdle()))
    await Promise.all([one.router.onIdle(), two.router.onIdle()])

    const counts = new Map<string, number>()
    for (const transport of [one.transport, two.transport]) {
      for (const [id, count] of deliveredPerEvent(transport)) counts.set(id, (counts.get(id) ?? 0) + count)
    }
    expect(counts.size).toBe(committed)
    expect([...counts.values()].every((count) => count === 1)).toBe(true)
    expect([...counts.keys()].some((id) => Number(id.slice(4)) % 10 === 9)).toBe(false)
    expect(relayed).toBe(committed)
    expect(errors).toEqual([])
    const rows = await outboxRows(pool, schema)
    expect(rows.every((row) => row.relayed && row.attempts === 1)).toBe(true)
    await Promise.all(relays.map((relay) => relay.stop()))
    await Promise.all([one.router.close(), two.router.close()])
  })

  it('marks an event the router refuses as failed, reports it and goes on with the others', async () => {
    const pool = testPool()
    const schema = testSchema()
    const outbox = await migratedOutbox(pool, schema)
    // The router's catalog wants a positive number of coins; this outbox checks nothing.
    const catalog = defineCatalog({
      'wallet.coins_rewarded': defineEvent({
        title: 'Coins Rewarded',
        description: 'Coins were credited.',
        schema: z.object({ coins: z.int().positive(), customer: z.object({ id: z.string() }) }),
        sample: { coins: 1, customer: { id: 'c_1' } },
      }),
    })
    const { router, transport } = routerWithMock({ catalog } as never)
    await rewardCoins(pool, outbox, schema, { id: 'bad', coins: -5 })
    await rewardCoins(pool, outbox, schema, { id: 'good' })
    const relay = outbox.relay(router, { pollIntervalMs: 20 })
    const errors: EventRouterError[] = []
    relay.on('error', (error) => errors.push(error))
    await relay.onIdle()
    await router.onIdle()

    expect(Object.fromEntries(deliveredPerEvent(transport))).toEqual({ good: 1 })
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({
      name: 'OutboxEventFailedError',
      code: 'ERR_OUTBOX_EVENT_FAILED',
      eventId: 'bad',
      eventName: 'wallet.coins_rewarded',
      table: `${schema}.eventrouter_outbox`,
      cause: { name: 'ValidationError', field: 'payload.coins' },
    })
    expect(errors[0]?.message).toMatch(
      /^Outbox event `bad` \(`wallet.coins_rewarded`\) was refused by the router/,
    )
    const rows = await outboxRows(pool, schema)
    expect(rows).toMatchObject([
      {
        id: 'bad',
        failed: true,
        relayed: false,
        attempts: 1,
        last_error: expect.stringContaining('payload.coins'),
      },
      { id: 'good', failed: false, relayed: true },
    ])
    // Never retried: a later claim leaves it alone.
    await relay.onIdle()
    expect((await outboxRows(pool, schema))[0]?.attempts).toBe(1)
    await relay.stop()
    await router.close()
  })

  it('leaves an event the router cannot take now (backpressure) for a later attempt, with backoff', async () => {
    const pool = testPool()
    const schema = testSchema()
    const outbox = await migratedOutbox(pool, schema)
    // One pending delivery at most, answered after 30 ms: most emits meet a full router.
    const { router, transport } = routerWithMock({ maxPending: 1 })
    transport.respondWith({ status: 200, delayMs: 30 })
    for (let index = 0; index < 5; index++) await rewardCoins(pool, outbox, schema, { id: `bp-${index}` })
    const relay = outbox.relay(router, { pollIntervalMs: 5, retry: { minTimeout: 5, maxTimeout: 20 } })
    const retries: RelayRetry[] = []
    const relayed: RelayedEvent[] = []
    relay.on('retrying', (retry) => retries.push(retry))
    relay.on('relayed', (event) => relayed.push(event))
    await waitFor('5 events relayed', () => relayed.length === 5)
    await router.onIdle()

    expect(retries.length).toBeGreaterThan(0)
    expect(retries[0]).toMatchObject({ error: { name: 'BackpressureError' }, attempts: expect.any(Number) })
    expect(retries.every((retry) => retry.delayMs >= 5 && retry.delayMs <= 20)).toBe(true)
    const counts = deliveredPerEvent(transport)
    expect(counts.size).toBe(5)
    expect([...counts.values()].every((count) => count === 1)).toBe(true)
    const rows = await outboxRows(pool, schema)
    expect(rows.every((row) => row.relayed)).toBe(true)
    expect(rows.reduce((sum, row) => sum + row.attempts, 0)).toBe(5 + retries.length)
    await relay.stop()
    await router.close()
  })

  it('relays through polling alone when publish() does not notify, and listen is off', async () => {
    const pool = testPool()
    const schema = testSchema()
    const outbox = await migratedOutbox(pool, schema, { notify: false })
    const { router, transport } = routerWithMock()
    const relay = outbox.relay(router, { listen: false, pollIntervalMs: 20 })
    await rewardCoins(pool, outbox, schema, { id: 'polled' })
    await waitFor('the event to be delivered', async () => {
      await router.onIdle()
      return transport.requests.length === 1
    })
    expect(transport.requests[0]?.json()).toMatchObject({ id: 'polled' })
    await relay.stop()
    await router.close()
  })

  it('stops gracefully: the batch in hand is finished, the rest waits for the next relay', async () => {
    const pool = testPool()
    const schema = testSchema()
    const outbox = await migratedOutbox(pool, schema)
    for (let index = 0; index < 60; index++) await rewardCoins(pool, outbox, schema, { id: `s-${index}` })
    const first = routerWithMock()
    const relay = outbox.relay(first.router, { batchSize: 10 })
    const relayed: string[] = []
    let stopping: Promise<void> | undefined
    relay.on('relayed', (event) => {
      relayed.push(event.eventId)
      stopping ??= relay.stop()
    })
    await waitFor('the first event relayed', () => stopping !== undefined)
    await stopping
    expect(relay.running).toBe(false)
    // The whole first batch was marked, and nothing after it was claimed.
    expect(relayed).toEqual(Array.from({ length: 10 }, (_, index) => `s-${index}`))
    const rows = await outboxRows(pool, schema)
    expect(rows.filter((row) => row.relayed).map((row) => row.id)).toEqual(relayed)
    expect(rows.filter((row) => !row.relayed).every((row) => row.attempts === 0)).toBe(true)

    const second = routerWithMock()
    const next = outbox.relay(second.router)
    await next.onIdle()
    await Promise.all([first.router.onIdle(), second.router.onIdle()])
    expect(first.transport.requests.length + second.transport.requests.length).toBe(60)
    await next.stop()
    await Promise.all([first.router.close(), second.router.close()])
  })

  it('stops when its router is closed, leaving the rows as they were', async () => {
    const pool = testPool()
    const schema = testSchema()
    const outbox = await migratedOutbox(pool, schema)
    const { router } = routerWithMock()
    await router.close()
    await rewardCoins(pool, outbox, schema, { id: 'after-close' })
    const relay = outbox.relay(router)
    const errors: EventRouterError[] = []
    relay.on('error', (error) => errors.push(error))
    await waitFor('the relay to stop', () => !relay.running)
    await relay.stop()
    expect(errors).toMatchObject([{ name: 'RouterClosedError' }])
    expect(await outboxRows(pool, schema)).toMatchObject([{ id: 'after-close', relayed: false, attempts: 0 }])
  })

  it('deletes relayed rows past retentionMs, never pending or failed ones', async () => {
    const pool = testPool()
    const schema = testSchema()
    const outbox = await migratedOutbox(pool, schema)
    for (let index = 0; index < 3; index++) await rewardCoins(pool, outbox, schema, { id: `r-${index}` })
    const { router } = routerWithMock()
    const first = outbox.relay(router, { retentionMs: false })
    await first.onIdle()
    await first.stop()
    await pool.query(
      `UPDATE "${schema}".eventrouter_outbox SET relayed_at = now() - interval '8 days' WHERE id = 'r-0'`,
    )
    await pool.query(
      `UPDATE "${schema}".eventrouter_outbox SET relayed_at = NULL, failed_at = now() - interval '30 days' WHERE id = 'r-1'`,
    )
    await rewardCoins(pool, outbox, schema, { id: 'pending' })
    expect(await outbox.prune({ olderThanMs: 7 * 86_400_000 })).toBe(1)
    await pool.query(
      `UPDATE "${schema}".eventrouter_outbox SET relayed_at = now() - interval '2 hours' WHERE id = 'r-2'`,
    )

    // The relay prunes on its own, once caught up: 'pending' is relayed first, then kept (too recent).
    const relay = outbox.relay(router, { retentionMs: 3_600_000 })
    const pruned: number[] = []
    relay.on('pruned', ({ count }) => pruned.push(count))
    await waitFor('the relay to prune', () => pruned.length === 1)
    expect(pruned).toEqual([1])
    expect((await outboxRows(pool, schema)).map((row) => row.id)).toEqual(['r-1', 'pending'])
    await relay.stop()
    await router.close()
  })

  it('prunes once every pruneIntervalMs, by the clock, while it keeps relaying', async () => {
    const pool = testPool()
    const schema = testSchema()
    const outbox = await migratedOutbox(pool, schema)
    const { router } = routerWithMock()
    // Only Date is faked: the interval between prunes is the subject, the relay's waits and the
    // database's I/O stay real. Retention itself is the database's clock (rows are backdated).
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-06-01T00:00:00Z') })
    try {
      const relay = outbox.relay(router, {
        retentionMs: 3_600_000,
        pruneIntervalMs: 600_000,
        pollIntervalMs: 20,
      })
      const pruned: number[] = []
      relay.on('pruned', ({ count }) => pruned.push(count))
      await rewardCoins(pool, outbox, schema, { id: 'old' })
      await rewardCoins(pool, outbox, schema, { id: 'new' })
      await relay.onIdle()
      await pool.query(
        `UPDATE "${schema}".eventrouter_outbox SET relayed_at = now() - interval '2 hours' WHERE id = 'old'`,
      )
      // Claims go on, but the prune made when the relay started is not 10 minutes old yet.
      await relay.onIdle()
      await relay.onIdle()
      expect(pruned).toEqual([])
      expect((await outboxRows(pool, schema)).map((row) => row.id)).toEqual(['old', 'new'])

      vi.setSystemTime(new Date('2026-06-01T00:10:00Z'))
      // onIdle() resolves after the claim that found the relay caught up, and its due prune.
      await relay.onIdle()
      expect(pruned).toEqual([1])
      expect((await outboxRows(pool, schema)).map((row) => row.id)).toEqual(['new'])
      await relay.stop()
    } finally {
      vi.useRealTimers()
    }
    await router.close()
  })

  it('reports a missing table as a StoreError that says to migrate', async () => {
    const pool = testPool()
    const { router } = routerWithMock()
    const relay = postgresOutbox({ pool, schema: testSchema() }).relay(router, {
      reconnect: { minTimeout: 10 },
    })
    const error = await new Promise<EventRouterError>((resolve) => relay.once('error', resolve))
    expect(error).toMatchObject({ name: 'StoreError' })
    expect(error.message).toMatch(
      /^Could not relay events from the outbox .*does not exist.*run outbox.migrate\(\) first/,
    )
    await relay.stop()
    await router.close()
  })
})
