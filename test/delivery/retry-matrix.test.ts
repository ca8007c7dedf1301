import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { AttemptFailure, DeliveryResult } from '../../src/index.js'
import { MockTransport } from '../../src/testing/index.js'
import { coinsRewarded, createRouter, DETERMINISTIC_RETRY } from '../factories.js'

// The retry matrix: one row per kind of answer, checking attempt counts, the delay before
// each retry and the final outcome. Delays: 1 s, 2 s, 4 s, 8 s, 16 s (no jitter here).
// Rows run through the webhook integration `crm`, except those about final 4xx/3xx/501/505
// answers, which run through `api`, an adapter with the default classification
// (classifyHttpResponse): a webhook retries those, as Standard Webhooks asks (its own
// matrix is in test/adapters/webhook/webhook-delivery.test.ts).
describe('delivery retry matrix', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  async function run(
    script: (transport: MockTransport) => void,
    timeoutMs = 10_000,
    integrationId: 'crm' | 'api' = 'crm',
  ) {
    const transport = new MockTransport()
    script(transport)
    const { router } = createRouter({ transport, retry: DETERMINISTIC_RETRY, timeoutMs })
    router.integrations.add({ id: 'api', type: 'api', config: { url: 'https://api.example/v1/events' } })
    router.subscriptions.create({ event: 'wallet.coins_rewarded', integrationId })
    const failures: AttemptFailure[] = []
    router.on('attemptFailed', (failure) => {
      failures.push(failure)
    })
    const receipt = router.emit('wallet.coins_rewarded', coinsRewarded())
    let result: DeliveryResult | undefined
    void receipt.settled.then(([first]) => {
      result = first
    })
    await vi.runAllTimersAsync()
    if (!result) throw new Error('delivery did not settle')
    const times = transport.requests.map(
      (request) => request.receivedAt - (transport.requests[0]?.receivedAt ?? 0),
    )
    return { result, failures, transport, times }
  }

  it('T01 2xx: one attempt, succeeded', async () => {
    const { result, failures, transport } = await run((t) => t.respondWith(204))
    expect(result).toMatchObject({ status: 'succeeded', attempts: 1, responseStatus: 204 })
    expect(failures).toEqual([])
    expect(transport.requests).toHaveLength(1)
    // The attempt's TTL timer was cleared: nothing is left to fire or keep the process alive.
    expect(vi.getTimerCount()).toBe(0)
  })

  it('T02 5xx then 2xx: retried after 1 s, succeeded on attempt 2', async () => {
    const { result, failures, times } = await run((t) => t.failTimes(1, 500))
    expect(result).toMatchObject({ status: 'succeeded', attempts: 2 })
    expect(failures).toMatchObject([{ attempt: 1, willRetry: true, delayMs: 1000, retriesLeft: 4 }])
    expect(times).toEqual([0, 1000])
    expect(result.history).toMatchObject([
      {
        attempt: 1,
        status: 500,
        errorCode: 'ERR_HTTP_STATUS',
        errorClass: 'DeliveryError',
        errorMessage: expect.stringContaining('answered 500'),
      },
      {
        attempt: 2,
        status: 200,
        errorCode: null,
        errorClass: null,
        errorMessage: null,
        responseBodyExcerpt: null,
      },
    ])
    expect(result.history[1]?.startedAt).toBe((result.history[0]?.startedAt ?? 0) + 1000)
  })

  it('T03 six 5xx: 1 attempt + 5 retries with exponential delays, then retries_exhausted', async () => {
    const { result, failures, times } = await run((t) => t.respondWith(503))
    expect(result).toMatchObject({ status: 'failed', attempts: 6, reason: 'retries_exhausted' })
    expect(times).toEqual([0, 1000, 3000, 7000, 15_000, 31_000])
    expect(failures.map((f) => [f.attempt, f.willRetry, f.delayMs, f.retriesLeft])).toEqual([
      [1, true, 1000, 4],
      [2, true, 2000, 3],
      [3, true, 4000, 2],
      [4, true, 8000, 1],
      [5, true, 16_000, 0],
      [6, false, null, 0],
    ])
    if (result.status === 'failed') {
      expect(result.error).toMatchObject({ code: 'ERR_HTTP_STATUS', status: 503, retryable: true })
    }
  })

  it('T04 400 (default classification): not retried, not_retryable with the body excerpt', async () => {
    const { result, failures } = await run(
      (t) => t.respondWith({ status: 400, body: { error: 'bad field coins' } }),
      10_000,
      'api',
    )
    expect(result).toMatchObject({ status: 'failed', attempts: 1, reason: 'not_retryable' })
    expect(failures).toMatchObject([{ attempt: 1, willRetry: false, delayMs: null }])
    if (result.status === 'failed') {
      expect(result.error.status).toBe(400)
      expect(result.error.responseBodyExcerpt).toContain('bad field coins')
    }
  })

  it('T05 301 (default classification): the redirect is not followed and not retried', async () => {
    const { result, transport } = await run(
      (t) => t.respondWith({ status: 301, headers: { location: 'http://169.254.169.254/' } }),
      10_000,
      'api',
    )
    expect(result).toMatchObject({ status: 'failed', attempts: 1, reason: 'not_retryable' })
    expect(transport.requests).toHaveLength(1)
    if (result.status === 'failed') expect(result.error.message).toContain('redirect 301 not followed')
  })

  it('T06 429 with Retry-After: waits what the destination asked, then succeeds', async () => {
    const { result, failures, times } = await run((t) =>
      t.enqueue({ status: 429, headers: { 'Retry-After': '7' } }),
    )
    expect(result).toMatchObject({ status: 'succeeded', attempts: 2 })
    expect(failures).toMatchObject([{ attempt: 1, delayMs: 7000 }])
    expect(times).toEqual([0, 7000])
  })

  it('T07 503 with an HTTP-date Retry-After, capped at maxTimeout', async () => {
    const far = new Date(Date.now() + 3_600_000).toUTCString()
    const { failures, times } = await run((t) => t.enqueue({ status: 503, headers: { 'retry-after': far } }))
    expect(failures[0]?.delayMs).toBe(30_000)
    expect(times).toEqual([0, 30_000])
  })

  it('T08 TTL exceeded on every attempt: each attempt aborted at timeoutMs, then retries_exhausted', async () => {
    const { result, failures, transport, times } = await run((t) => t.respondWith({ hang: true }), 10_000)
    expect(result).toMatchObject({ status: 'failed', attempts: 6, reason: 'retries_exhausted' })
    expect(transport.requests.every((request) => request.signal.aborted)).toBe(true)
    expect(times).toEqual([0, 11_000, 23_000, 37_000, 55_000, 81_000])
    expect(failures.every((f) => f.error.code === 'ERR_ATTEMPT_TIMEOUT')).toBe(true)
    expect(result.history.map((h) => [h.status, h.errorCode, h.durationMs])).toEqual(
      Array.from({ length: 6 }, () => [null, 'ERR_ATTEMPT_TIMEOUT', 10_000]),
    )
    expect(vi.getTimerCount()).toBe(0)
  })

  it('T09 network error then 2xx: retried', async () => {
    const { result, failures } = await run((t) => t.networkErrorTimes(1))
    expect(result).toMatchObject({ status: 'succeeded', attempts: 2 })
    expect(failures[0]?.error).toMatchObject({ code: 'ERR_NETWORK', retryable: true })
    // The attempt log names the class of what the transport threw.
    expect(result.history[0]).toMatchObject({ errorCode: 'ERR_NETWORK', errorClass: 'TypeError' })
  })

  it('T10 408, 425 and 502 are retried; 501, 505 and other 4xx are not (default classification)', async () => {
    for (const status of [408, 425, 502]) {
      const { result } = await run((t) => t.enqueue(status))
      expect(result, `status ${status}`).toMatchObject({ status: 'succeeded', attempts: 2 })
    }
    for (const status of [501, 505, 404, 401]) {
      const { result } = await run((t) => t.respondWith(status), 10_000, 'api')
      expect(result, `status ${status}`).toMatchObject({
        status: 'failed',
        attempts: 1,
        reason: 'not_retryable',
      })
    }
  })

  it('T11 the delivery id (idempotency key) is the same on every attempt', async () => {
    const { transport } = await run((t) => t.failTimes(2, 500))
    const ids = transport.requests.map((request) => request.headers['webhook-id'])
    expect(ids).toHaveLength(3)
    expect(new Set(ids).size).toBe(1)
  })

  it('T12 jitter: with randomize, each delay lies in [base, 2 × base)', async () => {
    const transport = new MockTransport().respondWith(500)
    const { router } = createRouter({ transport, retry: { ...DETERMINISTIC_RETRY, randomize: true } })
    router.subscriptions.create({ event: 'wallet.coins_rewarded', integrationId: 'crm' })
    const delays: (number | null)[] = []
    router.on('attemptFailed', (failure) => {
      delays.push(failure.delayMs)
    })
    router.emit('wallet.coins_rewarded', coinsRewarded())
    await vi.runAllTimersAsync()
    const bases = [1000, 2000, 4000, 8000, 16_000]
    bases.forEach((base, index) => {
      expect(delays[index]).toBeGreaterThanOrEqual(base)
      expect(delays[index]).toBeLessThan(Math.min(2 * base, 30_001))
    })
  })
})
