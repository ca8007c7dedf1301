/** The store's `countFailures` (see `Store.countFailures`). Throws when the store is unreachable. */
export type CountFailures = (key: string, outcome: 'failing' | 'healthy') => number

/**
 * The consecutive failures that open an integration's circuit, counted by the whole fleet
 * (`Store.countFailures`) rather than by this process alone. Calls the store on every failure,
 * but on a success only when the fleet's count may be non-zero: this process counted a failure
 * since it last reset the count, or a health record of the fleet says failures were counted. So
 * a healthy integration costs no round trip per delivery. When the store cannot answer, the
 * process's own consecutive failures stand in, and the reset is owed until a later success.
 */
export class FleetFailureCount {
  readonly #count: CountFailures
  /** Consecutive failures this process saw, by integration key: the count when the store cannot answer. */
  readonly #own = new Map<string, number>()
  /** Integrations whose fleet count may be non-zero: the next success resets it. */
  readonly #owed = new Set<string>()

  constructor(count: CountFailures) {
    this.#count = count
  }

  /** A delivery to integration `key` failed while its circuit was closed: the consecutive failures to judge it by. */
  failed(key: string): number {
    const own = (this.#own.get(key) ?? 0) + 1
    this.#own.set(key, own)
    this.#owed.add(key)
    try {
      return this.#count(key, 'failing')
    } catch {
      // The store is unreachable: this process's own count, as without a fleet.
      return own
    }
  }

  /**
   * A delivery to integration `key` succeeded while its circuit was closed: resets the fleet's
   * count when it may be non-zero, or always (`always`: the probe closed the circuit).
   */
  succeeded(key: string, always = false): void {
    this.#own.delete(key)
    if (!always && !this.#owed.has(key)) return
    try {
      this.#count(key, 'healthy')
      this.#owed.delete(key)
    } catch {
      // Unreachable: the next success tries again.
      this.#owed.add(key)
    }
  }

  /** A health record of the fleet (loaded, or adopted) counts failures of integration `key`: a success must reset them. */
  counted(key: string): void {
    this.#owed.add(key)
  }

  /** The circuit of integration `key` closed elsewhere, or its health was deleted: the process's own count starts again. */
  forget(key: string): void {
    this.#own.delete(key)
  }
}
