/** Options of the per-integration circuit breaker. */
export interface CircuitBreakerOptions {
  /** Consecutive deliveries that ran out of retries before the circuit opens. @default 5 */
  failureThreshold: number
  /** How long an open circuit parks deliveries before one probe delivery is let through, in ms. @default 60000 */
  coolDownMs: number
  /**
   * Replay what the open circuit parked: after the cool-down, the oldest parked delivery is
   * sent as the probe (so a quiet integration resumes without new events), and once the circuit
   * closes every delivery it parked is redelivered from the dead letters. With `false`, the next
   * new delivery is the probe and parked deliveries wait for `router.deadLetters.redeliver()`.
   * @default true
   */
  replayParked: boolean
}

/** The default circuit breaker: opens after 5 consecutive exhausted deliveries, probes after 1 minute. */
export const DEFAULT_CIRCUIT_BREAKER: Readonly<CircuitBreakerOptions> = Object.freeze({
  failureThreshold: 5,
  coolDownMs: 60_000,
  replayParked: true,
})

/** What a final delivery outcome says about the destination's health. */
export type CircuitSignal = 'healthy' | 'failing' | 'neutral'

/** A change of state the router reports as a lifecycle event. */
export type CircuitTransition =
  | { readonly to: 'open'; readonly consecutiveFailures: number; readonly probeAt: number }
  | { readonly to: 'closed' }
  | undefined

/**
 * The circuit of one integration. Closed: every delivery goes. Open: deliveries are parked
 * until `coolDownMs` has passed; then the next delivery is the probe (half-open), and its
 * outcome closes the circuit or opens it again. Time is read from `now` (Date.now), so fake
 * timers drive it.
 */
export class CircuitBreaker {
  readonly #options: Readonly<CircuitBreakerOptions>
  #state: 'closed' | 'open' | 'half-open' = 'closed'
  #consecutiveFailures = 0
  #probeAt = 0
  #probe: string | undefined

  constructor(options: Readonly<CircuitBreakerOptions>) {
    this.#options = options
  }

  /** Whether deliveries go through without restriction. */
  get isClosed(): boolean {
    return this.#state === 'closed'
  }

  /** Whether the circuit is open and waiting for its probe (not probing yet). */
  get awaitingProbe(): boolean {
    return this.#state === 'open'
  }

  /** Whether delivery `id` may make an attempt now; may turn it into the probe. */
  admit(id: string): boolean {
    if (this.#state === 'closed') return true
    if (this.#state === 'half-open') return id === this.#probe
    if (Date.now() < this.#probeAt) return false
    this.#state = 'half-open'
    this.#probe = id
    return true
  }

  /** Records the final outcome of delivery `id`; returns the transition it caused, if any. */
  record(id: string, signal: CircuitSignal): CircuitTransition {
    if (this.#state === 'closed') {
      if (signal === 'healthy') this.#consecutiveFailures = 0
      else if (signal === 'failing' && ++this.#consecutiveFailures >= this.#options.failureThreshold) {
        return this.#open()
      }
      return undefined
    }
    if (this.#state === 'half-open' && id === this.#probe) {
      this.#probe = undefined
      if (signal === 'healthy') {
        this.#state = 'closed'
        this.#consecutiveFailures = 0
        return { to: 'closed' }
      }
      if (signal === 'failing') return this.#open()
      // The probe ended without telling anything (parked at shutdown): the next delivery probes.
      this.#state = 'open'
      this.#probeAt = Date.now()
    }
    return undefined
  }

  #open(): CircuitTransition {
    this.#state = 'open'
    this.#probe = undefined
    this.#probeAt = Date.now() + this.#options.coolDownMs
    return { to: 'open', consecutiveFailures: this.#consecutiveFailures, probeAt: this.#probeAt }
  }
}
