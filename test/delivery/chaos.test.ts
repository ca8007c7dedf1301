import { describe, expect, it } from 'vitest'
import {
  type AttemptFailure,
  type AttemptRecord,
  type DeadLetter,
  type DeliveryFailed,
  type DeliveryResult,
  EventRouter,
  kyTransport,
  type Transport,
  webhookAdapter,
} from '../../src/index.js'
import { undiciTransport } from '../../src/transport/undici/index.js'
import {
  type ChaosRequest,
  type ChaosServer,
  startChaosServer,
  withAttemptHeader,
} from '../support/chaos-server.js'
import { envInt, trackEscapedErrors } from '../support/escaped-errors.js'
import { heapUsedAfterGc, MB } from '../support/heap.js'
import { readStoreFile, STORES, type StoreUnderTest, storeFiles } from '../support/stores-under-test.js'

// Sizes: CHAOS_EVENTS events per run, three deliveries each: 150 by default, enough for every
// kind of answer and an open circuit; `npm run test:stress` runs 1000, CHAOS_EVENTS=20000 soaks.
const EVENTS = envInt('CHAOS_EVENTS', 150)
/** A generous deadline per run that grows with its size (a soak takes minutes), never asserted on. */
const RUN_TIMEOUT_MS = 60_000 + EVENTS * 60
const SEED = envInt('CHAOS_SEED', 0x5eed)
/** Heap growth allowed across one run, after every reference to it is dropped. */
const HEAP_SLACK_MB = envInt('CHAOS_HEAP_SLACK_MB', 12)
const TTL_MS = 200
const RETRY = { retries: 3, minTimeout: 1, maxTimeout: 20, randomize: true, throttledRetries: 2 } as const
const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`

// The server may answer, hang, reset or be slow; no outcome may escape as an unhandled error.
const escaped = trackEscapedErrors()
const files = storeFiles('eventrouter-chaos-')

/** Errors of an attempt that got no response: the request may or may not have reached the server. */
const NO_RESPONSE = new Set(['ERR_ATTEMPT_TIMEOUT', 'ERR_NETWORK'])

/**
 * What is wrong with the pair (router attempt, server's request of that attempt), or
 * `undefined`. `seen` is undefined when the request never reached the server.
 */
function mismatch(attempt: AttemptRecord, seen: ChaosRequest | undefined): string | undefined {
  if (attempt.status !== null) {
    // The router saw a status only if the server wrote exactly that to a live socket.
    if (seen?.outcome === 'answered' && seen.status === attempt.status) return undefined
    return 'a status the server did not answer'
  }
  if (!NO_RESPONSE.has(attempt.errorCode ?? '')) return `unexpected ${attempt.errorCode}`
  if (seen === undefined) return undefined
  // A hung request ends only by the TTL. A reset is a network error, or the TTL when it lands
  // later. An answer is lost when the TTL fires before it arrives.
  if (seen.outcome === 'hung' && attempt.errorCode !== 'ERR_ATTEMPT_TIMEOUT') return 'hang without timeout'
  return undefined
}

interface ChaosRun {
  readonly transport: 'ky' | 'undici'
  readonly circuitBreaker: boolean
}

interface RunReport {
  deliveries: number
  succeeded: number
  deadLetters: Record<string, number>
  requests: number
  actions: Record<string, number>
  /** 2xx answers the router never saw (its TTL fired first): delivered twice or dead-lettered. */
  lostAnswers: number
  /** Requests the server read after a later attempt of the same delivery (an abandoned attempt read late). */
  reordered: number
  suspensions: number
  /** Heap the run's state held at its end (router, results, letters, server log), after gc. */
  heldMb: number
  retainedMb: number
}

interface RunOutcome {
  readonly report: RunReport
  /** The router and one delivery result: both must be collectable once the run is over. */
  readonly refs: readonly WeakRef<object>[]
}

/** One chaos run; every invariant is checked inside, and nothing of it is returned but counts. */
async function runChaos(
  run: ChaosRun,
  kind: StoreUnderTest,
  seed: number,
  baseline: number,
): Promise<RunOutcome> {
  const server: ChaosServer = await startChaosServer({
    seed,
    weights: { ok: 50, slow: 15, error500: 8, unavailable503: 7, throttled429: 6, hang: 5, reset: 6 },
    // With the breaker on, one destination mostly fails, so that its circuit opens and parks.
    routes: run.circuitBreaker
      ? { '/bad': { ok: 10, slow: 5, error500: 35, unavailable503: 20, hang: 10, reset: 20 } }
      : {},
    slowMs: [5, 60],
    maxRetryAfterSeconds: 1,
  })
  const transport: Transport & { close(): Promise<void> } =
    run.transport === 'ky'
      ? kyTransport({ allowPrivateNetworks: true })
      : undiciTransport({ allowPrivateNetworks: true })
  const fresh = files.fresh(kind)
  const router = new EventRouter({
    ...fresh.options,
    adapters: [withAttemptHeader(webhookAdapter())],
    transport,
    timeoutMs: TTL_MS,
    retry: RETRY,
    maxPending: 2000,
    // Parked deliveries stay dead letters here (no automatic replay), so that each delivery has
    // exactly one outcome to reconcile; replay has its own tests (circuit-breaker.test.ts).
    circuitBreaker: run.circuitBreaker
      ? { failureThreshold: 3, coolDownMs: 100, replayParked: false }
      : false,
  })
  await router.start()
  const lastPath = run.circuitBreaker ? '/bad' : '/gamma'
  router.integrations.add({
    id: 'alpha',
    type: 'webhook',
    config: { url: `${server.origin}/alpha`, signing: false },
    pacing: { concurrency: 4 },
  })
  router.integrations.add({
    id: 'beta',
    type: 'webhook',
    config: { url: `${server.origin}/beta`, secret: SECRET },
    pacing: { concurrency: 2, perSecond: 2000 },
  })
  router.integrations.add({
    id: 'gamma',
    type: 'webhook',
    config: { url: `${server.origin}${lastPath}`, signing: false },
    pacing: { concurrency: 8 },
  })
  for (const integrationId of ['alpha', 'beta', 'gamma']) {
    router.subscriptions.create({ event: 'order.paid', integrationId })
  }

  const results = new Map<string, DeliveryResult>()
  const duplicates: string[] = []
  // Only what the checks need: an AttemptFailure's error keeps its cause, which for fetch
  // holds about 10 KB of client internals, and would swamp the heap figures.
  const attemptFailures = new Map<string, Pick<AttemptFailure, 'attempt' | 'willRetry'>[]>()
  const letteredEvents: DeadLetter[] = []
  const routerErrors: unknown[] = []
  let suspensions = 0
  const settle = (result: DeliveryResult) => {
    if (results.has(result.delivery.id)) duplicates.push(result.delivery.id)
    results.set(result.delivery.id, result)
  }
  router.on('deliverySucceeded', settle)
  router.on('deliveryFailed', settle)
  router.on('attemptFailed', ({ delivery, attempt, willRetry }) => {
    const list = attemptFailures.get(delivery.id)
    if (list) list.push({ attempt, willRetry })
    else attemptFailures.set(delivery.id, [{ attempt, willRetry }])
  })
  router.on('deliveryDeadLettered', (letter) => letteredEvents.push(letter))
  router.on('integrationSuspended', () => suspensions++)
  router.on('error', (error) => routerErrors.push(error))

  // A steady stream: emitAsync waits whenever maxPending deliveries are pending.
  const emitted: string[] = []
  for (let index = 0; index < EVENTS; index++) {
    const receipt = await router.emitAsync(
      'order.paid',
      { order: index, total: (index % 97) + 0.5, customer: { id: `cus_${index % 13}` } },
      { id: `evt-${run.transport}-${index}` },
    )
    for (const delivery of receipt.deliveries) emitted.push(delivery.id)
    expect(router.pendingCount).toBeLessThanOrEqual(2000)
  }
  await router.onIdle()
  expect(router.pendingCount).toBe(0)
  const letters = await router.deadLetters.list()
  await router.close({ timeoutMs: 1000 })
  await transport.close()
  await server.close()
  if (fresh.path !== undefined) {
    // What the file keeps once closed: nothing pending, and exactly the letters listed.
    const file = await readStoreFile(fresh.path)
    expect(file.records).toEqual([])
    expect(file.letters.map((letter) => letter.id).sort()).toEqual(letters.map((letter) => letter.id).sort())
  }

  // Every delivery ended exactly once: succeeded, or a dead letter (never both, never neither).
  expect(new Set(emitted).size).toBe(EVENTS * 3)
  expect(duplicates).toEqual([])
  expect(results.size).toBe(emitted.length)
  const lettersById = new Map(letters.map((letter) => [letter.id, letter]))
  expect(lettersById.size).toBe(letters.length)
  expect(letteredEvents).toHaveLength(letters.length)
  const succeededIds = new Set<string>()
  const failed: DeliveryFailed[] = []
  for (const id of emitted) {
    const result = results.get(id)
    expect(result, `no outcome for delivery ${id}`).toBeDefined()
    if (result?.status === 'succeeded') {
      succeededIds.add(id)
      expect(lettersById.has(id), `succeeded delivery ${id} is also a dead letter`).toBe(false)
    } else if (result) {
      failed.push(result)
      expect(lettersById.has(id), `failed delivery ${id} has no dead letter`).toBe(true)
    }
  }
  expect(succeededIds.size + failed.length).toBe(emitted.length)
  expect(letters).toHaveLength(failed.length)
  expect(routerErrors).toEqual([])

  const allowedReasons = run.circuitBreaker ? ['retries_exhausted', 'circuit_open'] : ['retries_exhausted']
  const deadLetters: Record<string, number> = {}
  for (const result of failed) {
    const letter = lettersById.get(result.delivery.id) as DeadLetter
    deadLetters[letter.reason] = (deadLetters[letter.reason] ?? 0) + 1
    expect(allowedReasons).toContain(letter.reason)
    expect(letter.reason).toBe(result.reason)
    expect(letter.error.code).toBe(result.error.code)
    // The letter keeps every attempt made, each failed, in order.
    expect(letter.history).toHaveLength(result.attempts)
    letter.history.forEach((attempt, index) => {
      expect(attempt.attempt).toBe(index + 1)
      expect(attempt.errorCode).not.toBeNull()
      if (attempt.status !== null) expect(attempt.errorCode).toBe('ERR_HTTP_STATUS')
    })
    if (letter.reason === 'retries_exhausted') {
      // Throttled answers beyond `throttledRetries` count against `retries`.
      const throttled = letter.history.filter((attempt) => attempt.status === 429).length
      const counted = letter.history.length - throttled + Math.max(0, throttled - RETRY.throttledRetries)
      expect(counted).toBe(RETRY.retries + 1)
      expect(letter.error.status).toBe(letter.history.at(-1)?.status ?? null)
    } else {
      // Mostly `gamma` (its destination mostly fails); on a starved machine, TTL expiries
      // can open the others' circuits too.
      expect(letter.error.code).toBe('ERR_CIRCUIT_OPEN')
    }
  }
  if (run.circuitBreaker) {
    expect(suspensions).toBeGreaterThan(0)
    expect(deadLetters.circuit_open ?? 0).toBeGreaterThan(0)
  }

  // The server's view agrees with the router's, attempt by attempt.
  let lostAnswers = 0
  let reordered = 0
  for (const id of emitted) {
    const result = results.get(id) as DeliveryResult
    const seen = server.byDelivery.get(id) ?? []
    expect(result.history).toHaveLength(result.attempts)
    // The server saw each attempt at most once, and no attempt the router did not make.
    const byAttempt = new Map(seen.map((request) => [request.attempt, request]))
    expect(byAttempt.size, `delivery ${id}: an attempt reached the server twice`).toBe(seen.length)
    for (const request of seen) {
      expect(request.attempt).toBeGreaterThanOrEqual(1)
      expect(request.attempt).toBeLessThanOrEqual(result.attempts)
    }
    for (let index = 1; index < seen.length; index++) {
      if ((seen[index] as ChaosRequest).attempt < (seen[index - 1] as ChaosRequest).attempt) reordered++
    }
    result.history.forEach((attempt, index) => {
      expect(attempt.attempt).toBe(index + 1)
      const problem = mismatch(attempt, byAttempt.get(attempt.attempt))
      expect(
        problem,
        `delivery ${id} attempt ${attempt.attempt}: router recorded ${attempt.status}/${attempt.errorCode}, server ${JSON.stringify(byAttempt.get(attempt.attempt))}`,
      ).toBeUndefined()
    })
    // One attemptFailed per failed attempt, in order, whatever came next.
    const failures = attemptFailures.get(id) ?? []
    expect(failures.map((failure) => failure.attempt)).toEqual(
      result.history.filter((attempt) => attempt.errorCode !== null).map((attempt) => attempt.attempt),
    )
    const accepted = seen.filter((r) => r.outcome === 'answered' && r.status !== null && r.status < 300)
    if (result.status === 'succeeded') {
      const last = result.history.at(-1)
      expect(last?.errorCode).toBeNull()
      expect(last?.status).toBe(result.responseStatus)
      expect(result.history.slice(0, -1).every((attempt) => attempt.errorCode !== null)).toBe(true)
      // A success was answered 2xx by the server, to its last attempt.
      expect(byAttempt.get(result.attempts)?.status).toBe(result.responseStatus)
      expect(failures.some((failure) => !failure.willRetry)).toBe(false)
      lostAnswers += accepted.length - 1
    } else {
      // Accepted by the server yet dead-lettered: only when that answer never reached the
      // router (its TTL fired first), which the history match above has pinned to a
      // no-response attempt.
      lostAnswers += accepted.length
    }
  }
  // Every request the server saw carried a delivery id the router emitted.
  const emittedIds = new Set(emitted)
  expect(server.requests.filter((r) => !emittedIds.has(r.deliveryId))).toEqual([])

  const actions: Record<string, number> = {}
  for (const request of server.requests) actions[request.action] = (actions[request.action] ?? 0) + 1
  const report: RunReport = {
    deliveries: emitted.length,
    succeeded: succeededIds.size,
    deadLetters,
    requests: server.requests.length,
    actions,
    lostAnswers,
    reordered,
    suspensions,
    heldMb: toMb((await heapUsedAfterGc()) - baseline),
    retainedMb: 0,
  }
  const refs = [new WeakRef(router), new WeakRef(results.values().next().value as object)]
  server.clear()
  // The memory store's letters live in the heap; a closed SQLite store's live in its file.
  if (!kind.durable) await router.deadLetters.discard({})
  return { report, refs }
}

const toMb = (bytes: number) => Math.round((bytes / MB) * 10) / 10

describe.each(STORES)('delivery under chaos (real HTTP server on 127.0.0.1, $name store)', (kind) => {
  const runs: readonly (ChaosRun & { readonly name: string; readonly seed: number })[] = [
    { name: 'kyTransport, no circuit breaker', transport: 'ky', circuitBreaker: false, seed: SEED },
    { name: 'undiciTransport, circuit breaker', transport: 'undici', circuitBreaker: true, seed: SEED + 1 },
  ]
  for (const run of runs) {
    it(
      `${run.name}: every delivery is received or dead-lettered, and nothing is retained`,
      async () => {
        // Node loads fetch's undici on the first fetch() and keeps it: load it before the baseline.
        await fetch('data:text/plain,warm-up').then((response) => response.text())
        // The same for the SQLite driver: loaded by the first open, and kept.
        const { store } = files.fresh(kind).options
        if (store) {
          await store.open()
          await store.close()
        }
        const before = await heapUsedAfterGc()
        const { report, refs } = await runChaos(run, kind, run.seed, before)
        const after = await heapUsedAfterGc()
        report.retainedMb = toMb(after - before)
        console.info(`chaos ${run.name}, ${kind.name} store (seed ${run.seed}): ${JSON.stringify(report)}`)
        // The schedule produced every kind of answer.
        for (const action of ['ok', 'slow', 'error500', 'unavailable503', 'throttled429', 'hang', 'reset']) {
          expect(report.actions[action] ?? 0, action).toBeGreaterThan(0)
        }
        expect(report.succeeded).toBeGreaterThan(0)
        expect(escaped).toEqual([])
        // Once the run's references are dropped, nothing keeps the router or a delivery alive:
        // no timer, socket, listener or module-level cache. This is exact (a full gc ran).
        expect(refs.map((ref) => ref.deref())).toEqual([undefined, undefined])
        // And the heap is back near its start. The slack absorbs what a first run keeps for
        // good (compiled code, the global dispatcher's pools): about 1 to 6 MB here, while the
        // run held several times that at its end (heldMb). A coarse bound that cannot flake;
        // the WeakRef check above is the precise one.
        expect(after - before).toBeLessThan(HEAP_SLACK_MB * MB)
      },
      RUN_TIMEOUT_MS,
    )
  }
})
