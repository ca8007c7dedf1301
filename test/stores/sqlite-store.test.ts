import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'libsql'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { StoreError } from '../../src/errors/store-error.js'
import { ValidationError } from '../../src/errors/validation-error.js'
import { type SqliteDatabase, type SqliteStore, sqliteStore } from '../../src/stores/sqlite/index.js'
import type { Store, StoreOperation } from '../../src/stores/store.js'
import { storeContractCases } from '../../src/testing/index.js'
import { bundledFixture } from '../support/bundled-fixture.js'
import { tempDirectory } from '../support/temp-directory.js'
import { InstrumentedDatabase, sqliteError } from './instrumented-database.js'

let directory = ''
let files = 0
beforeAll(async () => {
  directory = await tempDirectory('eventrouter-sqlite-')
})
afterAll(async () => {
  await rm(directory, { recursive: true, force: true })
})
const tempPath = () => join(directory, `store-${++files}.db`)

/** Where each store of the contract runs lives, so `reopen` can open the same file. */
const pathOf = new WeakMap<Store, string>()
const reopen = (store: Store) => sqliteStore({ path: pathOf.get(store) ?? (store as SqliteStore).path! })

const delivery = (id: string, notBefore = 0): StoreOperation => ({
  type: 'putDelivery',
  claimed: false,
  record: {
    id,
    tenant: null,
    queue: 'crm',
    delivery: {
      id,
      tenant: null,
      eventId: `evt_${id}`,
      eventName: 'wallet.coins_rewarded',
      outgoingName: 'wallet.coins_rewarded',
      subscriptionId: 'sub_1',
      integrationId: 'crm',
      integrationType: 'webhook',
    },
    event: {
      tenant: null,
      id: `evt_${id}`,
      name: 'wallet.coins_rewarded',
      outgoingName: 'wallet.coins_rewarded',
      payload: { coins: 150, customer: { id: 'cus_1' } },
      occurredAt: 0,
    },
    attempts: 0,
    retriesUsed: 0,
    throttledUsed: 0,
    history: [],
    notBefore,
    jitter: 1,
    redeliveries: 0,
    createdAt: 0,
    firstAttemptAt: null,
  },
})

