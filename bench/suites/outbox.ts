import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import pg from 'pg'
import type { EventRouter as EventRouterClass } from '../../src/index.js'
import type { OutboxRouter, PostgresOutbox } from '../../src/outbox/postgres/index.js'
import { type Build, loadBuild } from '../lib/load-build.js'
import { noopTransport } from '../lib/noop-transports.js'
import { describeMachine, printTable, type Row, writeResults } from '../lib/report.js'
import { median, quantile, rotate } from '../lib/stats.js'
import type { Suite } from '../lib/suite.js'

/*
 * npm run bench -- outbox          once bench/index.ts lists the suite, or alone:
 *   node --expose-gc --import tsx bench/suites/outbox.ts
 *   BENCH_QUICK=1 ...                smoke sizes
 *   BENCH_OUTBOX_TX=<n>              host transactions per case and round (default 4,000)
 *   BENCH_OUTBOX_BACKLOG=<n>         rows drained by the relay per case (default 20,000)
 *   BENCH_OUTBOX_LIVE=<n>            events published while the relay runs (default 10,000)
 *   BENCH_OUTBOX_WRITERS=<n>         concurrent host connections (default 4)
 *   PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE   the server (default 127.0.0.1:5432, postgres, test)
 *
 * Host side: transactions per second of a business insert alone, and with outbox.publish() in the
 * same transaction (with and without pg_notify), side by side in each round, in a rotated order.
 * Relay side: events per second from commit to the return of router.emit(), one relay process,
 * into a router (of the tsup build, as the other suites) on a no-op transport with one webhook
 * subscription to every event: draining a committed backlog, and keeping up while writers publish.
 * Each case runs in a schema of its own, dropped at the end.
 *
 * The outbox comes from src/ through tsx (bench/lib/load-build.ts builds no outbox entry); the
 * router it emits into is the build's, as in the other suites. The relay's time goes to
 * PostgreSQL round trips and to emit(), which is the build's either way.
 */

const PG_CONFIG: pg.PoolConfig = {
  host: process.env.PGHOST ?? '127.0.0.1',
  port: Number(process.env.PGPORT ?? 5432),
  user: process.env.PGUSER ?? 'postgres',
  database: process.env.PGDATABASE ?? 'test',
  ...(process.env.PGPASSWORD === undefined ? {} : { password: process.env.PGPASSWORD }),
}

// About 600 bytes of JSON: the size of a typical business event, as in the sqlite-store suite.
const PAYLOAD = Object.freeze({
  transactionId: 'wtx_7f3a9c2e41b8',
  coins: 150,
  balance: 1350,
  reason: 'order',
  status: 'confirmed',
  customer: { id: 'cus_981', name: 'Ana Lima', email: 'ana@example.com', tier: 'gold' },
  items: Array.from({ length: 4 }, (_, index) => ({ sku: `SKU-${1000 + index}`, quantity: index + 1 })),
  note: 'x'.repeat(300),
})
const PAYLOAD_BYTES = Buffer.byteLength(JSON.stringify(PAYLOAD))

type OutboxModule = typeof import('../../src/outbox/postgres/index.js')
type HostCase = 'business insert only' | 'insert + publish()' | 'insert + publish(), notify: false'
const HOST_CASES: readonly HostCase[] = [
  'business insert only',
  'insert + publish()',
  'insert + publish(), notify: false',
]

const envSize = (name: string, fallback: number) => {
  const value = Number(process.env[name])
  return Number.isSafeInteger(value) && value > 0 ? value : fallback
}

/** A schema of the run's own, with the outbox table and a business table. */
async function prepare(pool: pg.Pool, module: OutboxModule, notify: boolean) {
  const schema = `bench_outbox_${randomBytes(4).toString('hex')}`
  const outbox = module.postgresOutbox({ pool, schema, notify })
  await outbox.migrate()
  await pool.query(
    `CREATE TABLE "${schema}".wallet_ledger (id bigserial PRIMARY KEY, customer text NOT NULL, coins int NOT NULL)`,
  )
  return {
    schema,
    outbox,
    drop: () => pool.query(`DROP SCHEMA "${schema}" CASCADE`),
  }
}

