import { describe, expect, it, vi } from 'vitest'
import { type DeadLetter, type DeliveryResult, EventRouter, webhookAdapter } from '../../src/index.js'
import { undiciTransport } from '../../src/transports/undici/index.js'
import { type ChaosRequest, startChaosServer, withAttemptHeader } from '../support/chaos-server.js'
import { envInt, trackEscapedErrors } from '../support/escaped-errors.js'

// A burst of SHUTDOWN_EVENTS events to three integrations (three deliveries each).
const EVENTS = envInt('SHUTDOWN_EVENTS', 1000)
const SEED = envInt('SHUTDOWN_SEED', 0xc105e)

const escaped = trackEscapedErrors()

describe('EventRouter.close mid-burst (real HTTP server on 127.0.0.1)', () => {
  it('delivered + dead-lettered = emitted: queued, in-flight and retry-waiting deliveries all end', async () => {
    const server = await startChaosServer({
      seed: SEED,
      // Slow answers of up to 400 ms outlast the close deadline; hangs outlast everything.
      weights: { ok: 30, slow: 30, error500: 10, unavailable503: 15, hang: 10, reset: 5 },
      slowMs: [20, 400],
    })
    const transport = undiciTransport({ allowPrivateNetworks: true })
    const router = new EventRouter({
      adapters: [withAttemptHeader(webhookAdapter())],
      transport,
      // A TTL and retry waits longer than the run: at close, hung attempts are in flight and
      // failed ones wait to retry.
      timeoutMs: 5000,
      retry: { retries: 3, minTimeout: 2000, maxTimeout: 5000, randomize: true },
      maxPending: EVENTS * 3,
    })
    const lanes = { alpha: 16, beta: 4, gamma: 8 }
    for (const [id, concurrency] of Object.entries(lanes)) {
      router.integrations.add({
        id,
        type: 'webhook',
        config: { url: `${server.origin}/${id}` },
        pacing: { concurrency },
      })
      router.subscriptions.create({ event: 'order.paid', integrationId: id })
    }
    const results = new Map<string, DeliveryResult>()
    const duplicates: string[] = []
    let retryWaits = 0
    router.on('attemptFailed', (failure) => {
      if (failure.willRetry) retryWaits++
    })
    let closeAt = Number.POSITIVE_INFINITY
    let succeededWhileClosing = 0
    const settle = (result: DeliveryResult) => {
      if (result.status === 'succeeded' && Date.now() >= closeAt) succeededWhileClosing++
      if (results.has(result.delivery.id)) duplicates.push(result.delivery.id)
      results.set(result.delivery.id, result)
    }
    router.on('deliverySucceeded', settle)
    router.on('deliveryFailed', settle)
    const routerErrors: unknown[] = []
    router.on('error', (error) => routerErrors.push(error))

    const emitted: string[] = []
    for (let index = 0; index < EVENTS; index++) {
      const receipt = router.emit('order.paid', { index }, { id: `evt-${index}` })
      for (const delivery of receipt.deliveries) emitted.push(delivery.id)
    }
    // Close once some deliveries succeeded, some wait to retry and some hang in flight.
    await vi.waitFor(
      () => {
        expect(results.size).toBeGreaterThan(100)
        expect(retryWaits).toBeGreaterThan(20)
        expect(server.requests.filter((request) => request.action === 'hang').length).toBeGreaterThan(2)
      },
      { timeout: 15_000, interval: 10 },
    )
    closeAt = Date.now()
    const settledBeforeClose = results.size
    const closing = router.close({ timeoutMs: 100 })
    expect(() => router.emit('order.paid', {})).toThrow(
      expect.objectContaining({ name: 'RouterClosedError' }),
    )
    await closing
    const requestsAtClose = server.requests.length

    // Nothing pending, and nothing left to happen.
    expect(router.pendingCount).toBe(0)
    await router.onIdle()
    await expect(router.emitAsync('order.paid', {})).rejects.toMatchObject({ code: 'ERR_ROUTER_CLOSED' })
    await expect(router.deadLetters.redeliver({})).rejects.toMatchObject({ code: 'ERR_ROUTER_CLOSED' })
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(server.requests).toHaveLength(requestsAtClose)

    // Every delivery ended exactly once: succeeded, or a dead letter. Never both.
    const letters = await router.deadLetters.list()
    const lettersById = new Map<string, DeadLetter>(letters.map((letter) => [letter.id, letter]))
    expect(duplicates).toEqual([])
    expect(new Set(emitted).size).toBe(EVENTS * 3)
    expect(results.size).toBe(emitted.length)
    let succeeded = 0
    const kinds = { queued: 0, inFlight: 0, waitingToRetry: 0, otherReason: 0 }
    for (const id of emitted) {
      const result = results.get(id) as DeliveryResult
      const seen = new Map((server.byDelivery.get(id) ?? []).map((request) => [request.attempt, request]))
      // No attempt started once close() was called.
      expect(result.history.filter((attempt) => attempt.startedAt > closeAt)).toEqual([])
      expect(result.history).toHaveLength(result.attempts)
      // An attempt with a status got it from the server, for that very attempt.
      for (const attempt of result.history) {
        if (attempt.status === null) continue
        const request = seen.get(attempt.attempt) as ChaosRequest | undefined
        expect(request?.outcome).toBe('answered')
        expect(request?.status).toBe(attempt.status)
      }
      if (result.status === 'succeeded') {
        succeeded++
        expect(lettersById.has(id)).toBe(false)
        expect(seen.get(result.attempts)?.status).toBe(result.responseStatus)
        continue
      }
      const letter = lettersById.get(id)
      expect(letter, `failed delivery ${id} has no dead letter`).toBeDefined()
      if (!letter) continue
      expect(letter.history).toEqual(result.history)
      expect(letter.reason).toBe(result.reason)
      if (letter.reason !== 'shutdown') {
        // Only deliveries that ended before close() may have another final reason.
        kinds.otherReason++
        expect(['retries_exhausted', 'circuit_open']).toContain(letter.reason)
        continue
      }
      expect(letter.error.code).toBe('ERR_DELIVERY_ABORTED')
      const last = letter.history.at(-1)
      if (!last) kinds.queued++
      else if (last.errorCode === 'ERR_DELIVERY_ABORTED') kinds.inFlight++
      else kinds.waitingToRetry++
    }
    expect(succeeded + letters.length).toBe(emitted.length)
    // close() met every kind of pending delivery, and dead-lettered each.
    expect(kinds.queued).toBeGreaterThan(0)
    expect(kinds.inFlight).toBeGreaterThan(0)
    expect(kinds.waitingToRetry).toBeGreaterThan(0)
    expect(routerErrors).toEqual([])
    expect(escaped).toEqual([])
    console.info(
      `shutdown burst: ${emitted.length} deliveries, ${settledBeforeClose} settled before close, ${succeeded} succeeded (${succeededWhileClosing} while closing), ${letters.length} dead letters ${JSON.stringify(kinds)}, ${requestsAtClose} requests`,
    )

    await transport.close()
    await server.close()
  }, 60_000)
})
