/**
 * The relay's sleep between claims: `wait(ms)` ends after `ms`, or at once on `wake()` (a
 * notification, `onIdle()`), or on `stop()`. A `wake()` while nothing waits is kept for the next
 * wakeable wait, so a notification that arrives during a claim is not missed. Timers are not
 * unref'd: a running relay keeps its process alive, as a server does, until `stop()`.
 */
export class WakeSignal {
  #pending = false
  #stopped = false
  #waiter:
    | { readonly resolve: () => void; readonly timer: NodeJS.Timeout; readonly wakeable: boolean }
    | undefined

  /** Ends a wakeable wait now, or the next one at once. */
  wake(): void {
    if (this.#waiter?.wakeable) this.#finish()
    else this.#pending = true
  }

  /** Forgets earlier wakes: what they announced, the claim about to start will see. */
  clear(): void {
    this.#pending = false
  }

  /** Ends every wait, now and from now on. */
  stop(): void {
    this.#stopped = true
    this.#finish()
  }

  /** Sleeps `ms`; a `wake()` ends the sleep only when `wakeable`, a `stop()` always does. */
  wait(ms: number, wakeable = true): Promise<void> {
    if (this.#stopped) return Promise.resolve()
    if (wakeable && this.#pending) {
      this.#pending = false
      return Promise.resolve()
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#finish(), ms)
      this.#waiter = { resolve, timer, wakeable }
    })
  }

  #finish(): void {
    const waiter = this.#waiter
    if (waiter === undefined) return
    this.#waiter = undefined
    clearTimeout(waiter.timer)
    waiter.resolve()
  }
}
