import type { StoreChange } from '../stores/store.js'

/** What a {@link FleetSync} needs from its router. */
export interface FleetSyncDeps {
  /** The store's `watch()`: tells of changes other processes made. */
  readonly watch: (listener: (change: StoreChange) => void) => () => void
  /** Longest time between two reads of the pending deliveries (and of health), in ms, whether or not a change was told. */
  readonly intervalMs: number
  /** Reads what the fleet has pending and applies it (claims, counts, receipts). */
  readonly syncDeliveries: () => Promise<void>
  /** Reads the configuration and applies what other processes changed. */
  readonly syncConfiguration: () => Promise<void>
  /** Reads integration health and adopts what other processes changed (circuits, pauses). */
  readonly syncHealth: () => Promise<void>
  /** A sync failed (the store is down): reported, and tried again at the next change or interval. */
  readonly onError: (error: unknown) => void
}

/** How long a told change waits for others to join it before the store is read, in ms. */
const GATHER_MS = 10

/** One kind of sync: never two at once, and a change told while one runs makes one more. */
class SyncTask {
  readonly #run: () => Promise<void>
  readonly #onError: (error: unknown) => void
  #running = false
  #again = false
  #timer: ReturnType<typeof setTimeout> | undefined
  #stopped = false
  /** Whether the last run failed: it is tried again at the next interval, even with no change told. */
  failed = false

  constructor(run: () => Promise<void>, onError: (error: unknown) => void) {
    this.#run = run
    this.#onError = onError
  }

  /** Runs soon, once for every change told within {@link GATHER_MS}. */
  request(): void {
    if (this.#stopped || this.#timer !== undefined) return
    if (this.#running) {
      this.#again = true
      return
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      void this.#go()
    }, GATHER_MS)
    this.#timer.unref?.()
  }

  stop(): void {
    this.#stopped = true
    clearTimeout(this.#timer)
    this.#timer = undefined
  }

  async #go(): Promise<void> {
    if (this.#stopped) return
    this.#running = true
    try {
      await this.#run()
      this.failed = false
    } catch (error) {
      this.failed = true
      this.#onError(error)
    } finally {
      this.#running = false
    }
    if (this.#again) {
      this.#again = false
      this.request()
    }
  }
}

/**
 * Keeps a router in step with the other processes of its fleet, on a store that several
 * processes share (`Store.watch`): what they emit is claimed here, what they settle releases the
 * receipts waiting here, what they change in the configuration is applied here, and the circuits
 * they open or close open or close here (see `HealthMonitor.adopt`). Changes the
 * store tells of are read within a few ms; the pending deliveries and the health records are also
 * read every `intervalMs`, which bounds how long a missed notice (or a dead process's lease running out)
 * goes unnoticed.
 */
export class FleetSync {
  readonly #deliveries: SyncTask
  readonly #configuration: SyncTask
  readonly #health: SyncTask
  readonly #deps: FleetSyncDeps
  #unwatch: (() => void) | undefined
  #interval: ReturnType<typeof setInterval> | undefined

  constructor(deps: FleetSyncDeps) {
    this.#deps = deps
    this.#deliveries = new SyncTask(deps.syncDeliveries, deps.onError)
    this.#configuration = new SyncTask(deps.syncConfiguration, deps.onError)
    this.#health = new SyncTask(deps.syncHealth, deps.onError)
  }

  /** Starts following the fleet. */
  start(): void {
    this.#unwatch = this.#deps.watch((change) => {
      if (change.type === 'configuration') this.#configuration.request()
      else if (change.type === 'health') this.#health.request()
      else this.#deliveries.request()
    })
    this.#interval = setInterval(() => {
      this.#deliveries.request()
      if (this.#configuration.failed) this.#configuration.request()
      // Health is small (a record per integration): read every interval, a lost notice is bounded too.
      this.#health.request()
    }, this.#deps.intervalMs)
    // A fleet's sync never keeps the host's process alive on its own.
    this.#interval.unref?.()
  }

  /** Reads the configuration again soon (a delivery named an integration this process does not know). */
  requestConfiguration(): void {
    this.#configuration.request()
  }

  /** Stops following (at `close()`): no read of the store starts after this. */
  stop(): void {
    this.#unwatch?.()
    this.#unwatch = undefined
    clearInterval(this.#interval)
    this.#deliveries.stop()
    this.#configuration.stop()
    this.#health.stop()
  }
}
