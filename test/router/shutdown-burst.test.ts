import { describe, expect, it, vi } from 'vitest'
import {
  type AttemptRecord,
  type DeadLetter,
  type DeliveryResult,
  EventRouter,
  webhookAdapter,
} from '../../src/index.js'
import type { DeliveryRecord } from '../../src/stores/store.js'
import { undiciTransport } from '../../src/transport/undici/index.js'
import { type ChaosRequest, startChaosServer, withAttemptHeader } from '../support/chaos-server.js'
import { envInt, trackEscapedErrors } from '../support/escaped-errors.js'
import { readStoreFile, STORES, storeFiles } from '../support/stores-under-test.js'

// A burst of SHUTDOWN_EVENTS events to three integrations (three deliveries each).
const EVENTS = envInt('SHUTDOWN_EVENTS', 1000)
const SEED = envInt('SHUTDOWN_SEED', 0xc105e)

const escaped = trackEscapedErrors()
const files = storeFiles('eventrouter-shutdown-')

/*
 * With the memory store, close() ends every delivery: delivered + dead-lettered = emitted. With
 * a durable store (SQLite), attempts in flight at the deadline are aborted and dead-lettered the
 * same way, while what is queued or waiting to retry stays pending in the store for the next
 * start(): delivered + dead-lettered + still pending in the store = emitted.
 */
describe.each(STORES)('EventRouter.close mid-burst (real HTTP server on 127.0.0.1, $name store)', (kind) => {
  const title = kind.durable
    ? 'delivered + dead-lettered + pending in the store = emitted: in-flight deliveries end, queued and retry-waiting ones stay in the store'
    : 'delivered + dead-lettered = emitted: queued, in-flight and retry-waiting deliveries all end'
  it(title, async () => {
    const server = await startChaosServer({
      seed: SEED,
      // Slow answers of up to 400 ms outlast the close deadline; hangs outlast everything.
      weights: { ok: 30, slow: 30, error500: 10, unavailable503: 15, hang: 10, reset: 5 },
      slowMs: [20, 400],
    })
    const transport = undiciTransport({ allowPrivateNetworks: true })
    const fresh = files.fresh(kind)
    const router = new EventRouter({
      ...fresh.options,
      adapters: [withAttemptHeader(webhookAdapter())],
      transport,
      // A TTL and retry waits longer than the run: at close, hung attempts are in flight and
      // failed ones wait to retry.
      timeoutMs: 5000,
      retry: { retries: 3, minTimeout: 2000, maxTimeout: 5000, randomize: true },
      maxPending: EVENTS * 3,
    })
    await router.start()
    const lanes = { alpha: 16, beta: 4, gamma: 8 }
    for (const [id, concurrency] of Object.entries(lanes)) {
      router.integrations.add({
        id,
        type: 'webhook',
        config: { url: `${server.origin}/${id}`, signing: false },
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

    // The store's letters and what it keeps pending: read from the file once the router let go of it.
    const file = fresh.path === undefined ? undefined : await readStoreFile(fresh.path)
    const letters = file ? [...file.letters] : await router.deadLetters.list()
    const pending = new Map<string, DeliveryRecord>(
      (file?.records ?? []).map((record) => [record.id, record]),
    )
    const lettersById = new Map<string, DeadLetter>(letters.map((letter) => [letter.id, letter]))
    expect(duplicates).toEqual([])
    expect(new Set(emitted).size).toBe(EVENTS * 3)
    // Every delivery ended exactly once (succeeded, or a dead letter; never both), or, with a
    // durable store, is still pending in it and had no outcome.
    expect(results.size + pending.size).toBe(emitted.length)
    /** Checks a delivery's attempts against the server's log. */
    const checkHistory = (id: string, history: readonly AttemptRecord[]) => {
      const seen = new Map((server.byDelivery.get(id) ?? []).map((request) => [request.attempt, request]))
      // No attempt started once close() was called.
      expect(history.filter((attempt) => attempt.startedAt > closeAt)).toEqual([])
      // An attempt with a status got it from the server, for that very attempt.
      for (const attempt of history) {
        if (attempt.status === null) continue
        const request = seen.get(attempt.attempt) as ChaosRequest | undefined
        expect(request?.outcome).toBe('answered')
        expect(request?.status).toBe(attempt.status)
      }
    }
    let succeeded = 0
    const kinds = { queued: 0, inFlight: 0, waitingToRetry: 0, otherReason: 0 }
    const left = { queued: 0, waitingToRetry: 0 }
    for (const id of emitted) {
      const record = pending.get(id)
      if (record) {
        expect(results.has(id), `pending delivery ${id} had an outcome`).toBe(false)
        expect(lettersById.has(id)).toBe(false)
        checkHistory(id, record.history)
        const last = record.history.at(-1)
        // Left as it stood: never attempted, or after a failed attempt whose retry is counted.
        expect(last?.errorCode).not.toBe('ERR_DELIVERY_ABORTED')
        expect(last?.errorCode).not.toBeNull()
        if (!last) {
          left.queued++
          expect(record.attempts).toBeLessThanOrEqual(1)
        } else {
          left.waitingToRetry++
          expect(record.attempts).toBe(record.history.length + 1)
        }
        continue
      }
      const result = results.get(id) as DeliveryResult
      expect(result.history).toHaveLength(result.attempts)
      checkHistory(id, result.history)
      if (result.status === 'succeeded') {
        succeeded++
        expect(lettersById.has(id)).toBe(false)
        const answered = (server.byDelivery.get(id) ?? []).find(
          (request) => request.attempt === result.attempts,
        )
        expect(answered?.status).toBe(result.responseStatus)
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
    expect(succeeded + letters.length + pending.size).toBe(emitted.length)
    if (kind.durable) {
      // close() met every kind of pending delivery: it dead-lettered those in flight and left
      // the queued and retry-waiting ones in the store.
      expect(kinds.inFlight).toBeGreaterThan(0)
      expect(kinds.queued).toBe(0)
      expect(kinds.waitingToRetry).toBe(0)
      expect(left.queued).toBeGreaterThan(0)
      expect(left.waitingToRetry).toBeGreaterThan(0)
      expect(file?.summary.reduce((sum, entry) => sum + entry.pending, 0)).toBe(pending.size)
    } else {
      // close() met every kind of pending delivery, and dead-lettered each.
      expect(kinds.queued).toBeGreaterThan(0)
      expect(kinds.inFlight).toBeGreaterThan(0)
      expect(kinds.waitingToRetry).toBeGreaterThan(0)
    }
    expect(routerErrors).toEqual([])
    expect(escaped).toEqual([])
    console.info(
      `shutdown burst (${kind.name}): ${emitted.length} deliveries, ${settledBeforeClose} settled before close, ${succeeded} succeeded (${succeededWhileClosing} while closing), ${letters.length} dead letters ${JSON.stringify(kinds)}, ${pending.size} left pending ${JSON.stringify(left)}, ${requestsAtClose} requests`,
    )

    await transport.close()
    await server.close()
  }, 60_000)
})