async function openedStore(path = tempPath()) {
  const store = sqliteStore({ path })
  await store.open()
  return store
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex')

/** A raw libsql connection, for what the store itself must not do: tamper with the file. */
function withRawDatabase<T>(path: string, use: (db: InstanceType<typeof Database>) => T): T {
  const db = new Database(path)
  try {
    return use(db)
  } finally {
    db.close()
  }
}

describe('sqliteStore({ path }): the Store contract', () => {
  const cases = storeContractCases(
    () => {
      const path = tempPath()
      const store = sqliteStore({ path })
      pathOf.set(store, path)
      return store
    },
    { reopen, durable: true },
  )
  for (const item of cases) it(item.name, item.run)
})

describe('sqliteStore({ database }): the Store contract, with faults injected in the driver', () => {
  const drivers = new WeakMap<Store, InstrumentedDatabase>()
  const cases = storeContractCases(
    () => {
      const path = tempPath()
      const database = new InstrumentedDatabase(new Database(path))
      const store = sqliteStore({ database })
      drivers.set(store, database)
      pathOf.set(store, path)
      return store
    },
    {
      reopen,
      durable: true,
      failNextWrite: (store) => drivers.get(store)!.failRun(1),
    },
  )
  it('includes the midway-failure case', () => {
    expect(cases.map((item) => item.name)).toContain(
      'write: a batch that fails midway keeps none of it, before and after a restart',
    )
  })
  for (const item of cases) it(item.name, item.run)
})

// node:sqlite exists from Node 22.5 (unflagged from 22.13): CI runs this part on Node 22.
const nodeSqlite = process.getBuiltinModule?.('node:sqlite') as
  | { DatabaseSync: new (path: string) => SqliteDatabase }
  | undefined
describe.runIf(nodeSqlite !== undefined)(
  'sqliteStore({ database: new DatabaseSync() }): the Store contract',
  () => {
    const cases = storeContractCases(
      () => {
        const path = tempPath()
        const store = sqliteStore({ database: new nodeSqlite!.DatabaseSync(path) })
        pathOf.set(store, path)
        return store
      },
      {
        reopen: (store) => sqliteStore({ database: new nodeSqlite!.DatabaseSync(pathOf.get(store)!) }),
        durable: true,
      },
    )
    for (const item of cases) it(item.name, item.run)
  },
)

describe('sqliteStore: one router per file', () => {
  const fixture = bundledFixture(fileURLToPath(new URL('./fixtures/hold-sqlite-store.ts', import.meta.url)))
  const children: ChildProcessWithoutNullStreams[] = []
  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
  })

  /** Starts the fixture on `path` and resolves with the first line it prints. */
  async function holder(path: string): Promise<{ child: ChildProcessWithoutNullStreams; line: string }> {
    const child = spawn(process.execPath, [await fixture, path], { stdio: 'pipe' })
    children.push(child)
    return new Promise((resolve, reject) => {
      let output = ''
      let errors = ''
      child.stderr.on('data', (chunk: Buffer) => {
        errors += chunk.toString()
      })
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString()
        const end = output.indexOf('\n')
        if (end !== -1) resolve({ child, line: output.slice(0, end) })
      })
      child.once('exit', (code) =>
        reject(new Error(`the fixture exited (${code}) before a line:\n${errors}`)),
      )
    })
  }

  it('refuses a second open, in this process and in another; a SIGKILLed holder lets go of the file', async () => {
    const path = tempPath()
    const first = await holder(path)
    expect(first.line).toMatch(/^open dlv_from_\d+$/)
    const written = first.line.slice('open '.length)

    const here = sqliteStore({ path, busyTimeoutMs: 0 })
    const refusal = await here.open().catch((error: unknown) => error)
    expect(refusal).toBeInstanceOf(StoreError)
    expect((refusal as StoreError).message).toMatch(
      /^Could not open the SQLite store at `.+`: .*in use by another router/,
    )
    expect((refusal as StoreError).cause).toMatchObject({ code: 'SQLITE_BUSY' })

    const second = await holder(path)
    expect(second.line).toMatch(/^refused /)
    expect(JSON.parse(second.line.slice('refused '.length))).toMatchObject({
      name: 'StoreError',
      code: 'ERR_STORE',
      message: expect.stringMatching(/in use by another router/),
    })

    const exited = new Promise((resolve) => first.child.once('exit', resolve))
    first.child.kill('SIGKILL')
    await exited
    // The same store object tries again: a `path` store may, once the file is free.
    await here.open()
    try {
      expect((await here.getDeliveries([written])).map((record) => record.id)).toEqual([written])
      // Its claim died with the process.
      expect(here.pendingSummary()).toEqual([{ queue: 'crm', pending: 1, unclaimed: 1, nextDueAt: 0 }])
    } finally {
      here.close()
    }
    // Two processes start: a generous deadline on a busy machine.
  }, 90_000)

  it('close() lets go of the file at once, so a new store opens it without waiting', async () => {
    const path = tempPath()
    const first = await openedStore(path)
    first.write([delivery('dlv_1')])
    first.close()
    const second = sqliteStore({ path, busyTimeoutMs: 0 })
    await second.open()
    expect(second.getDeliveries(['dlv_1'])).toHaveLength(1)
    second.close()
    // Nothing of the open store is left beside the file.
    expect(existsSync(`${path}-wal`)).toBe(false)
    expect(existsSync(`${path}-shm`)).toBe(false)
  })
})

