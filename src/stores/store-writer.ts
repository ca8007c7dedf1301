import { StoreError } from '../errors/store-error.js'
import type { MaybePromise, Store, StoreOperation } from './store.js'

/** What a write is for, in error messages; a function when building the text would cost on a hot path. */
export type WriteDescription = string | (() => string)

/** Called once a batched write is kept, or with the reason it was not. */
export type WriteDone = (error: StoreError | undefined) => void

interface Batched {
  readonly operations: readonly StoreOperation[]
  readonly operation: WriteDescription
  readonly done: WriteDone | undefined
}

/**
 * The only way the router writes to its store. `now()` writes at once (what `emit()` and
 * configuration changes must have kept before they return); `soon()` batches what can wait a
 * moment (a settled delivery, a dead letter, a health change) so that a durable store commits many
 * in one transaction. A store that is not durable keeps everything at once, so the memory path
 * stays as direct as before stores existed. Writes keep their order: `now()` first writes what
 * is batched.
 */
export class StoreWriter {
  readonly #store: Store
  readonly #onError: (error: StoreError) => void
  #batch: Batched[] = []
  #scheduled = false
  /** Set by close(): nothing waits for a next tick any more (a host's fake timers may never run it). */
  #immediate = false
  #inFlight: Promise<void> | undefined

  /** @param onError told when a batched write fails and nobody waits for it */
  constructor(store: Store, onError: (error: StoreError) => void) {
    this.#store = store
    this.#onError = onError
  }

  /**
   * Writes `operations` now, atomically. Throws a {@link StoreError} naming `operation` when a
   * synchronous store fails (nothing of them is kept); returns a promise for a store that is not
   * synchronous, which rejects with one.
   */
  now(operations: readonly StoreOperation[], operation: WriteDescription): MaybePromise<void> {
    if (this.#batch.length > 0) this.#flushBatch()
    return this.#write(operations, operation)
  }

  /** Writes `operations` with the next batch; `done` is told when they are kept, or why not. */
  soon(operations: readonly StoreOperation[], operation: WriteDescription, done?: WriteDone): void {
    if (!this.#store.durable || this.#immediate) {
      let failure: StoreError | undefined
      try {
        const written = this.#write(operations, operation)
        if (written instanceof Promise) {
          written.then(
            () => done?.(undefined),
            (error: StoreError) => this.#failed(error, done),
          )
          return
        }
      } catch (error) {
        failure = error as StoreError
      }
      if (failure) this.#failed(failure, done)
      else done?.(undefined)
      return
    }
    this.#batch.push({ operations, operation, done })
    if (!this.#scheduled) {
      this.#scheduled = true
      setImmediate(() => this.#flushBatch())
    }
  }

  /** From now on writes at once (close() has begun), and writes what is batched now. */
  immediate(): void {
    this.#immediate = true
    if (this.#batch.length > 0) this.#flushBatch()
  }

  /** Writes what is batched now; resolves once every write so far is kept (or reported). */
  async flush(): Promise<void> {
    if (this.#batch.length > 0) this.#flushBatch()
    while (this.#inFlight) await this.#inFlight
  }

  #flushBatch(): void {
    this.#scheduled = false
    const batch = this.#batch
    if (batch.length === 0) return
    this.#batch = []
    const all = batch.flatMap((entry) => entry.operations)
    const finish = (error: StoreError | undefined) => {
      if (!error) {
        for (const entry of batch) entry.done?.(undefined)
        return
      }
      // One bad write must not sink the others: keep each on its own.
      for (const entry of batch) {
        try {
          const written = this.#write(entry.operations, entry.operation)
          if (written instanceof Promise) {
            written.then(
              () => entry.done?.(undefined),
              (failure: StoreError) => this.#failed(failure, entry.done),
            )
          } else entry.done?.(undefined)
        } catch (failure) {
          this.#failed(failure as StoreError, entry.done)
        }
      }
    }
    try {
      const written = this.#write(all, batch.length === 1 ? (batch[0] as Batched).operation : 'write a batch')
      if (written instanceof Promise) {
        const tracked = written.then(
          () => finish(undefined),
          (error: StoreError) => finish(error),
        )
        this.#inFlight = tracked.finally(() => {
          if (this.#inFlight === tracked) this.#inFlight = undefined
        })
        return
      }
      finish(undefined)
    } catch (error) {
      finish(error as StoreError)
    }
  }

  #failed(error: StoreError, done: WriteDone | undefined): void {
    if (done) done(error)
    else this.#onError(error)
  }

  #write(operations: readonly StoreOperation[], operation: WriteDescription): MaybePromise<void> {
    let written: MaybePromise<void>
    try {
      written = this.#store.write(operations)
    } catch (error) {
      throw asStoreError(error, operation)
    }
    if (written instanceof Promise)
      return written.catch((error: unknown) => Promise.reject(asStoreError(error, operation)))
    return written
  }
}

/** A store's failure as the {@link StoreError} the router reports. */
export function asStoreError(error: unknown, operation: WriteDescription): StoreError {
  if (error instanceof StoreError) return error
  const message = error instanceof Error ? error.message : String(error)
  return new StoreError(typeof operation === 'string' ? operation : operation(), message, { cause: error })
}
