import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { DEFAULT_CIRCUIT_BREAKER } from '../../src/delivery/circuit-breaker.js'
import { HealthMonitor, type HealthMonitorDeps } from '../../src/delivery/health-monitor.js'
import type { IntegrationHealth, ProbeClaim, StoreOperation } from '../../src/index.js'
import type { IntegrationRecord } from '../../src/integrations/integration-registry.js'

/** The platform's integration `crm`, as the router keys it (`scopedKey(null, 'crm')`). */
const KEY = '/crm'
const CRM = {
  tenant: null,
  key: KEY,
  integration: { id: 'crm', enabled: true, config: { url: 'https://crm.example/hooks' } },
} as unknown as IntegrationRecord

/** A monitor of integration `crm` whose deps record what it asks of the router. */
function monitorWith(
  claimProbe?: (key: string, deliveryId: string, ms: number) => ProbeClaim,
  fleetHealth?: () => readonly IntegrationHealth[],
) {
  const calls: string[] = []
  const written: StoreOperation[] = []
  const claims: boolean[] = []
  const deps: HealthMonitorDeps = {
    circuitBreaker: { ...DEFAULT_CIRCUIT_BREAKER, failureThreshold: 2, coolDownMs: 1000 },
    notify: ((event: string) => {
      calls.push(event)
    }) as HealthMonitorDeps['notify'],
    persist: (operations) => {
      written.push(...operations)
    },
    integration: (key) => (key === KEY ? CRM : undefined),
    disable: () => {
      calls.push('disable')
    },
    parkWaiting: (key) => {
      calls.push(`park:${key}`)
    },
    replayParked: (key) => {
      calls.push(`replay:${key}`)
    },
    probeParked: (key, claim) => {
      calls.push(`probe:${key}`)
      claims.push(claim('dlv_oldest'))
    },
    ...(claimProbe === undefined ? {} : { claimProbe }),
    ...(fleetHealth === undefined ? {} : { refreshHealth: () => monitor.adopt(fleetHealth()) }),
    now: Date.now,
  }
  const monitor: HealthMonitor = new HealthMonitor(deps)
  // The record this process would write for `crm` (its config's fingerprint): a pause makes one.
  monitor.throttled(KEY, 1)
  const ours = (written.pop() as Extract<StoreOperation, { type: 'putHealth' }>).health
  const theirs = (changes: Partial<IntegrationHealth>): IntegrationHealth => ({
    ...ours,
    pausedUntil: null,
    ...changes,
  })
  return { monitor, calls, written, claims, theirs }
}

beforeEach(() => {
  vi.useFakeTimers({ now: Date.UTC(2026, 11, 3, 7) })
})
afterEach(() => {
  vi.useRealTimers()
})

describe('HealthMonitor.adopt', () => {
  it('opens a circuit another process opened: parks what waits, says suspended, probes after its probeAt; writes nothing', () => {
    const { monitor, calls, written, claims, theirs } = monitorWith()
    const probeAt = Date.now() + 1000
    monitor.adopt([
      theirs({ circuit: 'open', consecutiveFailures: 2, probeAt, circuitChangedAt: Date.now() }),
    ])
    expect(calls).toEqual(['park:/crm', 'integrationSuspended'])
    expect(monitor.parks(KEY)).toBe(true)
    expect(written).toEqual([])
    vi.advanceTimersByTime(1000)
    expect(calls).toEqual(['park:/crm', 'integrationSuspended', 'probe:/crm'])
    expect(claims).toEqual([true])
  })

  it('closes a circuit another process closed, says resumed, and leaves the replay to that process', () => {
    const { monitor, calls, theirs } = monitorWith()
    const openedAt = Date.now()
    monitor.adopt([theirs({ circuit: 'half-open', probeAt: openedAt + 1000, circuitChangedAt: openedAt })])
    vi.advanceTimersByTime(500)
    monitor.adopt([theirs({ circuit: 'closed', circuitChangedAt: Date.now() })])
    expect(calls).toEqual(['park:/crm', 'integrationSuspended', 'integrationResumed'])
    expect(monitor.parks(KEY)).toBe(false)
    // The probe timer is gone with the open circuit.
    vi.advanceTimersByTime(5000)
    expect(calls).not.toContain('probe:/crm')
    expect(calls.some((call) => call.startsWith('replay:'))).toBe(false)
  })

  it('ignores a record of another config of the integration, and an unknown integration', () => {
    const { monitor, calls, theirs } = monitorWith()
    const open = { circuit: 'open' as const, probeAt: Date.now() + 1000, circuitChangedAt: Date.now() }
    monitor.adopt([
      theirs({ ...open, configFingerprint: 'another-config' }),
      theirs({ ...open, integrationId: 'unknown' }),
    ])
    expect(calls).toEqual([])
    expect(monitor.parks(KEY)).toBe(false)
  })

  it('writes its own circuit again over an older state another process wrote, and takes a later pause', () => {
    const { monitor, written, theirs } = monitorWith()
    const open = { circuit: 'open' as const, probeAt: Date.now() + 1000, circuitChangedAt: Date.now() }
    monitor.adopt([theirs(open)])
    monitor.adopt([theirs({ circuit: 'closed', circuitChangedAt: Date.now() - 1 })])
    expect(written).toMatchObject([{ type: 'putHealth', health: { circuit: 'open' } }])
    expect(monitor.parks(KEY)).toBe(true)
    const until = Date.now() + 30_000
    monitor.adopt([theirs({ ...open, pausedUntil: until })])
    expect(monitor.pausedUntil(KEY)).toBe(until)
  })
})

