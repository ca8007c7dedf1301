import { type Batching, type DeliveryResult, EventRouter } from 'eventrouter'
import { klaviyoAdapter } from 'eventrouter/adapters/klaviyo'
import { HttpResponse, http } from 'msw'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { LOYALTY_PAYLOAD } from '../shared/loyalty-payload.js'
import { useMswServer } from '../shared/msw-server.js'
import { bulkCreateEventsStandIn, klaviyoErrors } from './bulk-create-events-stand-in.js'

const API_KEY = 'pk_7a1c3e5f9b2d4f6a8c0e2b4d6f8a0c2e4b'
const klaviyo = bulkCreateEventsStandIn(API_KEY)
/** Bodies received by Create Event (`POST /api/events`), one event each. */
const singles: unknown[] = []
useMswServer(
  [
    klaviyo.handler,
    http.post('https://a.klaviyo.com/api/events', async ({ request }) => {
      singles.push(await request.json())
      return new HttpResponse(null, { status: 202 })
    }),
  ],
  () => {
    klaviyo.reset()
    singles.length = 0
  },
)

afterEach(() => {
  vi.useRealTimers()
})

/** A router with one Klaviyo integration (batching on, as by default) and one subscription. */
function setup(batching?: Batching) {
  const router = new EventRouter({
    adapters: [klaviyoAdapter()],
    retry: { minTimeout: 1, maxTimeout: 5, randomize: false },
    maxPending: 100_000,
  })
  router.integrations.add({
    id: 'klaviyo',
    type: 'klaviyo',
    config: { apiKey: API_KEY },
    ...(batching ? { batching } : {}),
  })
  router.subscriptions.create({
    event: 'wallet.coins_rewarded',
    integrationId: 'klaviyo',
    eventNamePrefix: 'Loyalty ',
  })
  const throttled: number[] = []
  router.on('integrationThrottled', ({ pauseMs }) => throttled.push(pauseMs))
  return { router, throttled }
}

/** The loyalty payload for customer `n`. */
function payload(n: number, extra: Record<string, unknown> = {}) {
  return {
    ...LOYALTY_PAYLOAD,
    customer: { ...LOYALTY_PAYLOAD.customer, id: `cus_${n}`, email: `c${n}@example.com`, mobile: undefined },
    ...extra,
  }
}

function emitAll(router: EventRouter, payloads: readonly Record<string, unknown>[]) {
  return payloads.map((p, index) =>
    router.emit('wallet.coins_rewarded', p, { id: `evt-${index}`, occurredAt: '2026-11-01T10:00:00.000Z' }),
  )
}

async function settledAll(receipts: ReturnType<typeof emitAll>): Promise<DeliveryResult[]> {
  return (await Promise.all(receipts.map((receipt) => receipt.settled))).flat()
}

