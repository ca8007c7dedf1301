import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { EventRouter, webhookAdapter } from '../../src/index.js'
import { MockTransport } from '../../src/testing/index.js'
import { apiAdapter, coinsRewarded } from '../factories.js'

const START = Date.parse('2026-12-01T10:00:00.000Z')

beforeEach(() => {
  // performance.now() too: attempt latencies are measured with it.
  vi.useFakeTimers({
    now: START,
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'],
  })
})
afterEach(() => {
  vi.useRealTimers()
})

function routerWith(transport: MockTransport) {
  const router = new EventRouter({
    adapters: [webhookAdapter(), apiAdapter],
    transport,
    retry: { retries: 0 },
    circuitBreaker: { failureThreshold: 2, coolDownMs: 60_000, replayParked: false },
  })
  router.integrations.add({
    id: 'crm',
    type: 'webhook',
    config: { url: 'https://crm.example/hooks', signing: false },
  })
  router.subscriptions.create({ event: 'wallet.coins_rewarded', integrationId: 'crm' })
  return router
}

const crm = (router: EventRouter) => router.stats().integrations.find((item) => item.integrationId === 'crm')

describe('router.stats()', () => {
  it('counts pending and in-flight deliveries while they run, then outcomes in the last minute and hour', async () => {
    const transport = new MockTransport().respondWith({ status: 200, delayMs: 100 })
    const router = routerWith(transport)
    expect(crm(router)).toEqual({
      integrationId: 'crm',
      tenant: null,
      type: 'webhook',
      enabled: true,
      pending: 0,
      inFlight: 0,
      lastMinute: { succeeded: 0, failed: 0 },
      lastHour: { succeeded: 0, failed: 0 },
      latencyMs: { p50: null, p95: null, p99: null },
      circuit: 'closed',
      pausedUntil: null,
    })
    for (let index = 0; index < 3; index++) router.emit('wallet.coins_rewarded', coinsRewarded())
    expect(crm(router)?.pending).toBe(3)
    await vi.advanceTimersByTimeAsync(10)
    expect(crm(router)).toMatchObject({ pending: 3, inFlight: 3 })
    await vi.advanceTimersByTimeAsync(100)
    await router.onIdle()
    expect(crm(router)).toMatchObject({
      pending: 0,
      inFlight: 0,
      lastMinute: { succeeded: 3, failed: 0 },
      lastHour: { succeeded: 3, failed: 0 },
    })
    // The 100 ms answers, read from a logarithmic histogram: within 5 %.
    const latency = crm(router)?.latencyMs
    for (const value of [latency?.p50, latency?.p95, latency?.p99]) {
      expect(value).toBeGreaterThan(95)
      expect(value).toBeLessThan(105)
    }
    expect(router.stats().at).toBe(new Date(Date.now()).toISOString())

    // A minute later they have left the last minute, not the last hour; an hour later, both.
    await vi.advanceTimersByTimeAsync(61_000)
    expect(crm(router)).toMatchObject({ lastMinute: { succeeded: 0 }, lastHour: { succeeded: 3 } })
    expect(crm(router)?.latencyMs.p50).not.toBeNull()
    await vi.advanceTimersByTimeAsync(5 * 60_000)
    expect(crm(router)?.latencyMs).toEqual({ p50: null, p95: null, p99: null })
    await vi.advanceTimersByTimeAsync(60 * 60_000)
    expect(crm(router)).toMatchObject({ lastMinute: { succeeded: 0 }, lastHour: { succeeded: 0 } })
    await router.close()
  })

  it('shows failures, an open circuit and a throttling pause', async () => {
    const transport = new MockTransport()
    transport.failTimes(2, 500)
    const router = routerWith(transport)
    await router.emit('wallet.coins_rewarded', coinsRewarded()).settled
    await router.emit('wallet.coins_rewarded', coinsRewarded()).settled
    expect(crm(router)).toMatchObject({ lastMinute: { succeeded: 0, failed: 2 }, circuit: 'open' })

    const throttled = new MockTransport()
    throttled.failTimes(1, { status: 429, headers: { 'retry-after': '30' } })
    const paced = new EventRouter({
      adapters: [webhookAdapter()],
      transport: throttled,
      retry: { retries: 1 },
    })
    paced.integrations.add({
      id: 'crm',
      type: 'webhook',
      config: { url: 'https://crm.example/hooks', signing: false },
    })
    paced.subscriptions.create({ event: 'wallet.coins_rewarded', integrationId: 'crm' })
    paced.emit('wallet.coins_rewarded', coinsRewarded())
    await vi.advanceTimersByTimeAsync(10)
    expect(crm(paced)?.pausedUntil).toBe(new Date(Date.now() - 10 + 30_000).toISOString())
    await vi.advanceTimersByTimeAsync(31_000)
    expect(crm(paced)).toMatchObject({ pausedUntil: null, lastMinute: { succeeded: 1, failed: 0 } })
    await router.close()
    await paced.close({ timeoutMs: 0 })
  })

  it('is scoped like the rest of the API: a tenant sees its own integrations, the platform its own', async () => {
    const router = routerWith(new MockTransport())
    router
      .tenant('acme')
      .integrations.add({ id: 'crm', type: 'api', config: { url: 'https://acme.example/in' } })
    router.tenant('acme').subscriptions.create({ event: 'wallet.coins_rewarded', integrationId: 'crm' })
    await router.tenant('acme').emit('wallet.coins_rewarded', coinsRewarded()).settled
    expect(router.stats().integrations.map((item) => [item.tenant, item.integrationId])).toEqual([
      [null, 'crm'],
    ])
    const acme = router.tenant('acme').stats().integrations
    expect(acme.map((item) => [item.tenant, item.integrationId, item.type])).toEqual([['acme', 'crm', 'api']])
    // Each tenant's figures are its own, though the two integrations share an id.
    expect(acme[0]?.lastMinute).toEqual({ succeeded: 1, failed: 0 })
    expect(crm(router)?.lastMinute).toEqual({ succeeded: 1, failed: 0 })
    expect(router.tenant('other').stats().integrations).toEqual([])
    // Plain JSON.
    expect(JSON.parse(JSON.stringify(router.stats()))).toEqual(router.stats())
    // A removed integration is forgotten.
    router
      .tenant('acme')
      .subscriptions.list()
      .forEach((sub) => {
        router.tenant('acme').subscriptions.remove(sub.id)
      })
    router.tenant('acme').integrations.remove('crm')
    expect(router.tenant('acme').stats().integrations).toEqual([])
    await router.close()
  })
})