describe('sqliteStore: files it refuses, and leaves as they are', () => {
  it('refuses a file of a newer schema, saying to upgrade eventrouter', async () => {
    const path = tempPath()
    ;(await openedStore(path)).close()
    withRawDatabase(path, (db) => db.exec('PRAGMA user_version = 99'))
    const before = sha256(path)
    const error = await sqliteStore({ path })
      .open()
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(StoreError)
    expect((error as StoreError).message).toMatch(
      /has schema version 99, written by a newer eventrouter; this one knows up to version 1\. Upgrade eventrouter/,
    )
    expect(sha256(path)).toBe(before)
  })

  it('refuses a corrupt file, saying to restore it from a backup or point `path` elsewhere', async () => {
    const path = tempPath()
    const store = await openedStore(path)
    for (let batch = 0; batch < 10; batch++) {
      store.write(Array.from({ length: 50 }, (_, index) => delivery(`dlv_${batch}_${index}`)))
    }
    store.close()
    const bytes = readFileSync(path)
    // Garbage over pages 3 to 8: b-tree pages of the tables and indexes.
    for (let offset = 2 * 4096; offset < 8 * 4096; offset++) bytes[offset] = (offset * 31) % 251
    writeFileSync(path, bytes)
    const before = sha256(path)
    const error = await sqliteStore({ path })
      .open()
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(StoreError)
    expect((error as StoreError).message).toMatch(/corrupt/)
    expect((error as StoreError).message).toMatch(/restore it from a backup, or point `path` elsewhere/)
    expect(sha256(path)).toBe(before)
  })

  it('refuses a file that is not a SQLite database', async () => {
    const path = tempPath()
    writeFileSync(path, 'order_id,coins\n'.repeat(500))
    const before = sha256(path)
    const error = await sqliteStore({ path })
      .open()
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(StoreError)
    expect((error as StoreError).message).toMatch(
      /file is not a database \(SQLITE_NOTADB\)\. The file is corrupt or not a SQLite database\. It was left as it is, not recreated: restore it from a backup, or point `path` elsewhere/,
    )
    expect(sha256(path)).toBe(before)
  })

  it("refuses another app's SQLite database", async () => {
    const path = tempPath()
    withRawDatabase(path, (db) => db.exec('CREATE TABLE orders (id TEXT PRIMARY KEY)'))
    const error = await sqliteStore({ path })
      .open()
      .catch((caught: unknown) => caught)
    expect((error as StoreError).message).toMatch(
      /a SQLite database of something else, not an eventrouter store/,
    )
    withRawDatabase(path, (db) => {
      expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all()).toEqual([
        { name: 'orders' },
      ])
    })
  })

  it('refuses a path whose directory does not exist, saying so', async () => {
    const error = await sqliteStore({ path: join(directory, 'missing', 'store.db') })
      .open()
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(StoreError)
    expect((error as StoreError).message).toMatch(/check that its directory exists/)
  })
})

