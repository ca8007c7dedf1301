import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { createConnection, createServer } from 'node:net'
import { Redis } from 'ioredis'

/** The Redis the tests use: the development and CI machines run one here. */
export const REDIS_URL = 'redis://127.0.0.1:6379/0'

/** Whether something answers PING on 127.0.0.1:`port` within a second. */
export function pingRedis(port = 6379): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    const done = (answer: boolean) => {
      socket.destroy()
      resolve(answer)
    }
    socket.setTimeout(1000, () => done(false))
    socket.on('error', () => done(false))
    socket.on('connect', () => socket.write('PING\r\n'))
    socket.on('data', (data) => done(data.toString().startsWith('+PONG')))
  })
}

let warned = false

/**
 * Whether the Redis tests run: when Redis answers on 127.0.0.1:6379. Without it they are
 * skipped with one line saying why, except in CI (`CI=true`), where this throws instead.
 */
export async function redisForTests(): Promise<boolean> {
  if (await pingRedis()) return true
  if (process.env.CI === 'true') {
    throw new Error(
      'CI=true but no Redis answers on 127.0.0.1:6379: .ci/run should have started redis-server',
    )
  }
  if (!warned) {
    warned = true
    console.warn(
      'Redis store tests skipped: no Redis answers on 127.0.0.1:6379 (start redis-server to run them)',
    )
  }
  return false
}

/** A key prefix no other test uses. */
export function uniquePrefix(name = 'test'): string {
  return `eventrouter-${name}-${randomUUID().slice(0, 8)}`
}

/** Deletes every key under `prefix` (and `prefix:*`). */
export async function deletePrefix(prefix: string, url = REDIS_URL): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 })
  try {
    await redis.connect()
    let cursor = '0'
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000)
      cursor = next
      if (keys.length > 0) await redis.unlink(...keys)
    } while (cursor !== '0')
  } finally {
    redis.disconnect()
  }
}

/** A port on 127.0.0.1 that nothing listens on now (the OS picks it). */
async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  server.close()
  if (address === null || typeof address === 'string') throw new Error('no port from the OS')
  return address.port
}

/** A `redis-server` this test owns, on 127.0.0.1, without persistence. */
export interface OwnRedis {
  readonly port: number
  readonly process: ChildProcess
}

/**
 * Starts `/usr/bin/redis-server` on `port` (default: a free port the OS picks) with its files in
 * `directory`, and resolves once it answers PING; fails at once, with what it printed, if it
 * exits first (the port was taken meanwhile, for one), or after `timeoutMs`.
 */
export async function startOwnRedis(directory: string, port?: number, timeoutMs = 30_000): Promise<OwnRedis> {
  const chosen = port ?? (await freePort())
  const child = spawn(
    '/usr/bin/redis-server',
    ['--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', directory],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  let exited = false
  child.once('exit', () => {
    exited = true
  })
  const deadline = Date.now() + timeoutMs
  while (!(await pingRedis(chosen))) {
    if (exited) throw new Error(`redis-server on port ${chosen} exited before answering:\n${output}`)
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`redis-server on port ${chosen} did not answer PING within ${timeoutMs} ms:\n${output}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return { port: chosen, process: child }
}
