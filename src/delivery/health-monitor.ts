import { createHash } from 'node:crypto'
import type { IntegrationRecord } from '../integrations/integration-registry.js'
import type { Notify } from '../shared/notify.js'
import { scopedKey } from '../shared/scope.js'
import type { IntegrationHealth, ProbeClaim, StoreOperation } from '../stores/store.js'
import { adoptHealth } from './circuit-adoption.js'
import {
  admitThroughCircuit,
  type CircuitBreakerOptions,
  type CircuitSignal,
  circuitParks,
  healthyRecord,
  recordCircuitOutcome,
} from './circuit-breaker.js'
import type { DeliveryFailed, DeliveryResult } from './delivery.js'
import { type CountFailures, FleetFailureCount } from './fleet-failure-count.js'

/** Payload of the `integrationSuspended` lifecycle event. */
export interface IntegrationSuspended {
  /** The integration whose circuit opened. */
  readonly integrationId: string
  /** The tenant the integration belongs to, or `null` for the platform. */
  readonly tenant: string | null
  /** Consecutive deliveries that ran out of retries. */
  readonly consecutiveFailures: number
  /** When the next delivery will be let through as the probe (epoch ms). */
  readonly probeAt: number
}

/** Payload of the `integrationDisabled` lifecycle event. */
export interface IntegrationDisabled {
  /** The integration the router disabled. */
  readonly integrationId: string
  /** The tenant the integration belongs to, or `null` for the platform. */
  readonly tenant: string | null
  /** Why, as also kept in the integration's `disabledReason`. */
  readonly reason: string
  /** The delivery whose response disabled it. */
  readonly deliveryId: string
}

/** The lifecycle events the health monitor sends. */
export interface HealthEvents {
  integrationSuspended: [suspension: IntegrationSuspended]
  integrationResumed: [resumption: { readonly integrationId: string; readonly tenant: string | null }]
  integrationDisabled: [disabled: IntegrationDisabled]
}

/** What the health monitor needs from the rest of the router, and nothing more. */
export interface HealthMonitorDeps {
  /** `false` turns the circuit breaker off. */
  readonly circuitBreaker: Readonly<CircuitBreakerOptions> | false
  readonly notify: Notify<HealthEvents>
  /** Keeps health records (batched with other writes). */
  readonly persist: (operations: readonly StoreOperation[]) => void
  /** The integration with this key as it is now. Integrations are known by key (`scopedKey(tenant, id)`). */
  readonly integration: (key: string) => IntegrationRecord | undefined
  /** Disables an integration on the destination's word (a `410 Gone`). */
  readonly disable: (key: string, reason: string) => void
  /** Parks what waits for an integration whose circuit just opened. */
  readonly parkWaiting: (key: string) => void
  /** Redelivers every delivery the circuit of an integration parked. */
  readonly replayParked: (key: string) => void
  /**
   * Redelivers the oldest delivery the circuit of an integration parked, as its probe, if
   * `claim(deliveryId)` says that this process is the one of the fleet to do it.
   */
  readonly probeParked: (key: string, claim: (deliveryId: string) => boolean) => void
  /**
   * The store's `claimProbe` (one probe per fleet), absent on a store owned by one router: then
   * every probe goes. Throws when the store is unreachable.
   */
  readonly claimProbe?: (key: string, deliveryId: string, ms: number) => ProbeClaim
  /**
   * The store's `countFailures` (one failure count per fleet), absent on a store owned by one
   * router: then each process counts its own failures. Throws when the store is unreachable.
   */
  readonly countFailures?: CountFailures
  /** With `claimProbe`: reads the fleet's health records now and adopts them (see `adopt()`). Throws when the store is unreachable. */
  readonly refreshHealth?: () => void
  readonly now: () => number
}

/**
 * Owns the health of every integration, as {@link IntegrationHealth} records: its circuit breaker
 * (deliveries that ran out of retries open it; after the cool-down one probe decides), the probe
 * timers, the pause a 429 asked for, and disabling an integration whose destination answered
 * `410 Gone`. Each change is written to the store, so a restart neither hammers a failing
 * destination nor forgets a `Retry-After`. In a fleet (`countFailures`), the failures that open a
 * circuit are those every process counted (see {@link FleetFailureCount}).
 */
