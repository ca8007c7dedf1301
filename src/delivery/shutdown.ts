/**
 * The router's shutdown switch, shared by every delivery, in two phases: `drain()` (close()
 * was called: no new attempt starts, waits between retries end) and `trigger()` (the
 * deadline passed: attempts in flight are aborted). Unlike listeners on one shared
 * AbortSignal (an EventTarget, whose removeEventListener walks the whole list and which
 * warns past 10 listeners), registering and unregistering a hook here is O(1), so 100,000
 * deliveries in flight cost no more per delivery than 10.
 */
export class Shutdown {
  #draining = false
  #triggered = false
  readonly #drainHooks = new Set<() => void>()
  readonly #hooks = new Set<() => void>()

  /** Whether close() has begun: no new attempt may start. */
  get draining(): boolean {
    return this.#draining
  }

  /** Whether the deadline has passed: attempts in flight are aborted. */
  get triggered(): boolean {
    return this.#triggered
  }

  /** Runs `hook` when draining begins; returns the function that unregisters it. */
  onDrain(hook: () => void): () => void {
    return register(this.#drainHooks, hook)
  }

  /** Runs `hook` when shutdown is triggered; returns the function that unregisters it. */
  onTrigger(hook: () => void): () => void {
    return register(this.#hooks, hook)
  }

  /** Begins draining: runs every drain hook once. Idempotent. */
  drain(): void {
    if (this.#draining) return
    this.#draining = true
    runAll(this.#drainHooks)
  }

  /** Aborts what is in flight (draining too, if it had not begun). Idempotent. */
  trigger(): void {
    this.drain()
    if (this.#triggered) return
    this.#triggered = true
    runAll(this.#hooks)
  }
}

function register(hooks: Set<() => void>, hook: () => void): () => void {
  hooks.add(hook)
  return () => {
    hooks.delete(hook)
  }
}

function runAll(hooks: Set<() => void>): void {
  const all = [...hooks]
  hooks.clear()
  for (const hook of all) hook()
}