describe('HealthMonitor probes in a fleet (Store.claimProbe)', () => {
  function openedElsewhere(
    claimProbe: (key: string, deliveryId: string, ms: number) => ProbeClaim,
    fleetHealth?: () => readonly IntegrationHealth[],
  ) {
    const setup = monitorWith(claimProbe, fleetHealth)
    setup.monitor.adopt([
      setup.theirs({ circuit: 'open', probeAt: Date.now() + 1000, circuitChangedAt: Date.now() }),
    ])
    vi.advanceTimersByTime(999)
    return setup
  }

  it('the probe timer redelivers a parked delivery only when it took the claim itself', () => {
    const answers: ProbeClaim[] = ['held', 'claimed']
    const asked: unknown[][] = []
    const { calls, claims } = openedElsewhere((...args) => {
      asked.push(args)
      return answers.shift() ?? 'lost'
    })
    vi.advanceTimersByTime(1)
    // Held by that delivery: another process's timer took it first and redelivers it.
    expect(claims).toEqual([false])
    expect(asked).toEqual([[KEY, 'dlv_oldest', 1000]])
    // Asked again after a cool-down (the process holding it may have died).
    vi.advanceTimersByTime(1000)
    expect(claims).toEqual([false, true])
    expect(calls.filter((call) => call === 'probe:/crm')).toHaveLength(2)
    // The probe it redelivered settled nowhere (the circuit is still open): once its claim expired, again.
    vi.advanceTimersByTime(1000)
    expect(claims).toEqual([false, true, false])
  })

  it('a delivery admitted after the cool-down is the probe when the fleet gives it the claim, or it already holds it', () => {
    // The probe timer's claim first (lost), then the two deliveries'.
    const answers: ProbeClaim[] = ['lost', 'lost', 'held']
    const { monitor } = openedElsewhere(() => answers.shift() ?? 'lost')
    vi.advanceTimersByTime(1)
    expect(monitor.admit(KEY, 'dlv_new')).toBe(false)
    expect(monitor.healthOf(KEY)?.circuit).toBe('open')
    expect(monitor.admit(KEY, 'dlv_redelivered')).toBe(true)
    expect(monitor.healthOf(KEY)).toMatchObject({ circuit: 'half-open', probeDeliveryId: 'dlv_redelivered' })
  })

  it('a delivery that loses the claim reads the fleet health first: the circuit closed elsewhere a moment ago, so it goes', () => {
    let fleet: readonly IntegrationHealth[] = []
    const { monitor, calls, theirs } = openedElsewhere(
      () => 'lost',
      () => fleet,
    )
    vi.advanceTimersByTime(1)
    expect(monitor.admit(KEY, 'dlv_new')).toBe(false)
    // The probe's process closed the circuit and replays; its notice has not arrived yet.
    fleet = [theirs({ circuit: 'closed', circuitChangedAt: Date.now() })]
    expect(monitor.admit(KEY, 'dlv_replayed')).toBe(true)
    expect(calls).toContain('integrationResumed')
    expect(calls.some((call) => call.startsWith('replay:'))).toBe(false)
  })

  it('sends no probe while the store cannot answer the claim, and asks again at the next timer', () => {
    let reachable = false
    const { monitor, claims } = openedElsewhere(() => {
      if (!reachable) throw new Error('Redis is down')
      return 'claimed'
    })
    vi.advanceTimersByTime(1)
    expect(claims).toEqual([false])
    expect(monitor.admit(KEY, 'dlv_new')).toBe(false)
    reachable = true
    vi.advanceTimersByTime(1000)
    expect(claims).toEqual([false, true])
  })
})