describe('sqliteStore: the file it writes', () => {
  it('runs in WAL mode with exclusive locking, the busy timeout and `synchronous` asked for', async () => {
    const pragma = (db: InstanceType<typeof Database>, name: string) =>
      (db.prepare(`PRAGMA ${name}`).get() as Record<string, unknown>)[name]
    for (const [options, synchronous] of [
      [{}, 1],
      [{ synchronous: 'normal' }, 1],
      [{ synchronous: 'full' }, 2],
    ] as const) {
      const db = new Database(tempPath())
      const store = sqliteStore({ database: db, busyTimeoutMs: 1234, ...options })
      await store.open()
      expect(pragma(db, 'journal_mode')).toBe('wal')
      expect(pragma(db, 'locking_mode')).toBe('exclusive')
      expect(pragma(db, 'synchronous')).toBe(synchronous)
      expect((db.prepare('PRAGMA busy_timeout').get() as Record<string, unknown>).timeout).toBe(1234)
      store.close()
      expect(db.open).toBe(false)
    }
  })

  it('migrates in one transaction: a failure during the first open leaves the file empty', async () => {
    const path = tempPath()
    const database = new InstrumentedDatabase(new Database(path))
    // The first statement run is the release of claims, after the migration, in its transaction.
    database.failRun(0)
    await expect(sqliteStore({ database }).open()).rejects.toThrow(
      /disk I\/O error.*The file was not changed/,
    )
    withRawDatabase(path, (db) => {
      expect(db.prepare('PRAGMA user_version').get()).toMatchObject({ user_version: 0 })
      expect(db.prepare('SELECT count(*) AS count FROM sqlite_master').get()).toMatchObject({ count: 0 })
    })
    const store = await openedStore(path)
    expect(store.pendingSummary()).toEqual([])
    store.close()
  })

  it('close() during open() leaves the file closed', async () => {
    const path = tempPath()
    const store = sqliteStore({ path })
    const opening = store.open()
    store.close()
    await expect(opening).rejects.toThrow(/close\(\) was called while it opened/)
    ;(await openedStore(path)).close()
  })

  it('marks the file as an eventrouter store of schema version 1', async () => {
    const path = tempPath()
    ;(await openedStore(path)).close()
    withRawDatabase(path, (db) => {
      expect(db.prepare('PRAGMA application_id').get()).toMatchObject({ application_id: 0x65767472 })
      expect(db.prepare('PRAGMA user_version').get()).toMatchObject({ user_version: 1 })
    })
  })

  it('keeps keys exactly, NUL and astral characters included (the contract asks only for router ids)', async () => {
    const store = await openedStore()
    const queue = 'crm\u0000eu 👍'
    const record = (delivery('dlv_\u0000👍') as unknown as { record: Record<string, unknown> }).record
    store.write([
      { type: 'putDelivery', claimed: false, record: { ...record, queue } } as never,
      { type: 'putEventSwitch', tenant: 'acme\u0000', name: 'a.b\u0000c', enabled: false },
      { type: 'putEventSwitch', tenant: 'acme', name: 'a.b', enabled: false },
    ])
    expect(store.pendingSummary()).toEqual([{ queue, pending: 1, unclaimed: 1, nextDueAt: 0 }])
    expect(store.claimDue(queue, 0, 1).records.map((item) => item.id)).toEqual(['dlv_\u0000👍'])
    expect(store.loadConfiguration().disabledEvents).toEqual([
      { tenant: 'acme\u0000', name: 'a.b\u0000c' },
      { tenant: 'acme', name: 'a.b' },
    ])
    store.close()
  })

  it('keeps tenant null apart from the strings "null" and "" in key columns', async () => {
    const path = tempPath()
    const store = await openedStore(path)
    store.write([
      { type: 'putEventSwitch', tenant: null, name: 'a.b', enabled: false },
      { type: 'putEventSwitch', tenant: 'null', name: 'a.b', enabled: false },
      { type: 'putEventSwitch', tenant: '', name: 'a.b', enabled: false },
    ])
    store.close()
    withRawDatabase(path, (db) => {
      expect(db.prepare('SELECT tenant_key FROM disabled_events ORDER BY seq').all()).toEqual([
        { tenant_key: 'null' },
        { tenant_key: '"null"' },
        { tenant_key: '""' },
      ])
    })
  })

  it('keys integrations, subscriptions, health and dead letters by tenant as JSON, one row per tenant under one id', async () => {
    const path = tempPath()
    const store = await openedStore(path)
    const tenants = [null, 'null', ''] as const
    // Only the keyed fields matter to the columns checked here.
    const letter = (id: string, tenant: string | null) => ({
      id,
      delivery: { tenant, integrationId: 'crm' },
      reason: 'shutdown',
      deadLetteredAt: '2026-11-01T10:00:00.000Z',
    })
    store.write(
      tenants.flatMap((tenant, index): StoreOperation[] => [
        { type: 'putIntegration', integration: { tenant, id: 'int_1' } as never },
        { type: 'putSubscription', subscription: { tenant, id: 'sub_1' } as never },
        { type: 'putHealth', health: { tenant, integrationId: 'int_1' } as never },
        { type: 'putDeadLetter', letter: letter(`dlv_${index}`, tenant) as never },
      ]),
    )
    store.close()
    const keys = [{ tenant_key: 'null' }, { tenant_key: '"null"' }, { tenant_key: '""' }]
    withRawDatabase(path, (db) => {
      for (const table of ['integrations', 'subscriptions', 'health', 'dead_letters']) {
        expect(db.prepare(`SELECT tenant_key FROM ${table} ORDER BY seq`).all(), table).toEqual(keys)
      }
    })
  })
})

