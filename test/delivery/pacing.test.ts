import { afterEach, describe, expect, it, vi } from 'vitest'
import { z } from 'zod'
import {
  defineAdapter,
  EventRouter,
  klaviyoAdapter,
  type Transport,
  type TransportResponse,
  webhookAdapter,
} from '../../src/index.js'
import { MockTransport } from '../../src/testing/index.js'
import { createRouter, INSTANT_RETRY } from '../factories.js'

/** A transport that answers 200 when told to, and counts what is in flight. */
function gatedTransport() {
  const waiting: (() => void)[] = []
  const stats = { inFlight: 0, maxInFlight: 0, sent: 0, byHost: new Map<string, number>() }
  const transport: Transport = {
    send(request) {
      stats.sent++
      stats.inFlight++
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight)
      const host = new URL(request.url).host
      stats.byHost.set(host, (stats.byHost.get(host) ?? 0) + 1)
      return new Promise<TransportResponse>((resolve) => {
        waiting.push(() => {
          stats.inFlight--
          resolve({ status: 200, headers: {}, body: '' })
        })
      })
    },
  }
  const releaseAll = () => {
    for (const release of waiting.splice(0)) release()
  }
  return { transport, stats, releaseAll }
}

describe('pacing', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('keeps at most `concurrency` attempts in flight per integration (default 16)', async () => {
    const { transport, stats, releaseAll } = gatedTransport()
    const router = new EventRouter({ adapters: [webhookAdapter()], transport, retry: INSTANT_RETRY })
    router.integrations.add({
      id: 'crm',
      type: 'webhook',
      config: { url: 'https://crm.example/', signing: false },
    })
    router.integrations.add({
      id: 'slow',
      type: 'webhook',
      config: { url: 'https://slow.example/', signing: false },
      pacing: { concurrency: 2 },
    })
    router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
    router.subscriptions.create({ event: 'a.b', integrationId: 'slow' })
    for (let i = 0; i < 40; i++) router.emit('a.b', {})
    await vi.waitFor(() => expect(stats.sent).toBe(18))
    expect(stats.byHost.get('crm.example')).toBe(16)
    expect(stats.byHost.get('slow.example')).toBe(2)
    while (stats.sent < 80) {
      releaseAll()
      await new Promise((resolve) => setImmediate(resolve))
    }
    releaseAll()
    await router.onIdle()
    expect(stats.maxInFlight).toBeLessThanOrEqual(18)
    await router.close()
  })

  it('starts at most `perSecond` attempts in any rolling second', async () => {
    vi.useFakeTimers()
    const transport = new MockTransport()
    const { router } = createRouter({ transport })
    router.integrations.update('crm', { pacing: { perSecond: 3 } })
    router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
    for (let i = 0; i < 10; i++) router.emit('a.b', {})
    await vi.advanceTimersByTimeAsync(10)
    expect(transport.requests).toHaveLength(3)
    await vi.advanceTimersByTimeAsync(1000)
    expect(transport.requests).toHaveLength(6)
    await vi.advanceTimersByTimeAsync(2000)
    expect(transport.requests).toHaveLength(10)
    const starts = transport.requests.map((r) => r.receivedAt)
    for (let i = 3; i < starts.length; i++) {
      expect((starts[i] as number) - (starts[i - 3] as number)).toBeGreaterThanOrEqual(1000)
    }
    await router.close()
  })

  it('starts at most `perMinute` attempts in any rolling minute, on top of perSecond', async () => {
    vi.useFakeTimers()
    const transport = new MockTransport()
    const { router } = createRouter({ transport })
    router.integrations.update('crm', { pacing: { perSecond: 2, perMinute: 5 } })
    router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
    for (let i = 0; i < 7; i++) router.emit('a.b', {})
    await vi.advanceTimersByTimeAsync(30_000)
    expect(transport.requests).toHaveLength(5)
    await vi.advanceTimersByTimeAsync(31_000)
    expect(transport.requests).toHaveLength(7)
    await router.close()
  })

  it("uses the adapter's published limits unless the integration overrides or removes them", async () => {
    vi.useFakeTimers()
    const transport = new MockTransport({ status: 202 })
    const router = new EventRouter({ adapters: [klaviyoAdapter()], transport, retry: INSTANT_RETRY })
    const apiKey = 'pk_0123456789abcdef0123456789abcdef01'
    // One request per delivery (Create Event's limits): batching, on by default, is switched off.
    const single = { enabled: false }
    router.integrations.add({
      id: 'k',
      type: 'klaviyo',
      config: { apiKey, baseUrl: 'https://k.example' },
      batching: single,
    })
    router.integrations.add({
      id: 'k-fast',
      type: 'klaviyo',
      config: { apiKey, baseUrl: 'https://fast.example' },
      pacing: { perSecond: null, perMinute: null },
      batching: single,
    })
    router.subscriptions.create({ event: 'a.b', integrationId: 'k' })
    router.subscriptions.create({ event: 'a.b', integrationId: 'k-fast' })
    expect(router.integrations.get('k')?.pacing).toBeNull()
    const sentTo = (origin: string) => transport.requests.filter((r) => r.url.startsWith(origin)).length
    for (let i = 0; i < 400; i++) router.emit('a.b', { customer: { email: `c${i}@example.com` } })
    await vi.advanceTimersByTimeAsync(100)
    // Klaviyo's burst limit, 350 per second, for `k`; no limit for `k-fast`.
    expect(sentTo('https://k.example')).toBe(350)
    expect(sentTo('https://fast.example')).toBe(400)
    await vi.advanceTimersByTimeAsync(1000)
    expect(sentTo('https://k.example')).toBe(400)
    await router.close()
  })

  it('rejects bad pacing, naming the field, and changes nothing', () => {
    const { router } = createRouter()
    const before = router.toJSON({ includeSecrets: true })
    expect(() => router.integrations.update('crm', { pacing: { concurrency: 0 } })).toThrow(
      expect.objectContaining({ code: 'ERR_VALIDATION', field: 'pacing.concurrency' }),
    )
    expect(() =>
      router.integrations.add({
        id: 'x',
        type: 'webhook',
        config: { url: 'https://x.example/', signing: false },
        pacing: { perHour: 1 } as never,
      }),
    ).toThrow(expect.objectContaining({ code: 'ERR_VALIDATION' }))
    expect(() => router.integrations.update('crm', { pacing: { perSecond: 1.5 } })).toThrow(
      expect.objectContaining({ field: 'pacing.perSecond' }),
    )
    expect(router.toJSON({ includeSecrets: true })).toEqual(before)
  })

  it('keeps pacing in snapshots', () => {
    const { router } = createRouter()
    router.integrations.update('crm', { pacing: { concurrency: 4, perMinute: 100 } })
    const copy = EventRouter.fromJSON(router.toJSON({ includeSecrets: true }), {
      adapters: [webhookAdapter()],
      transport: new MockTransport(),
    })
    expect(copy.integrations.get('crm')?.pacing).toEqual({ concurrency: 4, perMinute: 100 })
  })
})