/**
 * `total` host transactions over `writers` connections at once: BEGIN, a business insert, with
 * `outbox` `eventsPerTx` publish() calls, COMMIT. Calls `committed(ids)` as each COMMIT returns.
 * Resolves with transactions per second.
 */
async function hostTransactions(
  pool: pg.Pool,
  schema: string,
  outbox: PostgresOutbox | undefined,
  options: {
    total: number
    writers: number
    prefix: string
    eventsPerTx?: number
    committed?: (ids: readonly string[]) => void
  },
): Promise<number> {
  const { total, writers, prefix, eventsPerTx = 1, committed } = options
  let next = 0
  const worker = async () => {
    const client = await pool.connect()
    try {
      for (let index = next++; index < total; index = next++) {
        const ids = Array.from({ length: eventsPerTx }, (_, event) => `${prefix}-${index}-${event}`)
        await client.query('BEGIN')
        await client.query(`INSERT INTO "${schema}".wallet_ledger (customer, coins) VALUES ($1, $2)`, [
          'cus_981',
          150,
        ])
        if (outbox) {
          for (const id of ids) await outbox.publish(client, 'wallet.coins_rewarded', PAYLOAD, { id })
        }
        await client.query('COMMIT')
        committed?.(ids)
      }
    } finally {
      client.release()
    }
  }
  const start = performance.now()
  await Promise.all(Array.from({ length: writers }, worker))
  return total / ((performance.now() - start) / 1000)
}

/** A router of the build on the no-op transport, one webhook subscription to every event. */
async function makeRouter(built: Build, durable: boolean, directory: string) {
  const { EventRouter, webhookAdapter } = built.eventrouter
  const sqlite = built.sqlite
  if (durable && !sqlite) throw new Error('outbox benchmark: this build has no SQLite store')
  const router: EventRouterClass = new EventRouter({
    adapters: [webhookAdapter()],
    transport: noopTransport,
    maxPending: 1_000_000,
    ...(durable && sqlite
      ? {
          store: sqlite.sqliteStore({ path: join(directory, `router-${randomBytes(4).toString('hex')}.db`) }),
          secrets: 'plaintext' as const,
        }
      : {}),
  })
  await router.start()
  router.integrations.add({
    id: 'crm',
    type: 'webhook',
    config: { url: 'https://crm.example/h', signing: false },
  })
  router.subscriptions.create({ event: '*', integrationId: 'crm' })
  return router
}

/** Commits `total` rows first (1,000 publishes per transaction), then times one relay draining them. */
async function drainBacklog(
  pool: pg.Pool,
  module: OutboxModule,
  built: Build,
  options: { total: number; durable: boolean; batchSize: number; directory: string },
) {
  const { outbox, drop } = await prepare(pool, module, false)
  try {
    const client = await pool.connect()
    try {
      for (let start = 0; start < options.total; start += 1000) {
        await client.query('BEGIN')
        for (let index = start; index < Math.min(options.total, start + 1000); index++) {
          await outbox.publish(client, 'wallet.coins_rewarded', PAYLOAD, { id: `b-${index}` })
        }
        await client.query('COMMIT')
      }
    } finally {
      client.release()
    }
    const router = await makeRouter(built, options.durable, options.directory)
    let relayed = 0
    const begin = performance.now()
    const relay = outbox.relay(router as OutboxRouter, { batchSize: options.batchSize, retentionMs: false })
    relay.on('relayed', () => relayed++)
    await relay.onIdle()
    const seconds = (performance.now() - begin) / 1000
    await relay.stop()
    await router.onIdle()
    await router.close()
    if (relayed !== options.total) throw new Error(`outbox benchmark: relayed ${relayed} of ${options.total}`)
    return { eventsPerSecond: options.total / seconds, seconds }
  } finally {
    await drop()
  }
}

/**
 * Writers publish `total` events at full speed while one relay runs: how fast it relays, how far
 * behind it falls (rows not relayed when the writers finish), and the time from each COMMIT
 * returning to the writer to emit() returning in the relay.
 */
