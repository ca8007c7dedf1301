import { type ChildProcess, fork } from 'node:child_process'
import { once } from 'node:events'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** What the receiver counted since the last reset. */
export interface ReceiverStats {
  readonly connections: number
  readonly requests: number
}

/** bench/receiver.mjs running in a child process. */
export interface Receiver {
  /** Where to POST: http://127.0.0.1:<port>/hooks */
  readonly url: string
  stats(): Promise<ReceiverStats>
  reset(): void
  /**
   * Starts noting delivery ids (`webhook-id`); resolves once `count` distinct ones arrived, with
   * the receiver's wall-clock time then (ms, `performance.timeOrigin + performance.now()`) and the
   * requests it counted since (more than `count` when some were sent twice).
   */
  expect(count: number): Promise<{ readonly at: number; readonly requests: number }>
  close(): Promise<void>
}

type Message =
  | { type: 'listening'; port: number }
  | ({ type: 'stats' } & ReceiverStats)
  | { type: 'reached'; at: number; requests: number }

/** Starts the receiver in its own process (plain node: no tsx, no --expose-gc). */
export async function startReceiver(): Promise<Receiver> {
  const child: ChildProcess = fork(join(dirname(fileURLToPath(import.meta.url)), '..', 'receiver.mjs'), {
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const next = async <T extends Message['type']>(type: T) => {
    for (;;) {
      const [message] = (await once(child, 'message')) as [Message]
      if (message.type === type) return message as Extract<Message, { type: T }>
    }
  }
  const { port } = await next('listening')
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    async stats() {
      const reply = next('stats')
      child.send({ type: 'stats' })
      const { connections, requests } = await reply
      return { connections, requests }
    },
    reset() {
      child.send({ type: 'reset' })
    },
    async expect(count) {
      // Listening before asking: the answer can come at once.
      const reply = next('reached')
      child.send({ type: 'expect', count })
      const { at, requests } = await reply
      return { at, requests }
    },
    async close() {
      const exited = once(child, 'exit')
      child.disconnect()
      await exited
    },
  }
}