describe('throttling (429)', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it("pauses only that integration's queue for Retry-After", async () => {
    vi.useFakeTimers()
    const transport = new MockTransport()
    transport.when('https://busy.example').enqueue({ status: 429, headers: { 'retry-after': '10' } })
    const { router } = createRouter({ transport, retry: { ...INSTANT_RETRY, maxTimeout: 60_000 } })
    router.integrations.add({
      id: 'busy',
      type: 'webhook',
      config: { url: 'https://busy.example/', signing: false },
    })
    router.subscriptions.create({ event: 'a.b', integrationId: 'busy' })
    router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
    const throttled: unknown[] = []
    router.on('integrationThrottled', (event) => {
      throttled.push(event)
    })
    router.emit('a.b', {})
    await vi.advanceTimersByTimeAsync(1)
    router.emit('a.b', {})
    await vi.advanceTimersByTimeAsync(1000)
    const busy = () => transport.requests.filter((r) => r.url.startsWith('https://busy')).length
    const crm = () => transport.requests.filter((r) => r.url.startsWith('https://crm')).length
    expect(busy()).toBe(1)
    expect(crm()).toBe(2)
    await vi.advanceTimersByTimeAsync(9000)
    expect(busy()).toBe(3)
    expect(throttled).toEqual([{ integrationId: 'busy', tenant: null, pauseMs: 10_000 }])
    await router.onIdle()
    await router.close()
  })

  it('does not use up retries on throttled answers, up to throttledRetries', async () => {
    const transport = new MockTransport()
    transport.enqueue(429, 429, 429, 429, 503, 200)
    const { router } = createRouter({
      transport,
      retry: { ...INSTANT_RETRY, retries: 1, throttledRetries: 4 },
    })
    router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
    const [result] = await router.emit('a.b', {}).settled
    expect(result).toMatchObject({ status: 'succeeded', attempts: 6 })
    await router.close()
  })

  it('counts throttled answers as retries beyond throttledRetries', async () => {
    const transport = new MockTransport(429)
    const { router } = createRouter({
      transport,
      retry: { ...INSTANT_RETRY, retries: 2, throttledRetries: 3 },
    })
    router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
    const [result] = await router.emit('a.b', {}).settled
    expect(result).toMatchObject({ status: 'failed', reason: 'retries_exhausted', attempts: 6 })
    await router.close()
  })

  it('lets an adapter say a 429 is not throttling', async () => {
    const strict = defineAdapter({
      type: 'strict',
      configSchema: z.object({}),
      buildRequest: () => ({ method: 'POST', url: 'https://strict.example/', headers: {}, body: '{}' }),
      classifyResponse: (response) =>
        response.status === 429
          ? { outcome: 'retry', reason: 'busy', throttled: false }
          : { outcome: 'success' },
    })
    const transport = new MockTransport(429)
    const router = new EventRouter({
      adapters: [strict],
      transport,
      retry: { ...INSTANT_RETRY, retries: 2, throttledRetries: 10 },
    })
    router.integrations.add({ id: 's', type: 'strict', config: {} })
    router.subscriptions.create({ event: 'a.b', integrationId: 's' })
    const [result] = await router.emit('a.b', {}).settled
    expect(result).toMatchObject({ status: 'failed', reason: 'retries_exhausted', attempts: 3 })
    await router.close()
  })
})
