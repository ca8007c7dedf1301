import { type Adapter, type Batching, type DeliveryResult, EventRouter } from 'eventrouter'
import type { RequestHandler } from 'msw'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { LOYALTY_PAYLOAD } from './loyalty-payload.js'

/** A request a batch stand-in received: its size, and per event its `ref`, event name and idempotency key. */
export interface StandInRequest {
  readonly bytes: number
  readonly refs: number[]
  readonly names: string[]
  /** The idempotency key of each event (`messageId`, `$insert_id`...), or `undefined` where the API has none. */
  readonly keys: (string | undefined)[]
}

/**
 * An msw stand-in of a destination's bulk endpoint that checks requests as the API does and
 * records them. `properties.ref` (every test payload has one) identifies an event across APIs.
 */
export interface BatchStandIn {
  readonly handler: RequestHandler
  readonly requests: StandInRequest[]
  /** The refs of the events the destination kept (once each). */
  readonly accepted: Set<number>
  /** Answers the next requests with these responses (after checking them). */
  readonly script: (() => Response)[]
  reset(): void
}

/** What {@link batchingCases} needs of one adapter. */
export interface BatchingSuite {
  readonly adapter: Adapter<unknown>
  readonly config: Record<string, unknown>
  readonly standIn: BatchStandIn
  /** The adapter's most events per request. */
  readonly maxItems: number
  /** Whether the adapter sends the delivery id as each event's idempotency key. */
  readonly keys: boolean
  /** A payload addition that makes the destination (or the adapter) refuse that one event. */
  readonly bad: Record<string, unknown>
  /** Events per request when one of five is bad: `[5]` for a partial answer, `[4]` when refused before sending. */
  readonly badRequests: readonly number[]
  /** The destination's throttling answer (429). */
  readonly throttled: () => Response
  /** What `integrationThrottled` reports for {@link throttled}, in ms. */
  readonly pauseMs: number
}

/** The loyalty payload of customer `n`, with `ref: n`. */
export function loyaltyPayload(n: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...LOYALTY_PAYLOAD,
    ref: n,
    customer: { ...LOYALTY_PAYLOAD.customer, id: `cus_${n}`, email: `c${n}@example.com`, mobile: undefined },
    ...extra,
  }
}

/**
 * The batching behaviour every batching adapter must show against its stand-in: full batches,
 * linger flush, close() flushing, the byte limit (an oversize event failing alone), batches that
 * never cross integrations or tenants, one bad event failing alone, and a 429 on a batch.
 */