export class HealthMonitor {
  readonly #deps: HealthMonitorDeps
  readonly #health = new Map<string, IntegrationHealth>()
  readonly #probeTimers = new Map<string, ReturnType<typeof setTimeout>>()
  /** With `countFailures`: the failures that open a circuit, counted by the fleet. */
  readonly #failures: FleetFailureCount | undefined
  #stopped = false

  constructor(deps: HealthMonitorDeps) {
    this.#deps = deps
    this.#failures = deps.countFailures === undefined ? undefined : new FleetFailureCount(deps.countFailures)
  }

  /** Restores what a previous process recorded (at `start()`), and schedules the probes it had pending. */
  load(records: readonly IntegrationHealth[]): void {
    const { circuitBreaker } = this.#deps
    for (const health of records) {
      const key = scopedKey(health.tenant, health.integrationId)
      this.#health.set(key, health)
      if (health.consecutiveFailures > 0) this.#failures?.counted(key)
      if (circuitBreaker !== false && circuitBreaker.replayParked && health.circuit !== 'closed') {
        // A probe in flight when the process stopped is lost: the next delivery probes.
        const reopened = health.circuit === 'half-open' ? { ...health, circuit: 'open' as const } : health
        this.#health.set(key, reopened)
        this.#scheduleProbe(key, Math.max(0, (reopened.probeAt ?? 0) - this.#deps.now()))
      }
    }
  }

  /** The health record of the integration with this key, if it has one (for `stats()`). */
  healthOf(key: string): IntegrationHealth | undefined {
    return this.#health.get(key)
  }

  /** Until when a destination asked not to be sent anything, or 0. */
  pausedUntil(integrationId: string): number {
    return this.#health.get(integrationId)?.pausedUntil ?? 0
  }

  /** Whether a new delivery to this integration would be parked at once (open circuit, cool-down running). */
  parks(integrationId: string): boolean {
    const health = this.#health.get(integrationId)
    return (
      health !== undefined && this.#deps.circuitBreaker !== false && circuitParks(health, this.#deps.now())
    )
  }

  /** Whether delivery `deliveryId` may make an attempt now; may make it the probe. */
  admit(integrationId: string, deliveryId: string): boolean {
    const health = this.#health.get(integrationId)
    if (!health || this.#deps.circuitBreaker === false) return true
    const { admitted, health: next } = admitThroughCircuit(health, deliveryId, this.#deps.now())
    if (next !== health) {
      // This delivery would be the probe: in a fleet, only if no other delivery is the fleet's probe.
      if (!this.#claim(integrationId, deliveryId, false)) {
        // That probe may have closed the circuit a moment ago, and this delivery be one of the
        // parked ones its process replays, here before the notice: read the fleet's health first.
        this.#refresh()
        return this.#health.get(integrationId)?.circuit === 'closed'
      }
      this.#set(next)
    }
    return admitted
  }

  /**
   * Takes in the health records another process of the fleet wrote (`Store.watch` told of a
   * change): a circuit that opened there opens here (what waits is parked, `integrationSuspended`,
   * the probe timer), one that closed there closes here (`integrationResumed`; the process that
   * closed it replays what was parked, so this one does not, or each parked delivery would go
   * once per process), and a later pause is kept. Records of another config of an integration
   * are ignored; nothing adopted is written back.
   */
  adopt(records: readonly IntegrationHealth[]): void {
    const options = this.#deps.circuitBreaker
    const now = this.#deps.now()
    for (const theirs of records) {
      const key = scopedKey(theirs.tenant, theirs.integrationId)
      const record = this.#deps.integration(key)
      if (!record || fingerprint(record) !== theirs.configFingerprint) continue
      // Another process counted failures: this one's next success resets the fleet's count.
      if (theirs.consecutiveFailures > 0) this.#failures?.counted(key)
      const ours = this.#health.get(key)
      const adoption = adoptHealth(ours, theirs, now)
      if (adoption === undefined) continue
      if (adoption.change === 'outdated') {
        // Another process wrote an older circuit state over ours: the fleet's record is ours again.
        if (ours) this.#deps.persist([{ type: 'putHealth', health: ours }])
        continue
      }
      this.#health.set(key, adoption.health)
      if (options === false || adoption.change === 'pause') continue
      if (adoption.change === 'resumed') {
        this.#clearProbe(key)
        this.#failures?.forget(key)
        this.#deps.notify('integrationResumed', this.#who(key))
        continue
      }
      const probeAt = adoption.health.probeAt ?? now
      if (adoption.change === 'suspended') {
        this.#deps.parkWaiting(key)
        this.#deps.notify('integrationSuspended', {
          ...this.#who(key),
          consecutiveFailures: adoption.health.consecutiveFailures,
          probeAt,
        })
      }
      if (options.replayParked) this.#scheduleProbe(key, Math.max(0, probeAt - now))
    }
  }

