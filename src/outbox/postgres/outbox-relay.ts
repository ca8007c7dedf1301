import { EventEmitter } from 'eventemitter3'
import { EventRouterError } from '../../errors/event-router-error.js'
import { ListenerError } from '../../errors/listener-error.js'
import type { EmitOptions, EmitReceipt } from '../../router/event-router.js'
import { classifyEmitFailure } from '../emit-failure.js'
import type { OutboxEvent } from '../outbox-event.js'
import { OutboxEventFailedError } from '../outbox-event-failed-error.js'
import type { OutboxRouter } from '../outbox-router.js'
import { isConnectionLoss } from './connection-loss.js'
import type { DatabaseErrorScrubber } from './database-error-scrubber.js'
import { ListenConnection } from './listen-connection.js'
import type { OutboxRelayEventName, OutboxRelayEvents } from './outbox-relay-events.js'
import { type ResolvedOutboxRelayOptions, relayDelay } from './outbox-relay-options.js'
import type { OutboxStatements } from './outbox-statements.js'
import type { PostgresPool, PostgresPoolClient } from './postgres-pool.js'
import { WakeSignal } from './wake-signal.js'

/** What a relay needs of its outbox. */
export interface RelaySource {
  readonly pool: PostgresPool
  readonly sql: OutboxStatements
  readonly channel: string
  /** Keeps the pool's password out of every error and event. */
  readonly errors: DatabaseErrorScrubber
  /** Deletes relayed rows older than `olderThanMs`; resolves with how many. */
  prune(olderThanMs: number): Promise<number>
}

/** A claimed row, read. */
interface Claimed {
  readonly seq: string
  readonly event: OutboxEvent
}

/** What one batch did, once its transaction committed. */
interface Batch {
  claimed: number
  readonly relayed: { readonly row: Claimed; readonly receipt: EmitReceipt }[]
  readonly refused: { readonly row: Claimed; readonly error: unknown }[]
  retry?: { readonly row: Claimed; readonly error: unknown; readonly delayMs: number }
  closed?: EventRouterError
}

type State = 'running' | 'stopping' | 'stopped'

/**
 * Moves committed outbox rows into a router: claims a batch with `FOR UPDATE SKIP LOCKED` (so
 * several relays share a table, each row going to one), emits each with the row's id (which
 * makes a repeat after a crash a duplicate the router drops), and marks them relayed in the
 * transaction that claimed them, after `emit()` returned. Woken by LISTEN/NOTIFY, polling as a
 * fallback; reconnects on its own when the database goes away. Made by `outbox.relay()`.
 *
 * A running relay keeps its process alive until `stop()`. While it runs it listens for `error`
 * on the pool (an idle connection dying is how a database restart first shows), which node-postgres
 * would otherwise raise as an uncaught exception; it reports that as `disconnected`.
 */
export class OutboxRelay extends EventEmitter<OutboxRelayEvents> {
  readonly #source: RelaySource
  readonly #router: OutboxRouter
  readonly #options: ResolvedOutboxRelayOptions
  readonly #wake = new WakeSignal()
  readonly #listen: ListenConnection | undefined
  readonly #done: Promise<void>
  #state: State = 'running'
  #stopped: Promise<void> | undefined
  /** When the database was lost, while it is. */
  #lostAt: number | undefined
  #unreachable = 0
  #claimsStarted = 0
  #idleWaiters: { readonly after: number; readonly resolve: () => void }[] = []
  #nextPruneAt: number | undefined

