import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { DEFAULT_CIRCUIT_BREAKER } from '../../src/delivery/circuit-breaker.js'
import type { DeliveryResult } from '../../src/delivery/delivery.js'
import { HealthMonitor, type HealthMonitorDeps } from '../../src/delivery/health-monitor.js'
import type { IntegrationHealth, StoreOperation } from '../../src/index.js'
import type { IntegrationRecord } from '../../src/integrations/integration-registry.js'

/** The platform's integration `crm`, as the router keys it (`scopedKey(null, 'crm')`). */
const KEY = '/crm'
const CRM = {
  tenant: null,
  key: KEY,
  integration: { id: 'crm', enabled: true, config: { url: 'https://crm.example/hooks' } },
} as unknown as IntegrationRecord

/**
 * What a fleet store's `countFailures` does (`Store.countFailures`): one count per integration,
 * shared by every monitor (process) made with it. `down`: the store is unreachable, calls throw.
 */
function fleetStore() {
  const counts = new Map<string, number>()
  const calls: string[] = []
  const state = { down: false }
  const countFailures = (key: string, outcome: 'failing' | 'healthy'): number => {
    calls.push(`${outcome}:${key}`)
    if (state.down) throw new Error('Redis is down')
    const count = outcome === 'failing' ? (counts.get(key) ?? 0) + 1 : 0
    counts.set(key, count)
    return count
  }
  return { countFailures, counts, calls, state }
}

/** A process's monitor of integration `crm`, threshold 4; on the fleet's counter when given one. */
function processOn(fleet?: ReturnType<typeof fleetStore>) {
  const events: string[] = []
  const written: StoreOperation[] = []
  const deps: HealthMonitorDeps = {
    circuitBreaker: { ...DEFAULT_CIRCUIT_BREAKER, failureThreshold: 4, coolDownMs: 1000 },
    notify: ((event: string, payload: { consecutiveFailures?: number }) => {
      events.push(
        payload.consecutiveFailures === undefined ? event : `${event}:${payload.consecutiveFailures}`,
      )
    }) as HealthMonitorDeps['notify'],
    persist: (operations) => {
      written.push(...operations)
    },
    integration: (key) => (key === KEY ? CRM : undefined),
    disable: () => {},
    parkWaiting: () => {},
    replayParked: () => {},
    probeParked: () => {},
    ...(fleet === undefined ? {} : { countFailures: fleet.countFailures }),
    now: Date.now,
  }
  const monitor = new HealthMonitor(deps)
  let sequence = 0
  const outcome = (status: 'succeeded' | 'failed'): DeliveryResult => {
    const delivery = { id: `dlv_${++sequence}`, tenant: null, integrationId: 'crm' }
    return (status === 'succeeded'
      ? { status, delivery, responseStatus: 200 }
      : {
          status,
          delivery,
          reason: 'retries_exhausted',
          error: { status: 500, disablesIntegration: false },
        }) as unknown as DeliveryResult
  }
  return {
    monitor,
    events,
    written,
    fail: (times = 1) => {
      for (let index = 0; index < times; index++) monitor.settled(outcome('failed'))
    },
    succeed: () => monitor.settled(outcome('succeeded')),
    circuit: () => monitor.healthOf(KEY)?.circuit ?? 'closed',
    /** A health record of `crm` as another process would write it (same config). */
    theirs(changes: Partial<IntegrationHealth>): IntegrationHealth {
      monitor.throttled(KEY, 1)
      const ours = (written.pop() as Extract<StoreOperation, { type: 'putHealth' }>).health
      return { ...ours, pausedUntil: null, ...changes }
    },
  }
}

beforeEach(() => {
  vi.useFakeTimers({ now: Date.UTC(2026, 11, 4, 8) })
})
afterEach(() => {
  vi.useRealTimers()
})

