import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chownSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import os from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { onTestFinished } from 'vitest'

/*
 * PostgreSQL for the tests that need a real one (test/outbox/postgres/). Where it runs comes
 * from the usual libpq variables: PGHOST (default 127.0.0.1), PGPORT (5432), PGUSER (postgres),
 * PGPASSWORD, PGDATABASE (test). Each test works in a schema of its own (`testSchema()`),
 * dropped when the test finishes.
 *
 * When the server cannot be reached, the suites skip, and say why in one line; under
 * CI=true they fail instead: a CI job that lost its database must not pass green.
 */

/** Connection settings of the shared test server. */
export const POSTGRES_CONFIG: pg.PoolConfig = {
  host: process.env.PGHOST ?? '127.0.0.1',
  port: Number(process.env.PGPORT ?? 5432),
  user: process.env.PGUSER ?? 'postgres',
  database: process.env.PGDATABASE ?? 'test',
  ...(process.env.PGPASSWORD === undefined ? {} : { password: process.env.PGPASSWORD }),
  connectionTimeoutMillis: 5000,
}

/** Whether the server answered, or why it did not. */
export type PostgresProbe =
  | { readonly available: true }
  | { readonly available: false; readonly reason: string }

let probe: Promise<PostgresProbe> | undefined

/**
 * Connects once (per test file) and runs `SELECT 1`. Resolves `{ available: false, reason }`
 * when that fails, after printing the one line that says so; under CI=true, rejects instead.
 * Use it at the top of a file: `const postgres = await reachPostgres('outbox relay')`, then
 * `describe.skipIf(!postgres.available)(...)`.
 */
export function reachPostgres(what: string): Promise<PostgresProbe> {
  probe ??= (async (): Promise<PostgresProbe> => {
    const client = new pg.Client(POSTGRES_CONFIG)
    client.on('error', () => {})
    try {
      await client.connect()
      await client.query('SELECT 1')
      return { available: true }
    } catch (error) {
      const detail = error instanceof Error ? error.message || error.name : String(error)
      return {
        available: false,
        reason: `PostgreSQL at ${POSTGRES_CONFIG.host}:${POSTGRES_CONFIG.port} (database ${POSTGRES_CONFIG.database}, user ${POSTGRES_CONFIG.user}) is unreachable: ${detail}`,
      }
    } finally {
      await client.end().catch(() => {})
    }
  })()
  return probe.then((result) => {
    if (result.available) return result
    if (process.env.CI === 'true')
      throw new Error(`${what}: ${result.reason} (CI=true: failing, not skipping)`)
    if (firstToSayIt())
      console.warn(`skipped the PostgreSQL tests (${what}, and any others): ${result.reason}`)
    return result
  })
}

/**
 * Whether this test file is the first of the run to report the server unreachable: the files
 * run in worker processes of one vitest process (their parent), which a marker file in the
 * temporary directory stands for, so the run prints one line, not one per file. A marker older
 * than an hour is from an earlier run whose vitest had the same pid.
 */
function firstToSayIt(): boolean {
  const marker = join(os.tmpdir(), `eventrouter-postgres-skipped-${process.ppid}`)
  try {
    if (Date.now() - statSync(marker).mtimeMs > 3_600_000) rmSync(marker, { force: true })
  } catch {
    // No marker yet.
  }
  try {
    writeFileSync(marker, '', { flag: 'wx' })
    return true
  } catch {
    return false
  }
}

/** A pool on the test server that is ended when the test finishes; idle errors are expected (restarts). */
export function testPool(config: pg.PoolConfig = {}): pg.Pool {
  const pool = new pg.Pool({ ...POSTGRES_CONFIG, max: 5, ...config })
  pool.on('error', () => {})
  onTestFinished(() => pool.end().catch(() => {}))
  return pool
}

/**
 * A fresh schema name for this test (`outbox_test_<random>`): the outbox creates it on
 * `migrate()`; it is dropped with everything in it when the test finishes.
 */
export function testSchema(config: pg.PoolConfig = POSTGRES_CONFIG): string {
  const schema = `outbox_test_${randomBytes(6).toString('hex')}`
  onTestFinished(async () => {
    const client = new pg.Client(config)
    client.on('error', () => {})
    try {
      await client.connect()
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    } finally {
      await client.end().catch(() => {})
    }
  })
  return schema
}

/** A PostgreSQL server of the test's own (initdb into a temporary directory), to stop and start at will. */
export interface OwnPostgres {
  readonly port: number
  readonly config: pg.PoolConfig
  stop(): Promise<void>
  start(): Promise<void>
  /** Stops it for good and removes its directory. */
  destroy(): Promise<void>
}

const BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin'

/**
 * Starts a server of the test's own on a free port of 127.0.0.1, with `initdb` and `pg_ctl`
 * from PG_BIN (default /usr/lib/postgresql/15/bin). initdb refuses to run as root: as root, the
 * server runs as the `postgres` user. Resolves `{ reason }` when that cannot be done here.
 */
export async function startOwnPostgres(): Promise<OwnPostgres | { readonly reason: string }> {
  if (!existsSync(join(BIN, 'initdb')) || !existsSync(join(BIN, 'pg_ctl'))) {
    return { reason: `no initdb/pg_ctl in ${BIN} (set PG_BIN)` }
  }
  let owner: { uid: number; gid: number } | undefined
  if (process.getuid?.() === 0) {
    try {
      owner = {
        uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()),
        gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()),
      }
    } catch {
      return { reason: 'running as root, and there is no `postgres` user to run initdb as' }
    }
  }
  const directory = mkdtempSync(join(os.tmpdir(), 'eventrouter-pg-'))
  const data = join(directory, 'data')
  if (owner) chownSync(directory, owner.uid, owner.gid)
  const run = (args: readonly string[]) => runAs(join(BIN, args[0] as string), args.slice(1), owner)
  try {
    await run(['initdb', '-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8'])
  } catch (error) {
    rmSync(directory, { recursive: true, force: true })
    return { reason: `initdb failed: ${(error as Error).message}` }
  }
  const port = await freePort()
  const options = `-p ${port} -k ${directory} -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=16MB`
  const start = () =>
    run(['pg_ctl', '-D', data, '-o', options, '-l', join(directory, 'log'), '-w', '-t', '60', 'start'])
  const stop = () => run(['pg_ctl', '-D', data, '-m', 'fast', '-w', '-t', '60', 'stop'])
  try {
    await start()
  } catch (error) {
    rmSync(directory, { recursive: true, force: true })
    return { reason: `pg_ctl start failed: ${(error as Error).message}` }
  }
  return {
    port,
    config: {
      host: '127.0.0.1',
      port,
      user: 'postgres',
      database: 'postgres',
      connectionTimeoutMillis: 5000,
    },
    stop,
    start,
    async destroy() {
      await stop().catch(() => {})
      rmSync(directory, { recursive: true, force: true })
    },
  }
}

function runAs(file: string, args: readonly string[], owner: { uid: number; gid: number } | undefined) {
  return new Promise<void>((resolve, reject) => {
    let output = ''
    const child: ChildProcess = spawn(file, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
      env: { ...process.env, LC_ALL: 'C' },
    })
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.once('error', reject)
    child.once('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${file} exited with ${code}: ${output.trim().slice(-500)}`)),
    )
  })
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()))
    })
  })
}
