import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { EventRouter, webhookAdapter } from '../../../src/index.js'
import { redisStore } from '../../../src/stores/redis/index.js'
import { undiciTransport } from '../../../src/transport/undici/index.js'
import { coinsRewarded } from '../../factories.js'
import { deletePrefix, REDIS_URL, redisForTests, uniquePrefix } from '../../support/redis.js'

const reachable = await redisForTests()
const KEY = { id: 'k1', key: randomBytes(32) }
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const EVENT = 'wallet.coins_rewarded'
const prefixes: string[] = []
afterAll(async () => {
  if (reachable) await Promise.all(prefixes.map((prefix) => deletePrefix(prefix)))
})

/** One request the receiver read: the delivery id, what it answered, and what the routers had said by then. */
interface Received {
  readonly deliveryId: string
  readonly status: number
  readonly resumedBefore: number
}

/**
 * A destination on 127.0.0.1 that answers `state.status` to every request, or holds requests while
 * `holding` (answered with the status in force when `release()` is called). A success is answered
 * after `state.successDelayMs`: a second probe sent by another process would arrive meanwhile,
 * before any router can have resumed.
 */
async function startReceiver(resumedSoFar: () => number) {
  const received: Received[] = []
  const held: { readonly deliveryId: string; readonly response: ServerResponse }[] = []
  const state = { status: 500, holding: true, successDelayMs: 250 }
  let answering = 0
  const answer = (deliveryId: string, response: ServerResponse) => {
    const { status } = state
    received.push({ deliveryId, status, resumedBefore: resumedSoFar() })
    if (status >= 300) {
      response.writeHead(status).end()
      return
    }
    answering++
    setTimeout(() => {
      answering--
      response.writeHead(status).end()
    }, state.successDelayMs)
  }
  const server = createServer((request, response) => {
    const deliveryId = String(request.headers['webhook-id'])
    request.resume()
    request.on('end', () => {
      if (state.holding) held.push({ deliveryId, response })
      else answer(deliveryId, response)
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    state,
    held,
    /** Successes not answered yet. */
    answering: () => answering,
    release() {
      state.holding = false
      for (const { deliveryId, response } of held.splice(0)) answer(deliveryId, response)
    },
    close: () => {
      server.closeAllConnections()
      return new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** A router of the fleet: its own `redisStore()` on `prefix` (as another process would have), its own transport. */
function member(prefix: string) {
  const transport = undiciTransport({ allowedAddresses: ['127.0.0.1'] })
  const router = new EventRouter({
    adapters: [webhookAdapter()],
    transport,
    store: redisStore({ connection: REDIS_URL, prefix, commandTimeoutMs: 2000 }),
    secrets: { keys: [KEY] },
    retry: { retries: 0, minTimeout: 0, maxTimeout: 0, randomize: false },
    circuitBreaker: { failureThreshold: 2, coolDownMs: 1500, replayParked: true },
  })
  const seen = { suspended: 0, resumed: 0 }
  router.on('integrationSuspended', () => seen.suspended++)
  router.on('integrationResumed', () => seen.resumed++)
  return { router, transport, seen }
}

const WAIT = { timeout: 15_000, interval: 20 }

describe.skipIf(!reachable)(
  'one circuit breaker for a fleet of routers sharing a redisStore() prefix',
  () => {
    it('failures in one process open the circuit in every process; one probe for the fleet; each parked delivery replayed once', async () => {
      const prefix = uniquePrefix('fleet-circuit')
      prefixes.push(prefix)
      const a = member(prefix)
      const b = member(prefix)
      const receiver = await startReceiver(() => a.seen.resumed + b.seen.resumed)
      try {
        // A long sync interval: what B learns of A's circuit, it learns from the store's notices.
        await a.router.start({ syncIntervalMs: 60_000 })
        a.router.integrations.add({
          id: 'crm',
          type: 'webhook',
          config: { url: `${receiver.origin}/hooks`, secret: SECRET },
        })
        a.router.subscriptions.create({ id: 'sub', event: EVENT, integrationId: 'crm' })
        // Two deliveries, held at the destination until B runs, so that A alone makes (and sees) the failures.
        const failed = [a.router.emit(EVENT, coinsRewarded()), a.router.emit(EVENT, coinsRewarded())]
        await vi.waitFor(() => expect(receiver.held).toHaveLength(2), WAIT)
        await b.router.start({ syncIntervalMs: 60_000 })
        expect(b.router.stats().integrations[0]?.circuit).toBe('closed')

        receiver.release()
        for (const receipt of failed) {
          expect((await receipt.settled)[0]).toMatchObject({ status: 'failed', reason: 'retries_exhausted' })
        }
        expect(a.seen.suspended).toBe(1)
        // B saw no failure: the circuit opens there because it opened in A.
        await vi.waitFor(() => expect(b.seen.suspended).toBe(1), WAIT)
        expect(b.router.stats().integrations[0]?.circuit).toBe('open')

        // Whichever process claims them, new deliveries are parked, none reaches the destination.
        const parked = [
          b.router.emit(EVENT, coinsRewarded()),
          b.router.emit(EVENT, coinsRewarded()),
          a.router.emit(EVENT, coinsRewarded()),
        ].flatMap((receipt) => receipt.deliveries.map((delivery) => delivery.id))
        await vi.waitFor(async () => {
          const letters = await b.router.deadLetters.list({ reason: 'circuit_open' })
          expect(letters.map((letter) => letter.delivery.id).sort()).toEqual([...parked].sort())
        }, WAIT)
        expect(receiver.received).toHaveLength(2)

        // The destination is back. After the cool-down both processes' probe timers fire: one probes.
        receiver.state.status = 200
        await vi.waitFor(() => {
          expect(a.seen.resumed).toBe(1)
          expect(b.seen.resumed).toBe(1)
        }, WAIT)
        await vi.waitFor(() => {
          const delivered = new Set(
            receiver.received.filter((r) => r.status === 200).map((r) => r.deliveryId),
          )
          expect([...delivered].sort()).toEqual([...parked].sort())
        }, WAIT)
        // Nothing more on its way: no attempt in flight in either process, none parked any more.
        await vi.waitFor(async () => {
          expect(receiver.answering()).toBe(0)
          expect(a.router.stats().integrations[0]?.inFlight).toBe(0)
          expect(b.router.stats().integrations[0]?.inFlight).toBe(0)
          expect(await a.router.deadLetters.list({ reason: 'circuit_open' })).toEqual([])
        }, WAIT)
        const recovered = receiver.received.filter((r) => r.status === 200)
        // One probe: a single request went out before a router resumed.
        expect(recovered.filter((r) => r.resumedBefore === 0)).toHaveLength(1)
        // Each parked delivery exactly once: the process that closed the circuit replayed them, alone.
        const counts = new Map<string, number>()
        for (const { deliveryId } of recovered) counts.set(deliveryId, (counts.get(deliveryId) ?? 0) + 1)
        expect(Object.fromEntries(counts)).toEqual(Object.fromEntries(parked.map((id) => [id, 1])))
        expect(a.seen.suspended).toBe(1)
        expect(b.seen.suspended).toBe(1)
      } finally {
        await Promise.all([a.router.close(), b.router.close()])
        await Promise.all([a.transport.close(), b.transport.close(), receiver.close()])
      }
    })
  },
)
