import { afterEach, describe, expect, it, vi } from 'vitest'
import type { DeliveryResult, IntegrationSuspended } from '../../src/index.js'
import { MockTransport } from '../../src/testing/index.js'
import { createRouter, INSTANT_RETRY } from '../factories.js'

function setup(
  options: { failureThreshold?: number; coolDownMs?: number; replayParked?: boolean } = {},
  // `api` keeps the default classification, where a 4xx is final (the webhook adapter retries it).
  type: 'webhook' | 'api' = 'webhook',
) {
  const transport = new MockTransport()
  const { router } = createRouter({
    transport,
    retry: { ...INSTANT_RETRY, retries: 1 },
    circuitBreaker: { failureThreshold: 2, coolDownMs: 1000, replayParked: false, ...options },
  })
  router.integrations.add({
    id: 'down',
    type,
    config:
      type === 'webhook'
        ? { url: 'https://down.example/', signing: false }
        : { url: 'https://down.example/' },
  })
  router.subscriptions.create({ event: 'a.b', integrationId: 'down' })
  const events: string[] = []
  const suspended: IntegrationSuspended[] = []
  router.on('integrationSuspended', (event) => {
    events.push(`suspended:${event.integrationId}`)
    suspended.push(event)
  })
  router.on('integrationResumed', ({ integrationId }) => {
    events.push(`resumed:${integrationId}`)
  })
  const sent = () => transport.requests.filter((r) => r.url.startsWith('https://down')).length
  return { router, transport, events, suspended, sent }
}

const emitOne = async (router: ReturnType<typeof setup>['router']) =>
  (await router.emit('a.b', {}).settled)[0] as DeliveryResult

