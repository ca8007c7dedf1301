import { describe, expect, it, vi } from 'vitest'
import { StoreError } from '../../src/errors/store-error.js'
import { sqliteStore } from '../../src/stores/sqlite/index.js'

// As when the optional peer is not installed: any import of it fails.
vi.mock('libsql', () => {
  throw Object.assign(new Error("Cannot find package 'libsql' imported from eventrouter"), {
    code: 'ERR_MODULE_NOT_FOUND',
  })
})

describe('sqliteStore without the libsql package', () => {
  it('loads: nothing of libsql is imported until a `path` store opens', () => {
    expect(typeof sqliteStore).toBe('function')
    expect(() => sqliteStore({ path: 'unused.db' })).not.toThrow()
  })

  it('open() of a `path` store says to install libsql or pass `{ database }`', async () => {
    const error = await sqliteStore({ path: 'never-created.db' })
      .open()
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(StoreError)
    expect((error as StoreError).message).toBe(
      'Could not open the SQLite store at `never-created.db`: the `libsql` package could not be loaded. ' +
        'Install it (`npm install libsql`), or open the database yourself and pass `{ database }` ' +
        '(better-sqlite3, or `node:sqlite` on Node >= 22.13).',
    )
    expect((error as StoreError).cause).toBeInstanceOf(Error)
  })

  it('a `{ database }` store works without it', async () => {
    const { default: Database } = await vi.importActual<{ default: typeof import('libsql') }>('libsql')
    const store = sqliteStore({ database: new Database(':memory:') })
    await store.open()
    store.write([{ type: 'putEventSwitch', tenant: null, name: 'a.b', enabled: false }])
    expect(store.loadConfiguration().disabledEvents).toEqual([{ tenant: null, name: 'a.b' }])
    store.close()
  })
})
