import type { IntegrationHealth } from '../stores/store.js'

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

/** The health of an integration nothing is known about: circuit closed, no pause. */
export function healthyRecord(integrationId: string, tenant: string | null): IntegrationHealth {
  return {
    integrationId,
    tenant,
    circuit: 'closed',
    consecutiveFailures: 0,
    probeAt: null,
    probeDeliveryId: null,
    pausedUntil: null,
    configFingerprint: null,
  }
}

/**
 * Whether delivery `id` may make an attempt now, and the health after it asked. Closed: every
 * delivery goes. Open: none until `probeAt`; then the first to ask becomes the probe
 * (half-open), and only it goes until its outcome is recorded.
 */
export function admitThroughCircuit(
  health: IntegrationHealth,
  id: string,
  now: number,
): { readonly admitted: boolean; readonly health: IntegrationHealth } {
  if (health.circuit === 'closed') return { admitted: true, health }
  if (health.circuit === 'half-open') return { admitted: id === health.probeDeliveryId, health }
  if (now < (health.probeAt ?? 0)) return { admitted: false, health }
  return { admitted: true, health: { ...health, circuit: 'half-open', probeDeliveryId: id } }
}

/** Whether a new delivery would be parked at once (open, cool-down running), without changing anything. */
export function circuitParks(health: IntegrationHealth, now: number): boolean {
  return health.circuit === 'open' && now < (health.probeAt ?? 0)
}

/**
 * The health after the final outcome of delivery `id`, and the transition it caused. Closed: a
 * failing outcome counts, a healthy one resets the count, and `failureThreshold` failures in a row
 * open the circuit for `coolDownMs`. Half-open: the probe's outcome closes it or opens it again;
 * a probe that tells nothing (parked at shutdown) lets the next delivery probe.
 */
export function recordCircuitOutcome(
  health: IntegrationHealth,
  id: string,
  signal: CircuitSignal,
  now: number,
  options: Readonly<CircuitBreakerOptions>,
): { readonly health: IntegrationHealth; readonly transition: CircuitTransition } {
  if (health.circuit === 'closed') {
    if (signal === 'healthy' && health.consecutiveFailures !== 0) {
      return { health: { ...health, consecutiveFailures: 0 }, transition: undefined }
    }
    if (signal !== 'failing') return { health, transition: undefined }
    const failures = health.consecutiveFailures + 1
    if (failures >= options.failureThreshold) return open(health, failures, now, options)
    return { health: { ...health, consecutiveFailures: failures }, transition: undefined }
  }
  if (health.circuit === 'half-open' && id === health.probeDeliveryId) {
    if (signal === 'healthy') {
      return {
        health: {
          ...health,
          circuit: 'closed',
          consecutiveFailures: 0,
          probeAt: null,
          probeDeliveryId: null,
          circuitChangedAt: now,
        },
        transition: { to: 'closed' },
      }
    }
    if (signal === 'failing') return open(health, health.consecutiveFailures, now, options)
    return {
      health: { ...health, circuit: 'open', probeAt: now, probeDeliveryId: null },
      transition: undefined,
    }
  }
  return { health, transition: undefined }
}

function open(
  health: IntegrationHealth,
  consecutiveFailures: number,
  now: number,
  options: Readonly<CircuitBreakerOptions>,
): { readonly health: IntegrationHealth; readonly transition: CircuitTransition } {
  const probeAt = now + options.coolDownMs
  return {
    health: {
      ...health,
      circuit: 'open',
      consecutiveFailures,
      probeAt,
      probeDeliveryId: null,
      circuitChangedAt: now,
    },
    transition: { to: 'open', consecutiveFailures, probeAt },
  }
}