async function keepUp(
  pool: pg.Pool,
  module: OutboxModule,
  built: Build,
  options: { total: number; writers: number; eventsPerTx: number; durable: boolean; directory: string },
) {
  const { schema, outbox, drop } = await prepare(pool, module, true)
  try {
    const router = await makeRouter(built, options.durable, options.directory)
    const committedAt = new Map<string, number>()
    const latencies: number[] = []
    const target: OutboxRouter = {
      emit(name, payload, emitOptions) {
        const receipt = (router as OutboxRouter).emit(name, payload, emitOptions)
        const at = committedAt.get(emitOptions.id as string)
        // NOTIFY can reach the relay before the writer has read its COMMIT's answer.
        if (at !== undefined) latencies.push(performance.now() - at)
        return receipt
      },
    }
    let relayed = 0
    let lastRelayedAt = 0
    const relay = outbox.relay(target, { retentionMs: false })
    relay.on('relayed', () => {
      relayed++
      lastRelayedAt = performance.now()
    })
    await relay.onIdle()
    const begin = performance.now()
    const transactions = Math.ceil(options.total / options.eventsPerTx)
    const txPerSecond = await hostTransactions(pool, schema, outbox, {
      total: transactions,
      writers: options.writers,
      prefix: 'l',
      eventsPerTx: options.eventsPerTx,
      committed: (ids) => {
        const now = performance.now()
        for (const id of ids) committedAt.set(id, now)
      },
    })
    const events = transactions * options.eventsPerTx
    const publishSeconds = (performance.now() - begin) / 1000
    const behindAtEnd = events - relayed
    await relay.onIdle()
    const seconds = (lastRelayedAt - begin) / 1000
    await relay.stop()
    await router.onIdle()
    await router.close()
    if (relayed !== events) throw new Error(`outbox benchmark: relayed ${relayed} of ${events}`)
    return {
      txPerSecond,
      publishedPerSecond: events / publishSeconds,
      eventsPerSecond: events / seconds,
      behindAtEnd,
      latencyMs: {
        p50: quantile(latencies, 0.5),
        p99: quantile(latencies, 0.99),
        max: Math.max(...latencies),
      },
    }
  } finally {
    await drop()
  }
}