describe('circuit breaker', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('opens after failureThreshold exhausted deliveries and parks the next ones as dead letters', async () => {
    const { router, transport, events, suspended, sent } = setup()
    transport.when('https://down.example').respondWith(503)
    expect(await emitOne(router)).toMatchObject({ reason: 'retries_exhausted' })
    expect(events).toEqual([])
    expect(await emitOne(router)).toMatchObject({ reason: 'retries_exhausted' })
    expect(events).toEqual(['suspended:down'])
    expect(suspended[0]).toMatchObject({ consecutiveFailures: 2, probeAt: expect.any(Number) })
    expect(sent()).toBe(4)

    const parked = await emitOne(router)
    expect(parked).toMatchObject({ status: 'failed', reason: 'circuit_open', attempts: 0, history: [] })
    expect(parked.status === 'failed' && parked.error.code).toBe('ERR_CIRCUIT_OPEN')
    expect(sent()).toBe(4)
    const letters = await router.deadLetters.list({ integrationId: 'down' })
    expect(letters.map((letter) => letter.reason)).toEqual([
      'retries_exhausted',
      'retries_exhausted',
      'circuit_open',
    ])
    // Other integrations are not affected.
    router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
    const results = await router.emit('a.b', {}).settled
    expect(results.map((r) => r.status)).toEqual(['failed', 'succeeded'])
    await router.close()
  })

  it('after the cool-down lets one probe through; its success resumes the integration', async () => {
    vi.useFakeTimers()
    const { router, transport, events, sent } = setup()
    transport.when('https://down.example').failTimes(4, 503).respondWith(200)
    await Promise.all([router.emit('a.b', {}).settled, vi.runAllTimersAsync()])
    await Promise.all([router.emit('a.b', {}).settled, vi.runAllTimersAsync()])
    expect(events).toEqual(['suspended:down'])
    await vi.advanceTimersByTimeAsync(999)
    expect(await emitOne(router)).toMatchObject({ reason: 'circuit_open' })
    await vi.advanceTimersByTimeAsync(1)
    const probe = router.emit('a.b', {})
    const other = router.emit('a.b', {})
    const [probeResult] = await probe.settled
    const [otherResult] = await other.settled
    expect(probeResult).toMatchObject({ status: 'succeeded' })
    // Sent while the probe was out: parked, not attempted.
    expect(otherResult).toMatchObject({ reason: 'circuit_open' })
    expect(events).toEqual(['suspended:down', 'resumed:down'])
    expect(await emitOne(router)).toMatchObject({ status: 'succeeded' })
    expect(sent()).toBe(6)
    await router.close()
  })

  it('with replayParked (the default), probes with the oldest parked delivery and replays the rest on resume', async () => {
    vi.useFakeTimers()
    const { router, transport, events, sent } = setup({ replayParked: true })
    const down = transport.when('https://down.example').respondWith(503)
    // Retries without delay: no timer runs, so the cool-down has not started to elapse.
    await emitOne(router)
    await emitOne(router)
    expect(events).toEqual(['suspended:down'])
    const parked = [await emitOne(router), await emitOne(router), await emitOne(router)]
    expect(parked.map((r) => r.status === 'failed' && r.reason)).toEqual([
      'circuit_open',
      'circuit_open',
      'circuit_open',
    ])
    expect(await router.deadLetters.list({ reason: 'circuit_open' })).toHaveLength(3)
    down.respondWith(200)
    const replayed: string[] = []
    router.on('deliverySucceeded', (result) => {
      replayed.push(result.delivery.id)
    })
    // No new event: after the cool-down the oldest parked delivery is the probe.
    await vi.advanceTimersByTimeAsync(1000)
    await router.onIdle()
    await vi.runAllTimersAsync()
    await router.onIdle()
    expect(events).toEqual(['suspended:down', 'resumed:down'])
    expect(replayed[0]).toBe(parked[0]?.delivery.id)
    expect(new Set(replayed)).toEqual(new Set(parked.map((r) => r.delivery.id)))
    expect(await router.deadLetters.list({ reason: 'circuit_open' })).toEqual([])
    // The exhausted ones are not replayed: they failed on their own account.
    expect((await router.deadLetters.list()).map((l) => l.reason)).toEqual([
      'retries_exhausted',
      'retries_exhausted',
    ])
    expect(sent()).toBe(4 + 3)
    await router.close()
  })

  it('resets when the integration config is edited: resumes at once and replays what it parked', async () => {
    const { router, transport, events } = setup({ replayParked: true, coolDownMs: 3_600_000 })
    transport.when('https://down.example').respondWith(503)
    await emitOne(router)
    await emitOne(router)
    const parked = await emitOne(router)
    expect(parked).toMatchObject({ reason: 'circuit_open' })
    const delivered: string[] = []
    router.on('deliverySucceeded', (result) => {
      delivered.push(result.delivery.id)
    })
    // A name change is not a fix: the circuit stays open.
    router.integrations.update('down', { name: 'Down' })
    expect(events).toEqual(['suspended:down'])
    router.integrations.update('down', { config: { url: 'https://fixed.example/' } })
    expect(events).toEqual(['suspended:down', 'resumed:down'])
    await vi.waitFor(() => expect(delivered).toEqual([parked.delivery.id]))
    expect(transport.requests.at(-1)?.url).toBe('https://fixed.example/')
    expect(await router.deadLetters.list({ reason: 'circuit_open' })).toEqual([])
    expect(await emitOne(router)).toMatchObject({ status: 'succeeded' })
    await router.close()
  })

  it('opens again when the probe fails', async () => {
    vi.useFakeTimers()
    const { router, transport, events } = setup({ failureThreshold: 1 })
    transport.when('https://down.example').respondWith(503)
    await Promise.all([router.emit('a.b', {}).settled, vi.runAllTimersAsync()])
    await vi.advanceTimersByTimeAsync(1000)
    await Promise.all([router.emit('a.b', {}).settled, vi.runAllTimersAsync()])
    expect(events).toEqual(['suspended:down', 'suspended:down'])
    await router.close()
  })

  it('is not tripped by final 4xx answers (the destination is up) and can be turned off', async () => {
    const { router, transport, events } = setup({ failureThreshold: 1 }, 'api')
    transport.when('https://down.example').respondWith(400)
    for (let i = 0; i < 3; i++) expect(await emitOne(router)).toMatchObject({ reason: 'not_retryable' })
    expect(events).toEqual([])
    await router.close()

    const off = createRouter({ retry: { ...INSTANT_RETRY, retries: 0 }, circuitBreaker: false })
    off.transport.respondWith(503)
    off.router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
    for (let i = 0; i < 8; i++) await off.router.emit('a.b', {}).settled
    expect(off.transport.requests).toHaveLength(8)
    await off.router.close()
  })

  it('parks deliveries already queued for the integration when the circuit opens', async () => {
    const { router, transport } = setup({ failureThreshold: 1 })
    router.integrations.update('down', { pacing: { concurrency: 1 } })
    transport.when('https://down.example').respondWith(503)
    const receipts = Array.from({ length: 5 }, () => router.emit('a.b', {}))
    const results = (await Promise.all(receipts.map((r) => r.settled))).flat()
    const reasons = results.map((r) => r.status === 'failed' && r.reason)
    // Retries queue behind the first attempts; the retry of #2 may already be in flight
    // when #1's outcome opens the circuit. Everything still queued then is parked.
    expect(reasons[0]).toBe('retries_exhausted')
    expect(reasons.slice(2)).toEqual(['circuit_open', 'circuit_open', 'circuit_open'])
    expect(transport.requests.length).toBeLessThanOrEqual(7)
    await router.close()
  })
})

describe('410 Gone', () => {
  it('disables the webhook integration at once, says why, and parks what was queued for it', async () => {
    const transport = new MockTransport()
    transport.when('https://gone.example').respondWith(410)
    const { router } = createRouter({ transport })
    router.integrations.add({
      id: 'gone',
      type: 'webhook',
      config: { url: 'https://gone.example/', signing: false },
      pacing: { concurrency: 1 },
    })
    router.subscriptions.create({ event: 'a.b', integrationId: 'gone' })
    const disabled: unknown[] = []
    router.on('integrationDisabled', (event) => {
      disabled.push(event)
    })
    const first = router.emit('a.b', {})
    const second = router.emit('a.b', {})
    const [firstResult] = await first.settled
    const [secondResult] = await second.settled
    expect(firstResult).toMatchObject({ status: 'failed', reason: 'not_retryable', attempts: 1 })
    expect(secondResult).toMatchObject({ status: 'failed', reason: 'integration_disabled', attempts: 0 })
    expect(disabled).toEqual([
      {
        integrationId: 'gone',
        tenant: null,
        reason: expect.stringContaining('410'),
        deliveryId: firstResult?.delivery.id,
      },
    ])
    expect(router.integrations.get('gone')).toMatchObject({
      enabled: false,
      disabledReason: expect.stringContaining('no longer exists'),
    })
    expect(router.emit('a.b', {}).deliveries).toHaveLength(0)
    expect(transport.requests).toHaveLength(1)
    // Enabling it again clears the reason.
    expect(router.integrations.enable('gone').disabledReason).toBeNull()
    await router.close()
  })
})
