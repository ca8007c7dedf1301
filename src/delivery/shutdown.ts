/**
 * The router's shutdown switch, shared by every delivery. Unlike listeners on one shared
 * AbortSignal (an EventTarget, whose removeEventListener walks the whole list and which
 * warns past 10 listeners), registering and unregistering a hook here is O(1), so 100,000
 * deliveries in flight cost no more per delivery than 10.
 */
export class Shutdown {
  #triggered = false
  readonly #hooks = new Set<() => void>()

  /** Whether shutdown has begun. */
  get triggered(): boolean {
    return this.#triggered
  }

  /** Runs `hook` when shutdown begins; returns the function that unregisters it. */
  onTrigger(hook: () => void): () => void {
    this.#hooks.add(hook)
    return () => {
      this.#hooks.delete(hook)
    }
  }

  /** Begins shutdown: runs every hook once. Idempotent. */
  trigger(): void {
    if (this.#triggered) return
    this.#triggered = true
    const hooks = [...this.#hooks]
    this.#hooks.clear()
    for (const hook of hooks) hook()
  }
}