export const outboxSuite: Suite = {
  name: 'outbox',
  description: `transactional outbox on PostgreSQL: host transactions with publish(), and one relay from commit to emit(), ${PAYLOAD_BYTES}-byte payloads`,
  async run({ quick }) {
    const built = await loadBuild()
    const module: OutboxModule = await import('../../src/outbox/postgres/index.js')
    const sizes = {
      tx: quick ? 200 : envSize('BENCH_OUTBOX_TX', 4000),
      backlog: quick ? 1000 : envSize('BENCH_OUTBOX_BACKLOG', 20_000),
      live: quick ? 500 : envSize('BENCH_OUTBOX_LIVE', 10_000),
      writers: envSize('BENCH_OUTBOX_WRITERS', 4),
    }
    const rounds = quick ? 1 : 3
    const pool = new pg.Pool({ ...PG_CONFIG, max: sizes.writers + 4 })
    pool.on('error', () => {})
    const directory = mkdtempSync(join(os.tmpdir(), 'eventrouter-bench-outbox-'))
    try {
      const server = (await pool.query('SHOW server_version')).rows[0]?.server_version as string
      const settings = (
        await pool.query(
          `SELECT current_setting('synchronous_commit') AS sc, current_setting('fsync') AS fsync`,
        )
      ).rows[0] as { sc: string; fsync: string }

      // Host transactions: the three cases in each round, in a rotated order.
      const host = new Map<HostCase, number[]>(HOST_CASES.map((name) => [name, []]))
      for (let round = 0; round < rounds; round++) {
        for (const name of rotate(HOST_CASES, round)) {
          const { schema, outbox, drop } = await prepare(pool, module, name === 'insert + publish()')
          try {
            const withOutbox = name === 'business insert only' ? undefined : outbox
            host.get(name)?.push(
              await hostTransactions(pool, schema, withOutbox, {
                total: sizes.tx,
                writers: sizes.writers,
                prefix: `h${round}`,
              }),
            )
          } finally {
            await drop()
          }
        }
      }
      const alone = median(host.get('business insert only') ?? [])
      const hostRows: Row[] = HOST_CASES.map((name) => {
        const samples = host.get(name) ?? []
        return {
          'host transaction': name,
          'tx/s (median)': Math.round(median(samples)),
          'vs insert only': median(samples) / alone,
          rounds: samples.length,
        }
      })

      // One relay: draining a backlog, then keeping up with live writers.
      const drains: Row[] = []
      const drainResults: Record<string, number[]> = {}
      for (const [label, durable, batchSize] of [
        ['memory store, batch 100', false, 100],
        ['sqliteStore, batch 100', true, 100],
        ['sqliteStore, batch 500', true, 500],
      ] as const) {
        const samples: number[] = []
        for (let round = 0; round < rounds; round++) {
          samples.push(
            (await drainBacklog(pool, module, built, { total: sizes.backlog, durable, batchSize, directory }))
              .eventsPerSecond,
          )
        }
        drainResults[label] = samples
        drains.push({
          'router (relay batch)': label,
          backlog: sizes.backlog,
          'events/s (median)': Math.round(median(samples)),
          rounds,
        })
      }
      const live: Row[] = []
      const liveResults: Record<string, unknown[]> = {}
      for (const [label, durable, eventsPerTx] of [
        ['memory store, 1 event/tx', false, 1],
        ['sqliteStore, 1 event/tx', true, 1],
        ['memory store, 10 events/tx', false, 10],
        ['sqliteStore, 10 events/tx', true, 10],
      ] as const) {
        const samples: Awaited<ReturnType<typeof keepUp>>[] = []
        for (let round = 0; round < rounds; round++) {
          samples.push(
            await keepUp(pool, module, built, {
              total: sizes.live,
              writers: sizes.writers,
              eventsPerTx,
              durable,
              directory,
            }),
          )
        }
        liveResults[label] = samples
        const mid = (pick: (sample: (typeof samples)[number]) => number) => median(samples.map(pick))
        live.push({
          'router, host transactions': label,
          'published/s': Math.round(mid((sample) => sample.publishedPerSecond)),
          'relayed/s': Math.round(mid((sample) => sample.eventsPerSecond)),
          'behind when writers stop': Math.round(mid((sample) => sample.behindAtEnd)),
          'commit→emit p50 ms': mid((sample) => sample.latencyMs.p50),
          'p99 ms': mid((sample) => sample.latencyMs.p99),
          rounds,
        })
      }
      return {
        config: {
          sizes,
          rounds,
          payloadBytes: PAYLOAD_BYTES,
          server,
          ...settings,
          outboxFrom: 'src (tsx)',
        },
        tables: [
          { title: `Host transactions, ${sizes.writers} connections at once`, rows: hostRows },
          { title: 'One relay draining a committed backlog (commit to emit() returned)', rows: drains },
          { title: `One relay while ${sizes.writers} connections publish ${sizes.live} events`, rows: live },
        ],
        results: { host: Object.fromEntries(host), drain: drainResults, live: liveResults },
        notes: [
          `PostgreSQL ${server} at ${PG_CONFIG.host}:${PG_CONFIG.port} (synchronous_commit ${settings.sc}, fsync ${settings.fsync}), on the same machine as the benchmark.`,
          'The relay emits into a router on a no-op transport: its figures are PostgreSQL round trips, emit() and the store.',
          'The outbox code comes from src/ through tsx; the router from the tsup build.',
        ],
      }
    } finally {
      await pool.end()
      rmSync(directory, { recursive: true, force: true })
    }
  },
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const quick = process.env.BENCH_QUICK === '1'
  const machine = describeMachine()
  console.log(`node ${machine.node}, ${machine.cpuCount} x ${machine.cpus[0]?.model ?? 'unknown CPU'}`)
  const result = await outboxSuite.run({ quick })
  for (const table of result.tables) printTable(table.title, table.rows)
  for (const note of result.notes ?? []) console.log(`  note: ${note}`)
  console.log(`  wrote ${writeResults(outboxSuite.name, { ...result, machine, quick })}`)
}
