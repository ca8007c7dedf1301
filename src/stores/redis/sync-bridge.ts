import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads'
import type { BridgeNotice, BridgeReply, BridgeWorkerData } from './bridge-protocol.js'

/** `Atomics.waitAsync` (Node 16+, ES2024), which the ES2023 lib this package compiles against does not declare. */
interface AtomicsWaitAsync {
  waitAsync(
    array: Int32Array,
    index: number,
    value: number,
    timeoutMs: number,
  ):
    | { readonly async: false; readonly value: string }
    | { readonly async: true; readonly value: Promise<string> }
}

/** A call the store's thread did not answer in time, or could not make. */
export class BridgeFailure extends Error {
  /** `timeout`: no answer within the time allowed; `failed`: the thread answered with an error; `gone`: the thread is not running. */
  readonly kind: 'timeout' | 'failed' | 'gone'

  constructor(kind: 'timeout' | 'failed' | 'gone', message: string) {
    super(message)
    this.name = 'BridgeFailure'
    this.kind = kind
  }
}

/**
 * Calls into a worker thread, synchronously: the caller's thread posts a request and blocks
 * (`Atomics.wait`) until the thread answers or the time allowed runs out. A store built on an
 * asynchronous client (ioredis) can so answer like a synchronous one (memory, SQLite), which is
 * what lets `emit()` throw a `StoreError` itself and return only once its write is kept.
 * A reply that arrives after its call timed out is recognised by its `seq` and dropped.
 */
export class SyncBridge {
  readonly #worker: Worker
  readonly #port: MessagePort
  readonly #notices: MessagePort
  readonly #replies: Int32Array
  #seq = 0
  #gone: string | undefined

  constructor(
    url: URL,
    data: Omit<BridgeWorkerData, 'port' | 'notices' | 'signal'>,
    onNotice: (notice: BridgeNotice) => void,
  ) {
    const calls = new MessageChannel()
    const notices = new MessageChannel()
    const signal = new SharedArrayBuffer(4)
    this.#replies = new Int32Array(signal)
    this.#port = calls.port1
    this.#notices = notices.port1
    const workerData: BridgeWorkerData = { ...data, port: calls.port2, notices: notices.port2, signal }
    const options = { workerData, transferList: [calls.port2, notices.port2], execArgv: [] }
    this.#worker = new Worker(url.pathname.endsWith('.ts') ? bundledWorker(url) : url, options)
    this.#worker.on('error', (error) => {
      this.#gone = `the store's thread failed: ${error.message}`
    })
    this.#worker.on('exit', (code) => {
      this.#gone ??= `the store's thread exited (code ${code})`
    })
    this.#notices.on('message', onNotice)
    // Neither keeps the process alive: the router's close() ends the thread.
    this.#worker.unref()
    this.#notices.unref()
  }

  /** Calls `method` and blocks until its answer, for at most `timeoutMs`. Throws a {@link BridgeFailure}. */
  call<T>(method: string, args: readonly unknown[], timeoutMs: number): T {
    const seq = this.#post(method, args)
    const deadline = performance.now() + timeoutMs
    for (;;) {
      const seen = Atomics.load(this.#replies, 0)
      const answer = this.#take(seq)
      if (answer !== undefined) return this.#value(answer) as T
      const left = deadline - performance.now()
      if (left <= 0) throw this.#timeout(method, timeoutMs)
      Atomics.wait(this.#replies, 0, seen, left)
    }
  }

  /** {@link call}, without blocking the thread while it waits. */
  async callAsync<T>(method: string, args: readonly unknown[], timeoutMs: number): Promise<T> {
    const seq = this.#post(method, args)
    const deadline = performance.now() + timeoutMs
    // A pending Atomics.waitAsync does not keep the process alive: this timer does, meanwhile.
    const alive = setInterval(() => {}, 1000)
    try {
      return await this.#waitFor<T>(seq, method, timeoutMs, deadline)
    } finally {
      clearInterval(alive)
    }
  }

  async #waitFor<T>(seq: number, method: string, timeoutMs: number, deadline: number): Promise<T> {
    for (;;) {
      const seen = Atomics.load(this.#replies, 0)
      const answer = this.#take(seq)
      if (answer !== undefined) return this.#value(answer) as T
      const left = deadline - performance.now()
      if (left <= 0) throw this.#timeout(method, timeoutMs)
      const waiting = (Atomics as unknown as AtomicsWaitAsync).waitAsync(
        this.#replies,
        0,
        seen,
        Math.min(left, 250),
      )
      if (waiting.async) await waiting.value
    }
  }

  /** Ends the thread (what it was doing is dropped). */
  async terminate(): Promise<void> {
    this.#gone ??= 'the store is closed'
    this.#notices.close()
    this.#port.close()
    await this.#worker.terminate()
  }

  #post(method: string, args: readonly unknown[]): number {
    if (this.#gone !== undefined) throw new BridgeFailure('gone', this.#gone)
    const seq = ++this.#seq
    this.#port.postMessage({ seq, method, args })
    return seq
  }

  /** The reply to `seq`, if it is there; replies to earlier calls (that timed out) are dropped. */
  #take(seq: number): BridgeReply | undefined {
    for (;;) {
      const received = receiveMessageOnPort(this.#port)
      if (received === undefined) return undefined
      const reply = received.message as BridgeReply
      if (reply.seq === seq) return reply
    }
  }

  #value(reply: BridgeReply): unknown {
    if (reply.ok) return reply.value
    throw new BridgeFailure('failed', reply.message)
  }

  #timeout(method: string, timeoutMs: number): BridgeFailure {
    if (this.#gone !== undefined) return new BridgeFailure('gone', this.#gone)
    return new BridgeFailure('timeout', `Redis did not answer \`${method}\` within ${timeoutMs} ms`)
  }
}

/**
 * The thread's file when the package runs from its sources (its own tests, tsx): the `.ts` file
 * bundled once per process with esbuild (a devDependency) into `node_modules/.cache`, where
 * `ioredis` still resolves. The build ships the thread as `.js` and never comes here.
 */
function bundledWorker(url: URL): URL {
  const cached = BUNDLED.get(url.href)
  if (cached) return cached
  const require = createRequire(import.meta.url)
  const esbuild = require('esbuild') as {
    buildSync(options: Record<string, unknown>): unknown
  }
  const root = dirname(require.resolve('ioredis/package.json'))
  const outfile = join(root, '..', '.cache', 'eventrouter', `redis-store-worker-${process.pid}.mjs`)
  esbuild.buildSync({
    entryPoints: [fileURLToPath(url)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    packages: 'external',
    logLevel: 'silent',
  })
  const bundled = pathToFileURL(outfile)
  BUNDLED.set(url.href, bundled)
  return bundled
}

const BUNDLED = new Map<string, URL>()
