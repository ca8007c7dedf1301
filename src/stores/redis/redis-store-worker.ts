/**
 * The Redis store's thread: one ioredis connection for calls and one for notices. The store in
 * the router's thread posts each call and waits for the reply (see `SyncBridge`), which is what
 * lets `emit()` stay synchronous and return only once Redis has kept its deliveries.
 */
import { workerData } from 'node:worker_threads'
import type { Redis } from 'ioredis'
import type { BridgeNotice, BridgeReply, BridgeRequest, BridgeWorkerData } from './bridge-protocol.js'
import { createRedisClient, loadIoredis } from './redis-connection.js'
import { configChannel, healthChannel, workChannel } from './redis-keys.js'
import { RedisStoreCore } from './redis-store-core.js'

const { port, notices, signal, options, owner } = workerData as BridgeWorkerData
const replies = new Int32Array(signal)

let redis: Redis | undefined
let subscriber: Redis | undefined
let core: RedisStoreCore | undefined
let heartbeat: ReturnType<typeof setInterval> | undefined
let connected = false
let closing = false

function notice(message: BridgeNotice): void {
  notices.postMessage(message)
}

async function open(): Promise<void> {
  const client = createRedisClient(await loadIoredis(), options, `eventrouter:${owner}`)
  // ioredis reports connection errors as events too: they are told as notices, never thrown here.
  client.on('error', () => {})
  client.on('ready', () => {
    if (!connected && redis !== undefined) notice({ type: 'reconnected' })
    connected = true
  })
  client.on('close', () => {
    if (connected && !closing) notice({ type: 'disconnected', reason: 'the connection to Redis closed' })
    connected = false
  })
  try {
    await client.connect()
  } catch (error) {
    client.disconnect()
    throw error
  }
  connected = true
  redis = client
  core = new RedisStoreCore(client, options.prefix, owner, options.leaseMs)
  await core.renewLease()
  heartbeat = setInterval(
    () => {
      core?.renewLease().catch(() => {})
    },
    Math.floor(options.leaseMs / 3),
  )
  const listener = client.duplicate({
    enableOfflineQueue: true,
    connectionName: `eventrouter:${owner}:notices`,
  })
  listener.on('error', () => {})
  listener.on('message', (channel: string, message: string) => {
    if (channel === workChannel(options.prefix)) {
      try {
        notice({ type: 'work', queues: JSON.parse(message) as string[] })
      } catch {}
    } else if (channel === configChannel(options.prefix)) notice({ type: 'config', by: message })
    else if (channel === healthChannel(options.prefix)) notice({ type: 'health', by: message })
  })
  subscriber = listener
  await listener.subscribe(
    workChannel(options.prefix),
    configChannel(options.prefix),
    healthChannel(options.prefix),
  )
}

async function close(): Promise<void> {
  closing = true
  clearInterval(heartbeat)
  try {
    await core?.leave()
  } finally {
    subscriber?.disconnect()
    redis?.disconnect()
  }
}

async function handle(request: BridgeRequest): Promise<unknown> {
  if (request.method === 'open') return open()
  if (request.method === 'close') return close()
  if (request.method === 'owner') return owner
  if (!core || !redis) throw new Error('the store is not open')
  const method = (core as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>)[request.method]
  if (typeof method !== 'function') throw new Error(`unknown store call \`${request.method}\``)
  return method.apply(core, request.args as unknown[])
}

port.on('message', (request: BridgeRequest) => {
  handle(request).then(
    (value) => reply({ seq: request.seq, ok: true, value }),
    (error: unknown) =>
      reply({
        seq: request.seq,
        ok: false,
        name: error instanceof Error ? error.name : 'Error',
        message: scrub(error instanceof Error ? error.message : String(error)),
      }),
  )
})

/** A message without the password, should a driver ever quote it. */
function scrub(message: string): string {
  const { connection } = options
  const password =
    typeof connection === 'string' ? decodeURIComponent(new URL(connection).password) : connection.password
  return password ? message.replaceAll(password, '[REDACTED]') : message
}

function reply(message: BridgeReply): void {
  port.postMessage(message)
  Atomics.add(replies, 0, 1)
  Atomics.notify(replies, 0)
}
