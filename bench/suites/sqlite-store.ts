import { mkdtempSync, rmSync, statSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { sqliteStore as makeSqliteStore, SqliteStoreSettings } from '../../src/stores/sqlite/index.js'
import type { DeliveryRecord, StoreOperation } from '../../src/stores/store.js'
import { loadBuild } from '../lib/load-build.js'
import { describeMachine, printTable, type Row, writeResults } from '../lib/report.js'
import { collectGarbage, median } from '../lib/stats.js'
import type { Suite } from '../lib/suite.js'

/*
 * npm run bench -- sqlite-store        with the other suites (bench/index.ts), or alone:
 *   node --expose-gc --import tsx bench/suites/sqlite-store.ts
 *   BENCH_QUICK=1 ...            smoke sizes
 *   BENCH_SQLITE_LARGE=500000 ... the size of the "claimable in order" run (default 500,000)
 * It measures the store of the tsup build (bench/lib/load-build.ts), as the other suites do;
 * BENCH_CURRENT=<ref> picks a commit instead of src/ on disk. The store is driven directly, without
 * a router: the figures are SQLite's and JSON's, not the router's.
 */

/** The built store factory, set by run(): the suite measures the build, as the others do. */
let sqliteStore: typeof makeSqliteStore

// About 600 bytes of JSON: the size of a typical business event.
const PAYLOAD = Object.freeze({
  orderId: 'ord_7f3a9c2e41b8',
  coins: 150,
  balance: 1350,
  reason: 'order',
  customer: {
    id: 'cus_981',
    name: 'Ana Lima',
    email: 'ana@example.com',
    mobile: '+5511987654321',
    tier: 'gold',
  },
  items: Array.from({ length: 4 }, (_, index) => ({
    sku: `SKU-${1000 + index}`,
    quantity: index + 1,
    price: 19.9,
  })),
  note: 'x'.repeat(214),
})
const PAYLOAD_BYTES = Buffer.byteLength(JSON.stringify(PAYLOAD))

function record(index: number, notBefore = 0): DeliveryRecord {
  const id = `0f4c2a9e-51b7-4d3a-9c1e-${String(index).padStart(12, '0')}`
  return {
    id,
    tenant: null,
    queue: 'crm',
    delivery: {
      id,
      tenant: null,
      eventId: `evt_${index}`,
      eventName: 'wallet.coins_rewarded',
      outgoingName: 'Loyalty wallet.coins_rewarded',
      subscriptionId: 'sub_loyalty',
      integrationId: 'crm',
      integrationType: 'webhook',
    },
    event: {
      tenant: null,
      id: `evt_${index}`,
      name: 'wallet.coins_rewarded',
      outgoingName: 'Loyalty wallet.coins_rewarded',
      payload: PAYLOAD,
      occurredAt: 1_793_527_200_000,
    },
    attempts: 0,
    retriesUsed: 0,
    throttledUsed: 0,
    history: [],
    notBefore,
    jitter: 1.2,
    redeliveries: 0,
    createdAt: 1_793_527_200_000,
    firstAttemptAt: null,
  }
}

const put = (index: number, notBefore = 0): StoreOperation => ({
  type: 'putDelivery',
  record: record(index, notBefore),
  claimed: false,
})

function heapUsed(): number {
  collectGarbage()
  collectGarbage()
  return process.memoryUsage().heapUsed
}

class Files {
  readonly directory = mkdtempSync(join(os.tmpdir(), 'eventrouter-bench-sqlite-'))
  #count = 0
  next(): string {
    return join(this.directory, `store-${++this.#count}.db`)
  }
  remove(): void {
    rmSync(this.directory, { recursive: true, force: true })
  }
}

/** Deliveries per second written in batches of `batch`, `total` in all, on a new file. */
async function inserts(files: Files, batch: number, total: number, settings: SqliteStoreSettings) {
  const store = sqliteStore({ path: files.next(), ...settings })
  await store.open()
  const batches = Array.from({ length: Math.ceil(total / batch) }, (_, b) =>
    Array.from({ length: Math.min(batch, total - b * batch) }, (_, i) => put(b * batch + i)),
  )
  const start = performance.now()
  for (const operations of batches) store.write(operations)
  const ms = performance.now() - start
  store.close()
  return total / (ms / 1000)
}

/** claimDue(limit) + one write deleting what it claimed, until `total` prefilled are gone. */
async function claimCycles(files: Files, limit: number, total: number) {
  const store = sqliteStore({ path: files.next() })
  await store.open()
  for (let start = 0; start < total; start += 1000) {
    store.write(Array.from({ length: Math.min(1000, total - start) }, (_, i) => put(start + i)))
  }
  let cycles = 0
  const begin = performance.now()
  for (;;) {
    const { records, nextDueAt } = store.claimDue('crm', 1, limit)
    store.write(records.map((item): StoreOperation => ({ type: 'deleteDelivery', id: item.id })))
    cycles++
    if (nextDueAt === null) break
  }
  const seconds = (performance.now() - begin) / 1000
  store.close()
  return { cyclesPerSecond: cycles / seconds, deliveriesPerSecond: total / seconds }
}

/** Bytes of the file per pending delivery, after `total` and a close (WAL checkpointed). */
async function bytesPerPending(files: Files, total: number) {
  const path = files.next()
  const store = sqliteStore({ path })
  await store.open()
  for (let start = 0; start < total; start += 1000) {
    store.write(Array.from({ length: Math.min(1000, total - start) }, (_, i) => put(start + i)))
  }
  store.close()
  return statSync(path).size / total
}

/** `total` pending on file, reopened, then all claimed in pages of 100 (and deleted), in order. */
async function claimableInOrder(files: Files, total: number) {
  const path = files.next()
  const writer = sqliteStore({ path })
  await writer.open()
  const fillStart = performance.now()
  for (let start = 0; start < total; start += 1000) {
    store(writer, start, Math.min(1000, total - start))
  }
  const fillSeconds = (performance.now() - fillStart) / 1000
  writer.close()
  const fileBytes = statSync(path).size

  const openStart = performance.now()
  const unchecked = sqliteStore({ path, checkIntegrity: false })
  await unchecked.open()
  const openUncheckedMs = performance.now() - openStart
  unchecked.close()

  const checkedStart = performance.now()
  const reader = sqliteStore({ path })
  await reader.open()
  const openMs = performance.now() - checkedStart

  const baseline = heapUsed()
  let peakGrowth = 0
  let claimed = 0
  let previous = -1
  let outOfOrder = 0
  const claimStart = performance.now()
  for (let page = 0; ; page++) {
    const { records, nextDueAt } = reader.claimDue('crm', Number.MAX_SAFE_INTEGER, 100)
    for (const item of records) {
      const position = item.notBefore * total + Number(item.id.slice(-12))
      if (position < previous) outOfOrder++
      previous = position
    }
    reader.write(records.map((item): StoreOperation => ({ type: 'deleteDelivery', id: item.id })))
    claimed += records.length
    if (page % 500 === 0) peakGrowth = Math.max(peakGrowth, heapUsed() - baseline)
    if (nextDueAt === null) break
  }
  const claimSeconds = (performance.now() - claimStart) / 1000
  peakGrowth = Math.max(peakGrowth, heapUsed() - baseline)
  reader.close()
  return {
    total,
    fillSeconds,
    fileBytes,
    openMs,
    openUncheckedMs,
    claimed,
    outOfOrder,
    claimSeconds,
    peakHeapGrowthBytes: peakGrowth,
  }
}

/** Writes deliveries `start`..`start + count` with notBefore spread over 1,000 values, out of write order. */
function store(target: ReturnType<typeof sqliteStore>, start: number, count: number): void {
  target.write(Array.from({ length: count }, (_, i) => put(start + i, ((start + i) * 7919) % 1000)))
}

export const sqliteStoreSuite: Suite = {
  name: 'sqlite-store',
  description: `SQLite store (libsql, WAL): writes, claims and file size, ${PAYLOAD_BYTES}-byte payloads`,
  async run({ quick }) {
    const built = await loadBuild()
    if (!built.sqlite) throw new Error(`sqlite-store benchmark: ${built.label} has no SQLite store`)
    sqliteStore = built.sqlite.sqliteStore
    const files = new Files()
    const rounds = quick ? 1 : 3
    const sizes = {
      single: quick ? 200 : 5000,
      batched: quick ? 2000 : 100_000,
      cycles: quick ? 2000 : 50_000,
      large: quick ? 5000 : Number(process.env.BENCH_SQLITE_LARGE ?? 500_000),
    }
    try {
      const measure = async (run: () => Promise<number>) => {
        const samples: number[] = []
        for (let round = 0; round < rounds; round++) samples.push(await run())
        return { median: median(samples), samples }
      }
      const writes = {
        'batch 1, synchronous normal': await measure(() => inserts(files, 1, sizes.single, {})),
        'batch 1, synchronous full': await measure(() =>
          inserts(files, 1, sizes.single, { synchronous: 'full' }),
        ),
        'batch 100, synchronous normal': await measure(() => inserts(files, 100, sizes.batched, {})),
        'batch 100, synchronous full': await measure(() =>
          inserts(files, 100, sizes.batched, { synchronous: 'full' }),
        ),
      }
      const cycles = {
        'claimDue(1) + delete': await claimCycles(files, 1, sizes.cycles),
        'claimDue(100) + delete 100': await claimCycles(files, 100, sizes.cycles),
      }
      const bytes = await bytesPerPending(files, sizes.batched)
      const large = await claimableInOrder(files, sizes.large)

      const writeRows: Row[] = Object.entries(writes).map(([name, result]) => ({
        'pending deliveries written': name,
        'per second (median)': Math.round(result.median),
        rounds,
      }))
      const cycleRows: Row[] = Object.entries(cycles).map(([name, result]) => ({
        cycle: name,
        'cycles/s': Math.round(result.cyclesPerSecond),
        'deliveries/s': Math.round(result.deliveriesPerSecond),
      }))
      const largeRows: Row[] = [
        {
          pending: large.total,
          'fill s': large.fillSeconds,
          'file MB': large.fileBytes / 2 ** 20,
          'open ms (quick_check)': large.openMs,
          'open ms (no check)': large.openUncheckedMs,
          'claim+delete all s': large.claimSeconds,
          'out of order': large.outOfOrder,
          'peak heap growth MB': large.peakHeapGrowthBytes / 2 ** 20,
        },
      ]
      return {
        config: { sizes, rounds, payloadBytes: PAYLOAD_BYTES, tmpdir: os.tmpdir() },
        tables: [
          { title: 'Writes of pending deliveries (one transaction per write())', rows: writeRows },
          { title: `Claim cycles, ${sizes.cycles} pending`, rows: cycleRows },
          {
            title: 'File size',
            rows: [{ pending: sizes.batched, 'bytes on disk per pending delivery': Math.round(bytes) }],
          },
          { title: 'Claimable in order without loading them all', rows: largeRows },
        ],
        results: { writes, cycles, bytesPerPending: bytes, large },
        notes: [
          `Payloads of ${PAYLOAD_BYTES} bytes of JSON; files in ${os.tmpdir()} (fsync cost depends on that disk).`,
          'synchronous full fsyncs every commit: batch-1 figures are the disk, not the store.',
        ],
      }
    } finally {
      files.remove()
    }
  },
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const quick = process.env.BENCH_QUICK === '1'
  const machine = describeMachine()
  console.log(`node ${machine.node}, ${machine.cpuCount} x ${machine.cpus[0]?.model ?? 'unknown CPU'}`)
  const result = await sqliteStoreSuite.run({ quick })
  for (const table of result.tables) printTable(table.title, table.rows)
  for (const note of result.notes ?? []) console.log(`  note: ${note}`)
  console.log(`  wrote ${writeResults(sqliteStoreSuite.name, { ...result, machine, quick })}`)
}