  /** The destination is throttling: remember the pause, so a restart keeps to it. */
  throttled(integrationId: string, pauseMs: number): void {
    const until = this.#deps.now() + pauseMs
    const health = this.#current(integrationId)
    if ((health.pausedUntil ?? 0) >= until) return
    this.#set({ ...health, pausedUntil: until })
  }

  /** Feeds a final outcome to the circuit, disables a gone integration, and reports transitions. */
  settled(result: DeliveryResult): void {
    const key = scopedKey(result.delivery.tenant, result.delivery.integrationId)
    this.#recordCircuit(key, result)
    if (result.status === 'failed' && result.error.disablesIntegration) this.#disableGone(key, result)
  }

  #recordCircuit(integrationId: string, result: DeliveryResult): void {
    const options = this.#deps.circuitBreaker
    if (options === false) return
    const signal = healthSignal(result)
    const current = this.#health.get(integrationId)
    const closed = current === undefined || current.circuit === 'closed'
    // In a fleet, a success resets the fleet's count (only when it may be non-zero: no round trip otherwise).
    if (closed && signal === 'healthy') this.#failures?.succeeded(integrationId)
    if (!current && signal !== 'failing') return
    let health = current ?? this.#fresh(integrationId)
    if (closed && signal === 'failing' && this.#failures !== undefined) {
      // The fleet's consecutive failures, this one included, judge the circuit (not this process's alone).
      health = { ...health, consecutiveFailures: this.#failures.failed(integrationId) - 1 }
    }
    const { health: next, transition } = recordCircuitOutcome(
      health,
      result.delivery.id,
      signal,
      this.#deps.now(),
      options,
    )
    if (next !== current) this.#set(next)
    if (transition?.to === 'open') {
      this.#deps.parkWaiting(integrationId)
      this.#deps.notify('integrationSuspended', {
        ...this.#who(integrationId),
        consecutiveFailures: transition.consecutiveFailures,
        probeAt: transition.probeAt,
      })
      if (options.replayParked) this.#scheduleProbe(integrationId, transition.probeAt - this.#deps.now())
    } else if (transition?.to === 'closed') {
      // The probe succeeded: the fleet's count starts again, whatever this process saw.
      this.#failures?.succeeded(integrationId, true)
      this.#resumed(integrationId)
    }
  }

  /** An integration was added, changed or removed: a new config resets its circuit. */
  integrationChanged(id: string, record: IntegrationRecord | undefined): void {
    const health = this.#health.get(id)
    if (!health) return
    if (record && fingerprint(record) === health.configFingerprint) return
    // Removed, or its config edited (a new URL, a new key): the failures were about the old one.
    this.#health.delete(id)
    // The store deletes the fleet's failure count with the health record.
    this.#deps.persist([{ type: 'deleteHealth', tenant: health.tenant, integrationId: health.integrationId }])
    this.#failures?.forget(id)
    this.#clearProbe(id)
    if (record?.integration.enabled && health.circuit !== 'closed') this.#resumed(id)
  }

  /** Stops the probe timers (close()). */
  stop(): void {
    this.#stopped = true
    for (const timer of this.#probeTimers.values()) clearTimeout(timer)
    this.#probeTimers.clear()
  }

  #current(key: string): IntegrationHealth {
    return this.#health.get(key) ?? this.#fresh(key)
  }

  /** A healthy record for the integration with this key, judging its current config. */
  #fresh(key: string): IntegrationHealth {
    const record = this.#deps.integration(key)
    const slash = key.indexOf('/')
    const tenant = record?.tenant ?? (slash <= 0 ? null : key.slice(0, slash))
    return {
      ...healthyRecord(record?.integration.id ?? key.slice(slash + 1), tenant),
      configFingerprint: fingerprint(record),
    }
  }

  #set(health: IntegrationHealth): void {
    this.#health.set(scopedKey(health.tenant, health.integrationId), health)
    this.#deps.persist([{ type: 'putHealth', health }])
  }

  /** How lifecycle events name an integration known by key: its id and tenant. */
  #who(key: string): { readonly integrationId: string; readonly tenant: string | null } {
    const health = this.#health.get(key) ?? this.#fresh(key)
    return { integrationId: health.integrationId, tenant: health.tenant }
  }

  /** The circuit of an integration closed: say so, and replay what it parked. */
  #resumed(integrationId: string): void {
    this.#deps.notify('integrationResumed', this.#who(integrationId))
    const options = this.#deps.circuitBreaker
    if (options !== false && options.replayParked) this.#deps.replayParked(integrationId)
  }

  /** After the cool-down, sends the oldest delivery the circuit parked as its probe. */
  #scheduleProbe(integrationId: string, delayMs: number): void {
    this.#clearProbe(integrationId)
    if (this.#stopped) return
    const timer = setTimeout(() => {
      this.#probeTimers.delete(integrationId)
      // A new delivery may have become the probe meanwhile: then there is nothing to do.
      if (this.#stopped || this.#health.get(integrationId)?.circuit !== 'open') return
      this.#deps.probeParked(integrationId, (deliveryId) => this.#claim(integrationId, deliveryId, true))
    }, delayMs)
    // A router waiting to probe should not keep the host's process alive by itself.
    timer.unref?.()
    this.#probeTimers.set(integrationId, timer)
  }

  /**
   * Whether delivery `deliveryId` may be the probe of this integration's open circuit, in the
   * fleet (`claimProbe`). `fresh`: the probe timer picking a parked delivery, which only the
   * process that takes the claim may redeliver (every process's timer picks the same one); else a
   * delivery being admitted, which may also be the one another process redelivered as the probe.
   * A claim lost, or a store that cannot answer, sends nothing: the probe timer asks again after a
   * cool-down (the winner's outcome reaches this process sooner, by `adopt()`), so a winner that
   * died leaves no circuit open for good.
   */
  #claim(key: string, deliveryId: string, fresh: boolean): boolean {
    const claimProbe = this.#deps.claimProbe
    const options = this.#deps.circuitBreaker
    if (claimProbe === undefined || options === false) return true
    let claim: ProbeClaim = 'lost'
    try {
      claim = claimProbe(key, deliveryId, options.coolDownMs)
    } catch {
      // The store is unreachable: no probe now.
    }
    if (claim === 'claimed' && fresh && options.replayParked) {
      // Should the redelivered probe never come back as an outcome (lost, or admitted by a
      // process that had not seen the circuit open), the timer tries again once the claim expires.
      this.#scheduleProbe(key, options.coolDownMs)
    }
    if (claim === 'claimed' || (claim === 'held' && !fresh)) return true
    if (options.replayParked && (fresh || !this.#probeTimers.has(key))) {
      this.#scheduleProbe(key, options.coolDownMs)
    }
    return false
  }

  #refresh(): void {
    try {
      this.#deps.refreshHealth?.()
    } catch {
      // Unreachable: what this process knows stands.
    }
  }

  #clearProbe(integrationId: string): void {
    clearTimeout(this.#probeTimers.get(integrationId))
    this.#probeTimers.delete(integrationId)
  }

  /** A destination answered that the integration is gone (410): disable it, say why. */
  #disableGone(key: string, result: DeliveryFailed): void {
    const record = this.#deps.integration(key)
    if (!record?.integration.enabled) return
    const reason = `The destination answered ${result.error.status ?? 'that it is gone'} to delivery ${result.delivery.id}: the endpoint no longer exists. Fix the config and enable the integration again.`
    this.#deps.disable(key, reason)
    this.#deps.notify('integrationDisabled', {
      integrationId: record.integration.id,
      tenant: record.tenant,
      reason,
      deliveryId: result.delivery.id,
    })
  }
}

/** What a final outcome says about the destination: it answered, it is failing, or nothing. */
function healthSignal(result: DeliveryResult): CircuitSignal {
  if (result.status === 'succeeded') return 'healthy'
  if (result.reason === 'retries_exhausted') return 'failing'
  // A final 4xx is about the event or the config, and shows the destination is up.
  if (result.reason === 'not_retryable' && result.error.status !== undefined) return 'healthy'
  return 'neutral'
}

/** A digest of an integration's config (secrets included, never stored as such): editing it resets the circuit. */
function fingerprint(record: IntegrationRecord | undefined): string | null {
  if (!record) return null
  return createHash('sha256').update(JSON.stringify(record.integration.config)).digest('base64url')
}