describe('sqliteStore: failures', () => {
  it('turns a driver failure in write() into a StoreError naming the operation, and keeps nothing of the batch', async () => {
    const database = new InstrumentedDatabase(new Database(tempPath()))
    const store = sqliteStore({ database })
    await store.open()
    store.write([delivery('dlv_kept')])
    const full = sqliteError('database or disk is full', 'SQLITE_FULL')
    database.failRun(2, full)
    let error: unknown
    try {
      store.write([
        delivery('dlv_1'),
        delivery('dlv_2'),
        delivery('dlv_3'),
        { type: 'deleteDelivery', id: 'dlv_kept' },
      ])
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(StoreError)
    expect(error).toMatchObject({
      code: 'ERR_STORE',
      operation: expect.stringMatching(/^write 4 operations to the SQLite store at the given database$/),
      cause: full,
    })
    expect((error as StoreError).message).toBe(
      'Could not write 4 operations to the SQLite store at the given database: at operation 3 of 4 (putDelivery): ' +
        'database or disk is full (SQLITE_FULL). The disk is full: free some space. Nothing of the batch was kept.',
    )
    expect(store.getDeliveries(['dlv_kept', 'dlv_1', 'dlv_2', 'dlv_3']).map((record) => record.id)).toEqual([
      'dlv_kept',
    ])
    expect(store.pendingSummary()).toEqual([{ queue: 'crm', pending: 1, unclaimed: 1, nextDueAt: 0 }])
    // The store goes on working.
    store.write([delivery('dlv_4')])
    expect(store.pendingSummary()[0]?.pending).toBe(2)
    store.close()
  })

  it('turns a driver failure in claimDue() into a StoreError, and claims nothing', async () => {
    const database = new InstrumentedDatabase(new Database(tempPath()))
    const store = sqliteStore({ database })
    await store.open()
    store.write([delivery('dlv_1'), delivery('dlv_2')])
    database.failRun(1)
    expect(() => store.claimDue('crm', 10, 10)).toThrow(
      /^Could not claim due deliveries of queue `crm` in the SQLite store at the given database: disk I\/O error \(SQLITE_IOERR_WRITE\)\. The disk reported an I\/O error: check the disk and the file system\. Nothing was claimed\.$/,
    )
    expect(store.claimDue('crm', 10, 10).records.map((record) => record.id)).toEqual(['dlv_1', 'dlv_2'])
    store.close()
  })

  it('refuses a record whose keyed fields have the wrong type, naming the field, and keeps nothing', async () => {
    const store = await openedStore()
    const bad = delivery('dlv_bad') as unknown as { record: Record<string, unknown> }
    expect(() =>
      store.write([
        delivery('dlv_1'),
        { ...bad, record: { ...bad.record, notBefore: '2026-11-01' } } as never,
      ]),
    ).toThrow(
      /at operation 2 of 2 \(putDelivery\): expected `record\.notBefore` to be a finite number \(epoch ms\), got string "2026-11-01"\. Nothing of the batch was kept\./,
    )
    expect(() => store.write([{ type: 'putAcceptedEvent', event: { tenant: 7 } } as never])).toThrow(
      /expected `event\.tenant` to be a string or null, got number 7/,
    )
    expect(() => store.write([{ ...bad, record: { ...bad.record, queue: undefined } } as never])).toThrow(
      /expected `record\.queue` to be a string, got undefined/,
    )
    // A delete without its tenant would remove the wrong tenant's record: refused.
    expect(() => store.write([{ type: 'deleteIntegration', id: 'int_1' } as never])).toThrow(
      /\(deleteIntegration\): expected `tenant` to be a string or null, got undefined/,
    )
    expect(() => store.write([{ type: 'deleteHealth', tenant: 'acme', integrationId: 7 } as never])).toThrow(
      /expected `integrationId` to be a string, got number 7/,
    )
    expect(() =>
      store.write([
        {
          type: 'putDeadLetter',
          letter: { id: 'dlv_l', delivery: { integrationId: 'crm' }, reason: 'shutdown' },
        } as never,
      ]),
    ).toThrow(/expected `letter\.delivery\.tenant` to be a string or null, got undefined/)
    expect(() => store.listDeadLetters({ tenant: 7 } as never)).toThrow(
      /^Could not list dead letters .*: expected `tenant` to be a string or null, got number 7\.?$/,
    )
    expect(() =>
      store.write([{ ...delivery('dlv_big'), record: { ...bad.record, big: 10n } } as never]),
    ).toThrow(/BigInt/)
    expect(store.getDeliveries(['dlv_1', 'dlv_bad', 'dlv_big'])).toEqual([])
    store.close()
  })

  it('says when it is used before open() or after close()', async () => {
    const store = sqliteStore({ path: tempPath() })
    expect(() => store.pendingSummary()).toThrow(/the store is not open: call open\(\) first/)
    await store.open()
    store.close()
    store.close()
    expect(() => store.write([delivery('dlv_1')])).toThrow(
      /Could not write an operation .*: the store is closed/,
    )
    await expect(store.open()).rejects.toThrow(/a store is opened once/)
  })

  it('validates its options', () => {
    expect(() => sqliteStore({ path: '' })).toThrow(ValidationError)
    expect(() => sqliteStore({ path: 'x.db', synchronous: 'off' } as never)).toThrow(/synchronous/)
    expect(() => sqliteStore({ path: 'x.db', busyTimeoutMs: -1 })).toThrow(/busyTimeoutMs/)
    expect(() => sqliteStore({ database: {} } as never)).toThrow(/database\.exec/)
    expect(() => sqliteStore({ path: 'x.db', database: new Database(':memory:') } as never)).toThrow(
      /path: unknown field/,
    )
  })
})