describe('Klaviyo batching (Bulk Create Events)', () => {
  it('sends full batches of 1,000 events, each delivery id once as its unique_id', async () => {
    const { router } = setup()
    const receipts = emitAll(
      router,
      Array.from({ length: 2_500 }, (_, n) => payload(n)),
    )
    const results = await settledAll(receipts)
    expect(results.every((result) => result.status === 'succeeded' && result.attempts === 1)).toBe(true)
    expect(klaviyo.requests.map((request) => request.events)).toEqual([1000, 1000, 500])
    const ids = receipts.map((receipt) => receipt.deliveries[0]?.id)
    expect([...klaviyo.accepted.values()].map((event) => event.uniqueId).sort()).toEqual([...ids].sort())
    expect(klaviyo.requests[0]?.headers.revision).toBe('2026-07-15')
    await router.close()
  })

  it('sends a batch that is not full once its linger time is over (100 ms by default)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const { router } = setup()
    const receipts = emitAll(router, [payload(1), payload(2), payload(3)])
    await vi.advanceTimersByTimeAsync(99)
    expect(klaviyo.requests).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(1)
    await vi.waitFor(() => expect(klaviyo.requests).toHaveLength(1))
    expect(klaviyo.requests[0]?.events).toBe(3)
    const results = await settledAll(receipts)
    expect(results.map((result) => result.status)).toEqual(['succeeded', 'succeeded', 'succeeded'])
    await router.close()
  })

  it('honours an integration linger time, and close() sends what waits without waiting for it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const { router } = setup({ lingerMs: 60_000 })
    const receipts = emitAll(router, [payload(1), payload(2)])
    await vi.advanceTimersByTimeAsync(10_000)
    expect(klaviyo.requests).toHaveLength(0)
    const closed = router.close()
    await vi.waitFor(() => expect(klaviyo.requests).toHaveLength(1))
    await closed
    const results = await settledAll(receipts)
    expect(results.map((result) => result.status)).toEqual(['succeeded', 'succeeded'])
    expect(klaviyo.accepted.size).toBe(2)
  })

  it('keeps every request under the byte limit, and fails an event too large for any batch alone', async () => {
    const { router } = setup({ maxBytes: 16 * 1024 })
    const filler = 'x'.repeat(3_000)
    const receipts = emitAll(router, [
      ...Array.from({ length: 12 }, (_, n) => payload(n, { note: filler })),
      payload(99, { note: 'y'.repeat(20 * 1024) }),
    ])
    const results = await settledAll(receipts)
    expect(klaviyo.requests.length).toBeGreaterThanOrEqual(3)
    for (const request of klaviyo.requests) expect(request.bytes).toBeLessThanOrEqual(16 * 1024)
    expect(results.slice(0, 12).every((result) => result.status === 'succeeded')).toBe(true)
    const big = results[12]
    expect(big).toMatchObject({ status: 'failed', reason: 'not_retryable', attempts: 1 })
    expect(big?.status === 'failed' && big.error.code).toBe('ERR_ADAPTER')
    expect(big?.status === 'failed' && big.error.message).toMatch(/over the batch limit of 16384 bytes/)
    expect(klaviyo.accepted.size).toBe(12)
    await router.close()
  })

  it('groups events per profile inside one request', async () => {
    const { router } = setup()
    const receipts = emitAll(router, [payload(1), payload(2), payload(1), payload(3), payload(2), payload(1)])
    await settledAll(receipts)
    expect(klaviyo.requests).toHaveLength(1)
    const [request] = klaviyo.requests
    expect(request?.groups.map((group) => group.profile.email)).toEqual([
      'c1@example.com',
      'c2@example.com',
      'c3@example.com',
    ])
    const ids = receipts.map((receipt) => receipt.deliveries[0]?.id)
    expect(request?.groups.map((group) => group.uniqueIds)).toEqual([
      [ids[0], ids[2], ids[5]],
      [ids[1], ids[4]],
      [ids[3]],
    ])
    await router.close()
  })

  it('fails the one bad event of a refused batch and sends the others again at once', async () => {
    const { router } = setup()
    const failures: string[] = []
    router.on('attemptFailed', ({ delivery }) => failures.push(delivery.id))
    const receipts = emitAll(router, [
      payload(1),
      payload(2),
      payload(3, { invalid: true }),
      payload(4),
      payload(5),
    ])
    const results = await settledAll(receipts)
    // The refused request (all or nothing), then the four others alone.
    expect(klaviyo.requests.map((request) => request.events)).toEqual([5, 4])
    const bad = results[2]
    expect(bad).toMatchObject({ status: 'failed', reason: 'not_retryable', attempts: 1 })
    expect(bad?.status === 'failed' && bad.error.message).toMatch(/'invalid' is not a valid property/)
    expect(bad?.history[0]?.status).toBe(400)
    for (const index of [0, 1, 3, 4]) {
      expect(results[index]).toMatchObject({ status: 'succeeded', attempts: 1, responseStatus: 202 })
    }
    expect(failures).toEqual([receipts[2]?.deliveries[0]?.id])
    expect([...klaviyo.accepted.values()].map((event) => event.profile.email).sort()).toEqual([
      'c1@example.com',
      'c2@example.com',
      'c4@example.com',
      'c5@example.com',
    ])
    await router.close()
  })

  it('pauses the integration once on a 429 for the batch, and retries every delivery without using a retry', async () => {
    const { router, throttled } = setup()
    klaviyo.script.push(() =>
      klaviyoErrors(429, [{ detail: 'Request was throttled.' }], { 'retry-after': '1' }),
    )
    const receipts = emitAll(router, [payload(1), payload(2), payload(3)])
    const results = await settledAll(receipts)
    expect(klaviyo.requests.map((request) => request.events)).toEqual([3, 3])
    expect(throttled).toEqual([1000])
    for (const result of results) {
      expect(result).toMatchObject({ status: 'succeeded', attempts: 2 })
      expect(result.history.map((entry) => entry.status)).toEqual([429, 202])
    }
    expect(klaviyo.accepted.size).toBe(3)
    await router.close()
  })

  it('sends one request per delivery to Create Event when the integration switches batching off', async () => {
    const { router } = setup({ enabled: false })
    const receipts = emitAll(router, [payload(1), payload(2)])
    const results = await settledAll(receipts)
    expect(klaviyo.requests).toHaveLength(0)
    expect(singles).toHaveLength(2)
    expect(results.map((result) => result.status)).toEqual(['succeeded', 'succeeded'])
    await router.close()
  })
})