export function batchingCases(suite: BatchingSuite): void {
  const { standIn } = suite
  afterEach(() => {
    vi.useRealTimers()
  })

  function setup(batching?: Batching) {
    const router = new EventRouter({
      adapters: [suite.adapter],
      retry: { minTimeout: 1, maxTimeout: 5, randomize: false },
      maxPending: 100_000,
    })
    router.integrations.add({
      id: 'dest',
      type: suite.adapter.type,
      config: suite.config,
      ...(batching ? { batching } : {}),
    })
    router.subscriptions.create({
      event: 'wallet.coins_rewarded',
      integrationId: 'dest',
      eventNamePrefix: 'A ',
    })
    const throttled: number[] = []
    router.on('integrationThrottled', ({ pauseMs }) => throttled.push(pauseMs))
    return { router, throttled }
  }

  const emitAll = (router: EventRouter, payloads: readonly Record<string, unknown>[], tenant?: string) =>
    payloads.map((payload) =>
      router.emit('wallet.coins_rewarded', payload, {
        ...(tenant === undefined ? {} : { tenant }),
        occurredAt: '2026-11-01T10:00:00.000Z',
      }),
    )
  const settledAll = async (receipts: ReturnType<typeof emitAll>): Promise<DeliveryResult[]> =>
    (await Promise.all(receipts.map((receipt) => receipt.settled))).flat()
  const range = (count: number, from = 0) => Array.from({ length: count }, (_, index) => from + index)

  describe(`${suite.adapter.type} batching`, () => {
    it('sends full batches, each event once, with its delivery id as its key', async () => {
      const maxItems = Math.min(suite.maxItems, 100)
      const { router } = setup({ maxItems })
      const receipts = emitAll(
        router,
        range(2 * maxItems + 10).map((n) => loyaltyPayload(n)),
      )
      const results = await settledAll(receipts)
      expect(results.every((result) => result.status === 'succeeded' && result.attempts === 1)).toBe(true)
      expect(standIn.requests.map((request) => request.refs.length)).toEqual([maxItems, maxItems, 10])
      expect([...standIn.accepted].sort((a, b) => a - b)).toEqual(range(2 * maxItems + 10))
      if (suite.keys) {
        const keys = standIn.requests.flatMap((request) => request.keys)
        expect(keys).toEqual(receipts.map((receipt) => receipt.deliveries[0]?.id))
      }
      await router.close()
    })

    it('sends a batch that is not full after its linger time, and refuses more than the adapter allows', async () => {
      expect(() => setup({ maxItems: suite.maxItems + 1 })).toThrow(
        expect.objectContaining({ code: 'ERR_VALIDATION', field: 'batching.maxItems' }),
      )
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
      const { router } = setup({ lingerMs: 250 })
      const receipts = emitAll(router, [loyaltyPayload(1), loyaltyPayload(2)])
      await vi.advanceTimersByTimeAsync(249)
      expect(standIn.requests).toHaveLength(0)
      await vi.advanceTimersByTimeAsync(1)
      await vi.waitFor(() => expect(standIn.requests).toHaveLength(1))
      expect(standIn.requests[0]?.refs).toEqual([1, 2])
      expect((await settledAll(receipts)).map((result) => result.status)).toEqual(['succeeded', 'succeeded'])
      await router.close()
    })

    it('sends what waits at close() without waiting for the linger time', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
      const { router } = setup({ lingerMs: 60_000 })
      const receipts = emitAll(router, [loyaltyPayload(1), loyaltyPayload(2), loyaltyPayload(3)])
      await vi.advanceTimersByTimeAsync(1_000)
      expect(standIn.requests).toHaveLength(0)
      await router.close()
      expect(standIn.requests.map((request) => request.refs)).toEqual([[1, 2, 3]])
      expect((await settledAll(receipts)).every((result) => result.status === 'succeeded')).toBe(true)
    })

    it('keeps every request under the byte limit, and fails an event too large for any batch alone', async () => {
      const maxBytes = 16 * 1024
      const { router } = setup({ maxBytes })
      const receipts = emitAll(router, [
        ...range(12).map((n) => loyaltyPayload(n, { note: 'x'.repeat(3_000) })),
        loyaltyPayload(99, { note: 'y'.repeat(20 * 1024) }),
      ])
      const results = await settledAll(receipts)
      expect(standIn.requests.length).toBeGreaterThanOrEqual(3)
      for (const request of standIn.requests) expect(request.bytes).toBeLessThanOrEqual(maxBytes)
      expect(results.slice(0, 12).every((result) => result.status === 'succeeded')).toBe(true)
      const big = results[12]
      expect(big).toMatchObject({ status: 'failed', reason: 'not_retryable', attempts: 1 })
      expect(big?.status === 'failed' && big.error.code).toBe('ERR_ADAPTER')
      expect([...standIn.accepted].sort((a, b) => a - b)).toEqual(range(12))
      await router.close()
    })

    it('never puts two integrations or two tenants in one batch', async () => {
      const { router } = setup()
      router.integrations.add({ id: 'dest-b', type: suite.adapter.type, config: suite.config })
      router.subscriptions.create({
        event: 'wallet.coins_rewarded',
        integrationId: 'dest-b',
        eventNamePrefix: 'B ',
      })
      const receipts = [
        ...emitAll(router, [loyaltyPayload(1), loyaltyPayload(2)], 'acme'),
        ...emitAll(router, [loyaltyPayload(3), loyaltyPayload(4)], 'globex'),
      ]
      const results = await settledAll(receipts)
      expect(results).toHaveLength(8)
      expect(results.every((result) => result.status === 'succeeded')).toBe(true)
      const batches = standIn.requests
        .map(
          (request) =>
            `${[...new Set(request.names.map((name) => name[0]))].join('')}:${request.refs.join(',')}`,
        )
        .sort()
      expect(batches).toEqual(['A:1,2', 'A:3,4', 'B:1,2', 'B:3,4'])
      await router.close()
    })

    it('fails one bad event of a batch alone, and delivers the others', async () => {
      const { router } = setup()
      const failures: string[] = []
      router.on('attemptFailed', ({ delivery }) => failures.push(delivery.id))
      const receipts = emitAll(router, [
        loyaltyPayload(1),
        loyaltyPayload(2),
        loyaltyPayload(3, suite.bad),
        loyaltyPayload(4),
        loyaltyPayload(5),
      ])
      const results = await settledAll(receipts)
      expect(standIn.requests.map((request) => request.refs.length)).toEqual(suite.badRequests)
      expect(results[2]).toMatchObject({ status: 'failed', reason: 'not_retryable', attempts: 1 })
      for (const index of [0, 1, 3, 4])
        expect(results[index]).toMatchObject({ status: 'succeeded', attempts: 1 })
      expect(failures).toEqual([receipts[2]?.deliveries[0]?.id])
      expect([...standIn.accepted].sort((a, b) => a - b)).toEqual([1, 2, 4, 5])
      await router.close()
    })

    it('pauses the integration once on a 429 for the batch, and retries every delivery of it', async () => {
      const { router, throttled } = setup()
      standIn.script.push(suite.throttled)
      const receipts = emitAll(router, [loyaltyPayload(1), loyaltyPayload(2), loyaltyPayload(3)])
      const results = await settledAll(receipts)
      expect(standIn.requests.map((request) => request.refs)).toEqual([
        [1, 2, 3],
        [1, 2, 3],
      ])
      expect(throttled).toEqual([suite.pauseMs])
      for (const result of results) {
        expect(result).toMatchObject({ status: 'succeeded', attempts: 2 })
        expect(result.history[0]?.status).toBe(429)
      }
      expect([...standIn.accepted].sort()).toEqual([1, 2, 3])
      await router.close()
    })
  })
}
