import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { webhookAdapter } from '../../../src/adapters/webhook/index.js'
import { type AttemptFailure, type DeliveryResult, EventRouter } from '../../../src/index.js'
import { type MockAnswer, MockTransport } from '../../../src/testing/index.js'
import { DETERMINISTIC_RETRY } from '../../factories.js'

// Standard Webhooks, "Deliverability and reliability" and "Delivery success and failure"
// (standard-webhooks/standard-webhooks, spec/standard-webhooks.md), through the router: a
// non-2xx answer is a failed attempt, retried on the schedule (1 s, 2 s, 4 s, 8 s, 16 s here,
// no jitter), `410 Gone` disables the endpoint, 429/502/504 throttle it. Time is faked.

const URL = 'https://crm.example/hooks'
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const SCHEDULE = [0, 1000, 3000, 7000, 15_000, 31_000]

describe('webhookAdapter delivery (Standard Webhooks retry rules)', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  async function run(...answers: (MockAnswer | number)[]) {
    const transport = new MockTransport()
    transport.enqueue(...answers)
    const router = new EventRouter({ adapters: [webhookAdapter()], transport, retry: DETERMINISTIC_RETRY })
    router.integrations.add({ id: 'crm', type: 'webhook', config: { url: URL, secret: SECRET } })
    router.subscriptions.create({ event: 'wallet.coins_rewarded', integrationId: 'crm' })
    const failures: AttemptFailure[] = []
    const throttled: { integrationId: string; pauseMs: number }[] = []
    const disabled: string[] = []
    router.on('attemptFailed', (failure) => {
      failures.push(failure)
    })
    router.on('integrationThrottled', (event) => {
      throttled.push(event)
    })
    router.on('integrationDisabled', (event) => {
      disabled.push(event.integrationId)
    })
    let result: DeliveryResult | undefined
    void router
      .emit('wallet.coins_rewarded', { coins: 150, customer: { id: 'cus_981' } })
      .settled.then(([first]) => {
        result = first
      })
    await vi.runAllTimersAsync()
    if (!result) throw new Error('delivery did not settle')
    const times = transport.requests.map((r) => r.receivedAt - (transport.requests[0]?.receivedAt ?? 0))
    return { router, transport, result, failures, throttled, disabled, times }
  }

  it.each([400, 401, 403, 404, 500])(
    'retries %i on the schedule: 1 attempt + 5 retries, then retries_exhausted',
    async (status) => {
      const { result, failures, times, transport, disabled } = await run(
        ...Array.from({ length: 6 }, () => status),
      )
      expect(result).toMatchObject({ status: 'failed', reason: 'retries_exhausted', attempts: 6 })
      expect(times).toEqual(SCHEDULE)
      expect(failures.map((f) => [f.attempt, f.willRetry, f.delayMs, f.retriesLeft])).toEqual([
        [1, true, 1000, 4],
        [2, true, 2000, 3],
        [3, true, 4000, 2],
        [4, true, 8000, 1],
        [5, true, 16_000, 0],
        [6, false, null, 0],
      ])
      if (result.status === 'failed') {
        expect(result.error).toMatchObject({ code: 'ERR_HTTP_STATUS', status, retryable: true })
      }
      // Every attempt went to the configured URL, with the same webhook-id.
      expect(new Set(transport.requests.map((r) => `${r.url} ${r.headers['webhook-id']}`)).size).toBe(1)
      expect(disabled).toEqual([])
    },
  )

  it('delivers once a receiver mid-deploy (404) or mid-key-rotation (401) recovers', async () => {
    const { result, times } = await run(404, 401, 401, 204)
    expect(result).toMatchObject({ status: 'succeeded', attempts: 4, responseStatus: 204 })
    expect(times).toEqual([0, 1000, 3000, 7000])
  })

  it('fails a 410 Gone at once and disables the integration', async () => {
    const { router, result, transport, disabled } = await run(410)
    expect(result).toMatchObject({ status: 'failed', attempts: 1, reason: 'not_retryable' })
    if (result.status === 'failed')
      expect(result.error.message).toContain('HTTP 410 Gone: the endpoint is gone')
    expect(transport.requests).toHaveLength(1)
    expect(disabled).toEqual(['crm'])
    expect(router.integrations.get('crm')).toMatchObject({ enabled: false })
  })

  it.each([502, 504])(
    'throttles on %i: integrationThrottled fires with the backoff, no retry is used up',
    async (status) => {
      const { result, failures, throttled, times } = await run(status, status, 200)
      expect(result).toMatchObject({ status: 'succeeded', attempts: 3 })
      expect(failures.map((f) => [f.attempt, f.delayMs, f.retriesLeft])).toEqual([
        [1, 1000, 5],
        [2, 2000, 5],
      ])
      expect(failures.every((f) => f.error.throttled && f.error.retryAfterMs === undefined)).toBe(true)
      expect(throttled).toEqual([
        { integrationId: 'crm', tenant: null, pauseMs: 1000 },
        { integrationId: 'crm', tenant: null, pauseMs: 2000 },
      ])
      expect(times).toEqual([0, 1000, 3000])
    },
  )

  it('throttles a 504 for its Retry-After when it sends one', async () => {
    const { throttled, times } = await run({ status: 504, headers: { 'retry-after': '7' } })
    expect(throttled).toEqual([{ integrationId: 'crm', tenant: null, pauseMs: 7000 }])
    expect(times).toEqual([0, 7000])
  })

  it('keeps a 429’s Retry-After, throttling without using up a retry', async () => {
    const { result, failures, throttled, times } = await run({ status: 429, headers: { 'retry-after': '3' } })
    expect(result).toMatchObject({ status: 'succeeded', attempts: 2 })
    expect(failures).toMatchObject([{ attempt: 1, delayMs: 3000, retriesLeft: 5 }])
    expect(throttled).toEqual([{ integrationId: 'crm', tenant: null, pauseMs: 3000 }])
    expect(times).toEqual([0, 3000])
  })

  it('honours Retry-After on any failed answer, e.g. a 503 (not throttled)', async () => {
    const { failures, throttled, times } = await run({ status: 503, headers: { 'retry-after': '5' } })
    expect(failures).toMatchObject([{ attempt: 1, delayMs: 5000, retriesLeft: 4 }])
    expect(throttled).toEqual([])
    expect(times).toEqual([0, 5000])
  })

  it('retries a redirect without following it: every attempt goes to the configured URL', async () => {
    const { result, transport } = await run(
      ...Array.from({ length: 6 }, () => ({ status: 301, headers: { location: 'http://169.254.169.254/' } })),
    )
    expect(result).toMatchObject({ status: 'failed', reason: 'retries_exhausted', attempts: 6 })
    expect(transport.requests.every((r) => r.url === URL)).toBe(true)
    if (result.status === 'failed') expect(result.error.message).toContain('redirect 301 not followed')
  })
})
