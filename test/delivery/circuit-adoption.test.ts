import { describe, expect, it } from 'vitest'
import { adoptHealth } from '../../src/delivery/circuit-adoption.js'
import { healthyRecord } from '../../src/delivery/circuit-breaker.js'
import type { IntegrationHealth } from '../../src/index.js'

const NOW = Date.UTC(2026, 11, 3, 7)
const closed: IntegrationHealth = { ...healthyRecord('crm', null), configFingerprint: 'f1' }
const open = (changedAt: number, probeAt = changedAt + 1000): IntegrationHealth => ({
  ...closed,
  circuit: 'open',
  consecutiveFailures: 5,
  probeAt,
  circuitChangedAt: changedAt,
})

describe('adoptHealth', () => {
  it('the circuit state with the later change wins; a half-open circuit elsewhere is open here', () => {
    expect(adoptHealth(closed, open(NOW), NOW)).toMatchObject({ change: 'suspended', health: open(NOW) })
    expect(
      adoptHealth(undefined, { ...open(NOW), circuit: 'half-open', probeDeliveryId: 'dlv_1' }, NOW),
    ).toEqual({
      change: 'suspended',
      health: open(NOW),
    })
    const reclosed = { ...closed, circuitChangedAt: NOW + 5 }
    expect(adoptHealth(open(NOW), reclosed, NOW)).toEqual({ change: 'resumed', health: reclosed })
    expect(adoptHealth(open(NOW), open(NOW + 2000), NOW)).toEqual({
      change: 'rescheduled',
      health: open(NOW + 2000),
    })
  })

  it('an older state elsewhere is outdated; the same state, or a probe of ours running, changes nothing', () => {
    expect(adoptHealth(open(NOW), closed, NOW)).toEqual({ change: 'outdated' })
    expect(adoptHealth({ ...closed, circuitChangedAt: NOW }, open(NOW - 1), NOW)).toEqual({
      change: 'outdated',
    })
    expect(adoptHealth(open(NOW), open(NOW), NOW)).toBeUndefined()
    const probing: IntegrationHealth = { ...open(NOW), circuit: 'half-open', probeDeliveryId: 'dlv_mine' }
    expect(adoptHealth(probing, open(NOW + 10), NOW)).toBeUndefined()
    expect(adoptHealth(probing, closed, NOW)).toBeUndefined()
  })

  it('takes a pause that ends later than ours, and only one that has not ended', () => {
    const paused = { ...closed, pausedUntil: NOW + 30_000 }
    expect(adoptHealth(closed, paused, NOW)).toEqual({ change: 'pause', health: paused })
    expect(adoptHealth(paused, { ...closed, pausedUntil: NOW + 10_000 }, NOW)).toBeUndefined()
    expect(adoptHealth(closed, { ...closed, pausedUntil: NOW - 1 }, NOW)).toBeUndefined()
  })
})