describe('HealthMonitor failure count in a fleet (Store.countFailures)', () => {
  it('F01 two processes failing 2 times each open the circuit at the fleet’s 4th failure, with the fleet’s count', () => {
    const fleet = fleetStore()
    const a = processOn(fleet)
    const b = processOn(fleet)
    a.fail(2)
    b.fail(1)
    expect([a.circuit(), b.circuit()]).toEqual(['closed', 'closed'])
    b.fail(1)
    expect(b.circuit()).toBe('open')
    expect(b.events).toEqual(['integrationSuspended:4'])
    expect(b.written.at(-1)).toMatchObject({
      type: 'putHealth',
      health: { circuit: 'open', consecutiveFailures: 4 },
    })
    expect(fleet.counts.get(KEY)).toBe(4)
  })

  it('F02 without countFailures each process counts alone, as before: 2 + 2 failures open nothing, 4 in one process do', () => {
    const a = processOn()
    const b = processOn()
    a.fail(2)
    b.fail(2)
    expect([a.circuit(), b.circuit()]).toEqual(['closed', 'closed'])
    a.fail(2)
    expect(a.circuit()).toBe('open')
    expect(a.events).toEqual(['integrationSuspended:4'])
  })

  it('F03 a success resets the fleet count only when it may be non-zero: no store call for a healthy integration', () => {
    const fleet = fleetStore()
    const a = processOn(fleet)
    a.succeed()
    a.succeed()
    expect(fleet.calls).toEqual([])
    a.fail()
    a.succeed()
    a.succeed()
    expect(fleet.calls).toEqual([`failing:${KEY}`, `healthy:${KEY}`])
    expect(fleet.counts.get(KEY)).toBe(0)
  })

  it('F04 a success in another process resets the count this one built up: its next failure is the first again', () => {
    const fleet = fleetStore()
    const a = processOn(fleet)
    const b = processOn(fleet)
    a.fail(3)
    // B learns of A's failures from the health record A wrote (the store's notice), then succeeds.
    b.monitor.adopt([b.theirs({ consecutiveFailures: 3 })])
    b.succeed()
    expect(fleet.counts.get(KEY)).toBe(0)
    a.fail()
    expect(a.circuit()).toBe('closed')
    expect(a.monitor.healthOf(KEY)?.consecutiveFailures).toBe(1)
  })

  it('F05 a record read at start() with failures counted makes the first success reset the count; one without does not', () => {
    const fleet = fleetStore()
    const a = processOn(fleet)
    a.monitor.load([a.theirs({ consecutiveFailures: 0 })])
    a.succeed()
    expect(fleet.calls).toEqual([])
    const b = processOn(fleet)
    fleet.counts.set(KEY, 2)
    b.monitor.load([b.theirs({ consecutiveFailures: 2 })])
    b.succeed()
    expect(fleet.calls).toEqual([`healthy:${KEY}`])
    expect(fleet.counts.get(KEY)).toBe(0)
  })

  it('F06 the probe that closes the circuit resets the count, even in a process that counted nothing', () => {
    const fleet = fleetStore()
    const a = processOn(fleet)
    a.monitor.adopt([
      a.theirs({
        circuit: 'open',
        consecutiveFailures: 0,
        probeAt: Date.now() + 1000,
        circuitChangedAt: Date.now(),
      }),
    ])
    fleet.counts.set(KEY, 4)
    vi.advanceTimersByTime(1000)
    expect(a.monitor.admit(KEY, 'dlv_probe')).toBe(true)
    a.monitor.settled({
      status: 'succeeded',
      delivery: { id: 'dlv_probe', tenant: null, integrationId: 'crm' },
      responseStatus: 200,
    } as unknown as DeliveryResult)
    expect(a.circuit()).toBe('closed')
    expect(fleet.calls).toEqual([`healthy:${KEY}`])
    expect(fleet.counts.get(KEY)).toBe(0)
  })

  it('F07 while the store cannot answer, the process’s own failures judge the circuit, and the reset is owed until it answers', () => {
    const fleet = fleetStore()
    const a = processOn(fleet)
    fleet.counts.set(KEY, 3)
    fleet.state.down = true
    a.fail()
    // One failure of its own, not the fleet's 3 + 1: closed.
    expect(a.circuit()).toBe('closed')
    a.succeed()
    expect(fleet.calls).toEqual([`failing:${KEY}`, `healthy:${KEY}`])
    fleet.state.down = false
    // The reset failed: the next success makes it, then successes cost nothing again.
    a.succeed()
    a.succeed()
    expect(fleet.calls).toEqual([`failing:${KEY}`, `healthy:${KEY}`, `healthy:${KEY}`])
    expect(fleet.counts.get(KEY)).toBe(0)
    fleet.state.down = true
    a.fail(3)
    expect(a.circuit()).toBe('closed')
    a.fail()
    expect(a.circuit()).toBe('open')
    expect(a.events).toEqual(['integrationSuspended:4'])
  })

  it('F08 failures while the circuit is open are not counted by the fleet', () => {
    const fleet = fleetStore()
    const a = processOn(fleet)
    a.fail(4)
    expect(a.circuit()).toBe('open')
    a.fail(2)
    expect(fleet.counts.get(KEY)).toBe(4)
    expect(fleet.calls.filter((call) => call.startsWith('failing:'))).toHaveLength(4)
  })
})
