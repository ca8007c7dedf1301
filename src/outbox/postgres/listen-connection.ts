import { type RelayBackoff, relayDelay } from './outbox-relay-options.js'
import { quote } from './outbox-statements.js'
import type { PostgresNotification, PostgresPool, PostgresPoolClient } from './postgres-pool.js'

/** What a {@link ListenConnection} tells the relay. */
export interface ListenHandlers {
  /** A notification arrived on the channel: a commit published. */
  notified(): void
  /** LISTEN is in place (at first, and again after a loss): notifications may have been missed meanwhile. */
  connected(): void
  /** The connection could not be made, or died; another attempt follows after a delay. */
  lost(error: Error): void
}

const noop = () => {}

/**
 * One connection, checked out of the pool for as long as the relay runs, that LISTENs to the
 * outbox's channel. When it dies (the server restarted, the network), it is destroyed and made
 * again with backoff, until `close()`; the relay polls meanwhile.
 */
export class ListenConnection {
  readonly #pool: PostgresPool
  readonly #channel: string
  readonly #backoff: Readonly<Required<RelayBackoff>>
  readonly #handlers: ListenHandlers
  #client: PostgresPoolClient | undefined
  #failures = 0
  #timer: NodeJS.Timeout | undefined
  #connecting: Promise<void> | undefined
  #closed = false
  /** Removes the listeners of the current client, before it goes back to the pool. */
  #detach: (() => void) | undefined

  constructor(
    pool: PostgresPool,
    channel: string,
    backoff: Readonly<Required<RelayBackoff>>,
    handlers: ListenHandlers,
  ) {
    this.#pool = pool
    this.#channel = channel
    this.#backoff = backoff
    this.#handlers = handlers
  }

  /** Whether LISTEN is in place now. */
  get connected(): boolean {
    return this.#client !== undefined
  }

  start(): void {
    this.#connecting ??= this.#connect()
  }

  /** Stops listening and gives the connection back to the pool (destroyed if it cannot UNLISTEN). */
  async close(): Promise<void> {
    this.#closed = true
    clearTimeout(this.#timer)
    await this.#connecting
    const client = this.#client
    if (client === undefined) return
    this.#client = undefined
    let failure: Error | undefined
    try {
      await client.query('UNLISTEN *')
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error))
    }
    this.#release(client, failure)
  }

  async #connect(): Promise<void> {
    let client: PostgresPoolClient
    try {
      client = await this.#pool.connect()
    } catch (error) {
      this.#connecting = undefined
      this.#retry(toError(error))
      return
    }
    let dropped = false
    const drop = (error: Error) => {
      if (dropped) return
      dropped = true
      if (this.#client === client) this.#client = undefined
      this.#release(client, error)
      if (!this.#closed) this.#retry(error)
    }
    const onError = (error: Error) => drop(error)
    const onEnd = () => drop(new Error('Connection terminated unexpectedly'))
    const onNotification = (message: PostgresNotification) => {
      if (message.channel === this.#channel) this.#handlers.notified()
    }
    client.on('error', onError)
    client.on('end', onEnd)
    client.on('notification', onNotification)
    this.#detach = () => {
      dropped = true
      client.removeListener('error', onError)
      client.removeListener('end', onEnd)
      client.removeListener('notification', onNotification)
    }
    try {
      await client.query(`LISTEN ${quote(this.#channel)}`)
    } catch (error) {
      this.#connecting = undefined
      drop(toError(error))
      return
    }
    this.#connecting = undefined
    if (dropped) return
    this.#client = client
    this.#failures = 0
    if (!this.#closed) this.#handlers.connected()
  }

  #retry(error: Error): void {
    this.#handlers.lost(error)
    if (this.#closed) return
    const delay = relayDelay(this.#failures++, this.#backoff)
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      if (!this.#closed) this.start()
    }, delay)
  }

  #release(client: PostgresPoolClient, error: Error | undefined): void {
    this.#detach?.()
    this.#detach = undefined
    // A client keeps reporting errors while the pool ends it: they must not go unheard (an
    // 'error' without a listener is an uncaught exception), and they say nothing new.
    if (error !== undefined) client.on('error', noop)
    try {
      client.release(error)
    } catch {
      // Released already (the pool removed it): nothing left to give back.
    }
  }
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error))
}