  /** @internal Use `outbox.relay(router, options)`. */
  constructor(source: RelaySource, router: OutboxRouter, options: ResolvedOutboxRelayOptions) {
    super()
    this.#source = source
    this.#router = router
    this.#options = options
    source.pool.on('error', this.#onPoolError)
    if (options.listen) {
      this.#listen = new ListenConnection(source.pool, source.channel, options.reconnect, {
        notified: () => this.#wake.wake(),
        connected: () => {
          this.#healthy()
          // Notifications sent while it was down are lost: look at the table now.
          this.#wake.wake()
        },
        lost: (error) => this.#lost(error),
      })
      this.#listen.start()
    }
    this.#done = this.#run()
  }

  /** Whether the relay is running (not stopping or stopped). */
  get running(): boolean {
    return this.#state === 'running'
  }

  /**
   * Stops gracefully: the batch in hand is emitted and committed, then the LISTEN connection is
   * given back and the relay stops. Rows not claimed yet stay for the next relay. Calling it
   * again returns the same promise. The pool is yours: it is not ended.
   */
  stop(): Promise<void> {
    if (this.#state === 'running') {
      this.#state = 'stopping'
      this.#wake.stop()
    }
    this.#stopped ??= (async () => {
      await this.#done
      await this.#listen?.close()
      this.#source.pool.removeListener('error', this.#onPoolError)
      this.#state = 'stopped'
      for (const waiter of this.#idleWaiters.splice(0)) waiter.resolve()
    })()
    return this.#stopped
  }

  /**
   * Resolves once a claim that started after this call found fewer rows due than a batch: the
   * relay has caught up with what was committed before the call (rows waiting for a retry delay
   * are not due). Wakes the relay to look now. Resolves at once on a stopped relay.
   */
  onIdle(): Promise<void> {
    if (this.#state !== 'running') return Promise.resolve()
    return new Promise((resolve) => {
      this.#idleWaiters.push({ after: this.#claimsStarted, resolve })
      this.#wake.wake()
    })
  }

  async #run(): Promise<void> {
    while (this.#state === 'running') {
      let delay: { readonly ms: number; readonly wakeable: boolean }
      try {
        delay = await this.#step()
      } catch (error) {
        // A bug of ours or of a listener: reported, never an unhandled rejection; then a pause.
        this.#report(
          error instanceof EventRouterError
            ? error
            : this.#source.errors.storeError(`relay from the outbox ${this.#source.sql.label}`, error),
        )
        delay = { ms: relayDelay(this.#unreachable++, this.#options.reconnect), wakeable: false }
      }
      if (delay.ms > 0 && this.#state === 'running') await this.#wake.wait(delay.ms, delay.wakeable)
    }
  }

  /** One claim, and what to wait before the next. */
  async #step(): Promise<{ readonly ms: number; readonly wakeable: boolean }> {
    this.#wake.clear()
    const started = ++this.#claimsStarted
    const batch = await this.#batch()
    if (batch === undefined) {
      return { ms: relayDelay(this.#unreachable++, this.#options.reconnect), wakeable: false }
    }
    this.#unreachable = 0
    this.#healthy()
    this.#announce(batch)
    if (batch.closed) {
      void this.stop()
      return { ms: 0, wakeable: false }
    }
    if (batch.retry) return { ms: batch.retry.delayMs, wakeable: false }
    // Checked after every batch, not only once caught up: under a load that never lets the relay
    // catch up, relayed rows would otherwise pile up for good.
    await this.#pruneIfDue()
    if (batch.claimed >= this.#options.batchSize) return { ms: 0, wakeable: true }
    // Caught up with what was committed when this claim started (and pruned, when that was due).
    this.#idleWaiters = this.#idleWaiters.filter((waiter) => {
      if (waiter.after >= started) return true
      waiter.resolve()
      return false
    })
    return { ms: this.#options.pollIntervalMs, wakeable: true }
  }

  /** Claims, emits and marks one batch in one transaction; `undefined` when the database failed it. */
  async #batch(): Promise<Batch | undefined> {
    const { pool, sql } = this.#source
    let client: PostgresPoolClient
    try {
      client = await pool.connect()
    } catch (error) {
      this.#failed(error, 'connect to the database of the outbox')
      return undefined
    }
    // The query in progress rejects when the connection dies; the client reports it too.
    const ignore = () => {}
    client.on('error', ignore)
    const batch: Batch = { claimed: 0, relayed: [], refused: [] }
    let failure: unknown
    try {
      await client.query(sql.beginClaim)
      const { rows } = await client.query(sql.claim, [this.#options.batchSize])
      batch.claimed = rows.length
      for (const raw of rows) {
        const row = toClaimed(raw)
        let receipt: EmitReceipt
        try {
          receipt = this.#router.emit(row.event.name, row.event.payload, emitOptions(row.event))
        } catch (error) {
          const failure = classifyEmitFailure(error)
          if (failure === 'refused') {
            batch.refused.push({ row, error })
            continue
          }
          if (failure === 'closed') batch.closed = error as EventRouterError
          else batch.retry = { row, error, delayMs: relayDelay(row.event.attempts, this.#options.retry) }
          // The rest of the batch would fail the same way: it stays for the next claim.
          break
        }
        batch.relayed.push({ row, receipt })
      }
      if (batch.relayed.length > 0) {
        await client.query(sql.markRelayed, [batch.relayed.map(({ row }) => row.seq)])
      }
      for (const { row, error } of batch.refused) {
        await client.query(sql.markFailed, [row.seq, this.#source.errors.messageOf(error)])
      }
      if (batch.retry) {
        const { row, error, delayMs } = batch.retry
        await client.query(sql.markRetry, [row.seq, this.#source.errors.messageOf(error), delayMs])
      }
      await client.query('COMMIT')
    } catch (error) {
      // Nothing is marked: what was emitted is claimed again and emitted again, as duplicates.
      failure = error
      await client.query('ROLLBACK').catch(() => {})
    } finally {
      client.removeListener('error', ignore)
      // After a failure the connection is not trusted again: the pool destroys it.
      client.release(failure === undefined ? undefined : toError(failure))
    }
    if (failure !== undefined) {
      this.#failed(failure, `relay events from the outbox ${sql.label}`)
      return undefined
    }
    return batch
  }

  /** Lifecycle events of a committed batch. */
  #announce(batch: Batch): void {
    for (const { row, receipt } of batch.relayed) {
      const { event } = row
      this.#notify('relayed', {
        eventId: event.id,
        tenant: event.tenant,
        eventName: event.name,
        duplicate: receipt.duplicate,
        deliveries: receipt.deliveries,
        attempts: event.attempts + 1,
      })
    }
    for (const { row, error } of batch.refused) {
      this.#report(new OutboxEventFailedError(row.event, this.#source.sql.label, error))
    }
    if (batch.retry) {
      const { row, error, delayMs } = batch.retry
      this.#notify('retrying', {
        eventId: row.event.id,
        tenant: row.event.tenant,
        eventName: row.event.name,
        attempts: row.event.attempts + 1,
        delayMs,
        error: toError(error),
      })
    }
    if (batch.closed) this.#report(batch.closed)
  }

  async #pruneIfDue(): Promise<void> {
    const { retentionMs, pruneIntervalMs } = this.#options
    if (retentionMs === false) return
    const now = Date.now()
    if (this.#nextPruneAt !== undefined && now < this.#nextPruneAt) return
    this.#nextPruneAt = now + pruneIntervalMs
    try {
      const count = await this.#source.prune(retentionMs)
      if (count > 0) this.#notify('pruned', { count })
    } catch (error) {
      this.#failed(error, `delete old relayed rows from the outbox ${this.#source.sql.label}`)
    }
  }

  /** A database failure: a lost connection, or a statement refused (reported, with a hint). */
  #failed(error: unknown, operation: string): void {
    if (isConnectionLoss(error)) {
      this.#lost(toError(error))
      return
    }
    const code = (error as { code?: unknown } | null)?.code
    // 42P01 undefined_table, 3F000 invalid_schema_name.
    const hint =
      code === '42P01' || code === '3F000' ? ` (does the table exist? run outbox.migrate() first)` : ''
    this.#report(this.#source.errors.storeError(operation, error, hint))
  }

  readonly #onPoolError = (error: Error): void => {
    this.#lost(error)
  }

  #lost(error: Error): void {
    if (this.#lostAt !== undefined || this.#state === 'stopped') return
    this.#lostAt = Date.now()
    const lost = this.#source.errors.storeError(
      `reach the database of the outbox ${this.#source.sql.label}`,
      error,
    )
    this.#notify('disconnected', { error: lost })
  }

  /** Called when a claim committed or LISTEN is back: reports the way back once both work. */
  #healthy(): void {
    if (this.#lostAt === undefined) return
    if (this.#listen !== undefined && !this.#listen.connected) return
    const downtimeMs = Date.now() - this.#lostAt
    this.#lostAt = undefined
    this.#notify('reconnected', { downtimeMs })
  }

  #report(error: EventRouterError): void {
    this.#notify('error', error)
  }

  #notify<E extends OutboxRelayEventName>(event: E, ...args: OutboxRelayEvents[E]): void {
    try {
      ;(this.emit as (event: string, ...args: unknown[]) => boolean)(event, ...args)
    } catch (error) {
      if (event === 'error') return
      this.#notify('error', new ListenerError(error))
    }
  }
}

/** A claimed row as the statement returns it, read into an event. */
function toClaimed(row: Record<string, unknown>): Claimed {
  return {
    seq: String(row.seq),
    event: {
      id: String(row.id),
      tenant: row.tenant === null || row.tenant === undefined ? null : String(row.tenant),
      name: String(row.name),
      payload: JSON.parse(String(row.payload)) as Record<string, unknown>,
      occurredAt: Math.round(Number(row.occurred_at_ms)),
      attempts: Number(row.attempts),
    },
  }
}

function emitOptions(event: OutboxEvent): EmitOptions {
  return event.tenant === null
    ? { id: event.id, occurredAt: event.occurredAt }
    : { id: event.id, tenant: event.tenant, occurredAt: event.occurredAt }
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error))
}
