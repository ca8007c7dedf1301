import type { MessagePort } from 'node:worker_threads'
import type { ResolvedRedisStoreOptions } from './redis-store-options.js'

/** A call of the store's thread: a method of `RedisStoreCore` (or `open` / `close`) and its arguments. */
export interface BridgeRequest {
  readonly seq: number
  readonly method: string
  readonly args: readonly unknown[]
}

/** The answer to a {@link BridgeRequest} with the same `seq`. */
export type BridgeReply =
  | { readonly seq: number; readonly ok: true; readonly value: unknown }
  | { readonly seq: number; readonly ok: false; readonly name: string; readonly message: string }

/** What the store's thread tells the store on its own (connection changes, fleet notices). */
export type BridgeNotice =
  /** The connection to Redis was lost; calls fail fast until it is back. */
  | { readonly type: 'disconnected'; readonly reason: string }
  /** The connection is back (after a `disconnected`). */
  | { readonly type: 'reconnected' }
  /** Another process (or this one) wrote deliveries to claim into these queues, or gave them back. */
  | { readonly type: 'work'; readonly queues: readonly string[] }
  /** The configuration was changed by the process whose owner id is `by`. */
  | { readonly type: 'config'; readonly by: string }
  /** Integration health was changed by the process whose owner id is `by`. */
  | { readonly type: 'health'; readonly by: string }

/** What the store's thread is started with. */
export interface BridgeWorkerData {
  /** Requests in, replies out. */
  readonly port: MessagePort
  /** {@link BridgeNotice}s out. */
  readonly notices: MessagePort
  /** `[0]` counts replies sent: the store waits on it. */
  readonly signal: SharedArrayBuffer
  readonly options: ResolvedRedisStoreOptions
  /** This store's owner id: names its claims and its heartbeat. */
  readonly owner: string
}
