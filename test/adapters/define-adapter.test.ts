import { afterEach, describe, expect, it, vi } from 'vitest'
import { z } from 'zod'
import {
  type AdapterRequestContext,
  defineAdapter,
  EventRouter,
  type Transport,
  type TransportRequest,
} from '../../src/index.js'
import { MockTransport } from '../../src/testing/index.js'
import { INSTANT_RETRY } from '../factories.js'

const buildPing = ({
  event,
  config,
  delivery,
  attempt,
}: AdapterRequestContext<{ url: string; token: string }>): TransportRequest => ({
  method: 'POST',
  url: config.url,
  headers: {
    authorization: `Bearer ${config.token}`,
    'idempotency-key': delivery.id,
    'x-attempt': String(attempt),
  },
  body: JSON.stringify({ name: event.outgoingName }),
})

const pingAdapter = defineAdapter({
  type: 'ping',
  configSchema: z.strictObject({ url: z.url(), token: z.string().min(8) }),
  secretFields: ['token'],
  buildRequest: buildPing,
})

describe('defineAdapter', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('registers a custom adapter by type; its config is validated and its secrets redacted', async () => {
    const transport = new MockTransport().failTimes(1, 502)
    const router = new EventRouter({ adapters: [pingAdapter], transport, retry: INSTANT_RETRY })
    expect(() =>
      router.integrations.add({
        id: 'p',
        type: 'ping',
        config: { url: 'https://p.example/', token: 'short' },
      }),
    ).toThrow(expect.objectContaining({ field: 'config.token' }))
    const added = router.integrations.add({
      id: 'p',
      type: 'ping',
      config: { url: 'https://p.example/', token: 'secret-token' },
    })
    expect(added.config.token).toBe('[REDACTED]')
    router.subscriptions.create({ event: 'a.b', integrationId: 'p', eventNamePrefix: 'Ops ' })
    await router.emit('a.b', {}).settled
    expect(transport.requests.map((r) => r.headers['x-attempt'])).toEqual(['1', '2'])
    expect(transport.requests[1]?.headers.authorization).toBe('Bearer secret-token')
    expect(transport.requests[1]?.json()).toEqual({ name: 'Ops a.b' })
  })

  it('uses a custom classifyResponse', async () => {
    const picky = defineAdapter({
      type: 'picky',
      buildRequest: buildPing,
      configSchema: z.object({ url: z.url(), token: z.string() }),
      classifyResponse: (response) =>
        response.body.includes('"ok":false')
          ? { outcome: 'fail', reason: 'body says not ok' }
          : { outcome: 'success' },
    })
    const transport = new MockTransport({ status: 200, body: { ok: false } })
    const router = new EventRouter({ adapters: [picky], transport, retry: INSTANT_RETRY })
    router.integrations.add({ id: 'p', type: 'picky', config: { url: 'https://p.example/', token: 't' } })
    router.subscriptions.create({ event: 'a.b', integrationId: 'p' })
    const [result] = await router.emit('a.b', {}).settled
    expect(result).toMatchObject({ status: 'failed', reason: 'not_retryable', attempts: 1 })
    if (result?.status === 'failed') expect(result.error.message).toContain('body says not ok')
  })

  it('an adapter whose buildRequest throws fails the delivery (ERR_ADAPTER), reported, not thrown', async () => {
    const broken = defineAdapter({
      type: 'broken',
      configSchema: z.object({}),
      buildRequest: () => {
        throw new Error('cannot map customer')
      },
    })
    const router = new EventRouter({
      adapters: [broken],
      transport: new MockTransport(),
      retry: INSTANT_RETRY,
    })
    router.integrations.add({ id: 'b', type: 'broken', config: {} })
    router.subscriptions.create({ event: 'a.b', integrationId: 'b' })
    const [result] = await router.emit('a.b', {}).settled
    expect(result).toMatchObject({
      status: 'failed',
      reason: 'not_retryable',
      error: { code: 'ERR_ADAPTER' },
    })
    if (result?.status === 'failed') expect(result.error.message).toContain('cannot map customer')
  })

  it('a transport that ignores its abort signal still cannot hold an attempt past the TTL', async () => {
    vi.useFakeTimers()
    const deaf: Transport = { send: () => new Promise(() => {}) }
    const router = new EventRouter({
      adapters: [pingAdapter],
      transport: deaf,
      timeoutMs: 500,
      retry: { ...INSTANT_RETRY, retries: 1 },
    })
    router.integrations.add({
      id: 'p',
      type: 'ping',
      config: { url: 'https://p.example/', token: 'secret-token' },
    })
    router.subscriptions.create({ event: 'a.b', integrationId: 'p' })
    const receipt = router.emit('a.b', {})
    await vi.advanceTimersByTimeAsync(1000)
    await expect(receipt.settled).resolves.toMatchObject([
      { status: 'failed', attempts: 2, reason: 'retries_exhausted', error: { code: 'ERR_ATTEMPT_TIMEOUT' } },
    ])
  })

  it('rejects a malformed type', () => {
    expect(() =>
      defineAdapter({ type: 'Bad Type', configSchema: z.object({}), buildRequest: buildPing as never }),
    ).toThrow(/lower-case name/)
  })
})
