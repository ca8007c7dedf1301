import { randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import type { DeadLetter, EventRouterOptions, StoredConfiguration } from '../../src/index.js'
import { sqliteStore } from '../../src/stores/sqlite/index.js'
import type { DeliveryRecord, PendingSummary } from '../../src/stores/store.js'
import { tempDirectory } from './temp-directory.js'

/** A store the router suites run against. */
export interface StoreUnderTest {
  readonly name: 'memory' | 'sqlite'
  /** Whether close() leaves queued and retrying deliveries in the store (instead of dead-lettering them). */
  readonly durable: boolean
}

/** The default memory store, and the SQLite store (one temp file per router). */
export const STORES: readonly StoreUnderTest[] = [
  { name: 'memory', durable: false },
  { name: 'sqlite', durable: true },
]

/** What a router needs to run on a fresh store, and the file, for a durable one. */
export interface FreshStore {
  /** `store` and `secrets` options for the router: none for the memory store (its default). */
  readonly options: Pick<EventRouterOptions, 'store' | 'secrets'>
  /** The SQLite file, or `undefined` for the memory store. */
  readonly path: string | undefined
}

/** The key integration secrets are sealed with in SQLite files made by {@link storeFiles}. */
export const SEALING_KEY = { id: 'test-key', key: randomBytes(32) }

/**
 * Temp files for the SQLite stores of the calling test file, removed after it. Call it at the
 * top level of a file. A router on a durable store must be `start()`ed before use.
 */
export function storeFiles(prefix = 'eventrouter-store-'): {
  fresh(kind: StoreUnderTest): FreshStore
  /** Removes a file early (runs that make many), once no store has it open. */
  discard(path: string): Promise<void>
} {
  let directory = ''
  let files = 0
  beforeAll(async () => {
    directory = await tempDirectory(prefix)
  })
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true })
  })
  return {
    fresh(kind) {
      if (!kind.durable) return { options: {}, path: undefined }
      const path = join(directory, `router-${++files}.db`)
      return { options: { store: sqliteStore({ path }), secrets: { keys: [SEALING_KEY] } }, path }
    },
    async discard(path) {
      await Promise.all(
        ['', '-wal', '-shm', '-journal'].map((suffix) => rm(`${path}${suffix}`, { force: true })),
      )
    },
  }
}

/** What an SQLite file holds, read with the store itself once no router has it open. */
export interface StoreFileContents {
  readonly summary: readonly PendingSummary[]
  /** Every pending delivery, claimed or not. */
  readonly records: readonly DeliveryRecord[]
  readonly letters: readonly DeadLetter[]
  readonly configuration: StoredConfiguration
}

/**
 * Reads everything an SQLite file holds. Opening it releases the claims a previous process left,
 * as the next router's `start()` would; claiming everything due by the end of time then lists
 * every pending delivery, and the next open releases these claims in turn.
 */
export async function readStoreFile(path: string): Promise<StoreFileContents> {
  const store = sqliteStore({ path })
  await store.open()
  try {
    const summary = store.pendingSummary()
    const records: DeliveryRecord[] = []
    for (const entry of summary) {
      records.push(...store.claimDue(queueOf(entry), Number.POSITIVE_INFINITY, 1_000_000).records)
    }
    return {
      summary,
      records,
      letters: store.listDeadLetters({}),
      configuration: store.loadConfiguration(),
    }
  } finally {
    store.close()
  }
}

/**
 * The key a summary entry counts by, which `claimDue` claims by: its `queue` (one per
 * integration and emitting tenant), or its `integrationId` in stores keyed by integration alone.
 */
function queueOf(entry: PendingSummary): string {
  const keys = entry as unknown as { readonly queue?: string; readonly integrationId?: string }
  return keys.queue ?? keys.integrationId ?? ''
}
