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
  close(): Promise<void>
}

type Message = { type: 'listening'; port: number } | ({ type: 'stats' } & ReceiverStats)

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
    async close() {
      const exited = once(child, 'exit')
      child.disconnect()
      await exited
    },
  }
}
