import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import Database from 'libsql'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sqliteStore } from '../../src/stores/sqlite/index.js'
import type { DeliveryRecord, StoreOperation } from '../../src/stores/store.js'
import { envInt } from '../support/escaped-errors.js'
import { heapUsedAfterGc, MB } from '../support/heap.js'
import { tempDirectory } from '../support/temp-directory.js'
import { InstrumentedDatabase } from './instrumented-database.js'

// 12,000 by default: loaded whole, they would take about 18 MB, well over the 8 MB the test allows.
// `npm run test:stress` runs 50,000; raise it for a soak:
// SQLITE_STORE_PENDING=500000 npx vitest run test/stores/sqlite-store-scale.test.ts
const PENDING = envInt('SQLITE_STORE_PENDING', 12_000)
const PAGE = 100
/** notBefore of delivery `index`: spread over a second, with ties, not in write order. */
const notBeforeOf = (index: number) => (index * 7919) % 1000

// About 600 bytes of JSON, the size of a typical business event.
const PAYLOAD = {
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
  note: 'x'.repeat(180),
}

function record(index: number): DeliveryRecord {
  const id = `dlv_${String(index).padStart(7, '0')}`
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
      subscriptionId: 'sub_1',
      integrationId: 'crm',
      integrationType: 'webhook',
    },
    event: {
      tenant: null,
      id: `evt_${index}`,
      name: 'wallet.coins_rewarded',
      outgoingName: 'Loyalty wallet.coins_rewarded',
      payload: PAYLOAD,
      occurredAt: 0,
    },
    attempts: 0,
    retriesUsed: 0,
    throttledUsed: 0,
    history: [],
    notBefore: notBeforeOf(index),
    jitter: 1.2,
    redeliveries: 0,
    createdAt: 0,
    firstAttemptAt: null,
  }
}

let directory = ''
beforeAll(async () => {
  directory = await tempDirectory('eventrouter-sqlite-scale-')
})
afterAll(async () => {
  await rm(directory, { recursive: true, force: true })
})

describe('sqliteStore with many pending deliveries', () => {
  it(`claims ${PENDING} pending deliveries in order, a page at a time, without loading them all`, async () => {
    const path = join(directory, 'many.db')
    const writer = sqliteStore({ path })
    await writer.open()
    for (let start = 0; start < PENDING; start += 1000) {
      const batch: StoreOperation[] = []
      for (let index = start; index < Math.min(PENDING, start + 1000); index++) {
        batch.push({ type: 'putDelivery', record: record(index), claimed: false })
      }
      writer.write(batch)
    }
    writer.close()

    // A new process starts on the full file.
    const database = new InstrumentedDatabase(new Database(path))
    const store = sqliteStore({ database })
    await store.open()
    expect(store.pendingSummary()).toEqual([
      { queue: 'crm', pending: PENDING, unclaimed: PENDING, nextDueAt: 0 },
    ])
    database.resetCounts()
    const baseline = await heapUsedAfterGc()
    let growth = 0
    let claimed = 0
    let previous = [-1, -1]
    for (;;) {
      const { records, nextDueAt } = store.claimDue('crm', 1000, PAGE)
      for (const item of records) {
        const index = Number(item.id.slice(4))
        const [notBefore, last] = previous as [number, number]
        if (item.notBefore < notBefore || (item.notBefore === notBefore && index < last)) {
          throw new Error(
            `${item.id} (notBefore ${item.notBefore}) came after delivery ${last} (notBefore ${notBefore})`,
          )
        }
        previous = [item.notBefore, index]
      }
      store.write(records.map((item): StoreOperation => ({ type: 'deleteDelivery', id: item.id })))
      claimed += records.length
      if (claimed % 10_000 === 0 || nextDueAt === null)
        growth = Math.max(growth, (await heapUsedAfterGc()) - baseline)
      if (nextDueAt === null) break
    }
    expect(claimed).toBe(PENDING)
    // One page per read: the file is never read whole.
    expect(database.mostRowsPerRead).toBeLessThanOrEqual(PAGE)
    // The deliveries parsed take about 1.5 KB each: all of them would be tens of MB.
    expect(growth).toBeLessThan(8 * MB)
    expect(store.pendingSummary()).toEqual([])
    store.close()
    // Real I/O on a shared machine: a generous deadline, no timing asserted.
  }, 180_000)
})
