import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bundledFixture } from '../support/bundled-fixture.js'
import { envInt } from '../support/escaped-errors.js'
import { readStoreFile, type StoreFileContents } from '../support/stores-under-test.js'
import { tempDirectory } from '../support/temp-directory.js'
import {
  type IncomingWebhook,
  type ReceivedRequest,
  type ReceiverAnswer,
  startWebhookReceiver,
  type WebhookReceiver,
} from '../support/webhook-receiver.js'
import {
  ATTEMPT_HEADER,
  type CrashRouterConfig,
  INTEGRATION_ID,
  PROCESS_HEADER,
  RETRIES,
  SUBSCRIPTION_ID,
} from './fixtures/crash-protocol.js'

/*
 * A router process on an SQLite file is killed with SIGKILL (no close(), no flush, no exit
 * handler) at one point of its work; a second process opens the same file, starts and settles
 * what the first left. A real HTTP receiver in this process records every request: which
 * process sent it and which attempt number it carried. Between the two processes, this process
 * reads what the file holds, so every request can be accounted for against the records.
 *
 * What is asserted, for every delivery (see `checkRecovery`):
 * - Durable: a delivery whose emit() had returned (printed by the first process) is, at the
 *   kill, pending in the file, a dead letter in it, or was answered 2xx to the first process.
 * - Exactly once: in the end it was answered 2xx exactly once, or is a dead letter (never both,
 *   never neither). The one exception is a delivery in flight at the kill: its record holds an
 *   attempt counted without an outcome, and the receiver saw that very attempt from the first
 *   process; the second makes it again with the same number, so it may be answered 2xx once more.
 * - Attempts: each process sends a delivery's attempts in order, each number once; the first
 *   process sent exactly the attempts its record's history holds (plus the in-flight one); the
 *   second goes on from the record (the counted attempt, or the one after the history). So at
 *   most 1 + RETRIES = 6 distinct attempt numbers reach the receiver per delivery, and at most
 *   6 + 1 requests: the only number seen twice is the in-flight one. A dead letter holds
 *   exactly attempts 1..6.
 * - Configuration: the second process creates nothing; it lists the integration and the
 *   subscription exactly as the first created them (ids, timestamps) and uses them: its
 *   requests go to the same URL, signed with the secret the first one sealed in the file.
 *
 * Sizes: CRASH_DELIVERIES (default 400, at least 100) deliveries per scenario; `npm run
 * test:stress` runs 2000.
 */
const DELIVERIES = envInt('CRASH_DELIVERIES', 400)
const MAX_ATTEMPTS = 1 + RETRIES
/** How long any wait may take before the test gives up: generous, never asserted on. */
const DEADLINE_MS = 90_000
const SECRET = `whsec_${randomBytes(24).toString('base64')}`
const KEY = randomBytes(32).toString('base64')
const FIXTURE = await bundledFixture(fileURLToPath(new URL('./fixtures/crash-router.ts', import.meta.url)))

let directory = ''
let files = 0
const children: ChildProcessWithoutNullStreams[] = []
beforeAll(async () => {
  directory = await tempDirectory('eventrouter-crash-')
})
afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  await rm(directory, { recursive: true, force: true })
})

/** One run of the fixture: its output, parsed as it arrives. */
class RouterProcess {
  readonly lines: string[] = []
  /** Delivery id → event index, from `emitted` lines: past emit(), so in the file. */
  readonly emitted = new Map<string, number>()
  readonly errors: string[] = []
  stderr = ''
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined
  readonly exited: Promise<void>
  readonly #child: ChildProcessWithoutNullStreams

  constructor(config: CrashRouterConfig) {
    const child = spawn(process.execPath, [FIXTURE, JSON.stringify(config)], {
      stdio: 'pipe',
    })
    children.push(child)
    this.#child = child
    let partial = ''
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => {
      const text = partial + chunk
      const parts = text.split('\n')
      partial = parts.pop() ?? ''
      for (const line of parts) this.#read(line)
    })
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (chunk: string) => {
      this.stderr += chunk
    })
    // Resolves once the output is read to its end too.
    this.exited = new Promise((resolve) =>
      child.once('close', (code, signal) => {
        this.exit = { code, signal }
        resolve()
      }),
    )
  }

  #read(line: string): void {
    if (line.startsWith('emitted ')) {
      const [, index, id] = line.split(' ')
      this.emitted.set(id as string, Number(index))
      return
    }
    if (line.startsWith('error ')) this.errors.push(line)
    this.lines.push(line)
  }

  /** The rest of the first line starting with `word `, or `undefined`. */
  said(word: string): string | undefined {
    const line = this.lines.find((candidate) => candidate === word || candidate.startsWith(`${word} `))
    return line === undefined ? undefined : line.slice(word.length + 1)
  }

  send(text: string): void {
    this.#child.stdin.write(`${text}\n`)
  }

  async kill(): Promise<void> {
    this.#child.kill('SIGKILL')
    await this.exited
  }

  /** Waits for the process to exit by itself; kills it and fails if the deadline passes first. */
  async finished(what: string): Promise<void> {
    const deadline = Date.now() + DEADLINE_MS
    while (this.exit === undefined) {
      if (Date.now() > deadline) {
        await this.kill()
        throw new Error(
          `deadline passed before ${what}; last lines: ${this.lines.slice(-5).join(' | ')}\n${this.stderr}`,
        )
      }
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    await this.exited
  }

  /** Polls `condition` until it holds; fails with the process's output if it exits or the deadline passes. */
  async until(condition: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + DEADLINE_MS
    while (!condition()) {
      if (this.exit !== undefined || Date.now() > deadline) {
        throw new Error(
          `${this.exit ? `the fixture exited (${JSON.stringify(this.exit)})` : 'deadline passed'} before ${what}; last lines: ${this.lines.slice(-5).join(' | ')}\n${this.stderr}`,
        )
      }
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  }
}

const processOf = (request: IncomingWebhook) => request.headers[PROCESS_HEADER]
const attemptOf = (request: IncomingWebhook) => Number(request.headers[ATTEMPT_HEADER])
const is2xx = (request: ReceivedRequest) =>
  typeof request.answer === 'number' && request.answer >= 200 && request.answer < 300
const indexOf = (request: IncomingWebhook) => Number(request.body?.data?.index)
/** from, from + 1, ..., from + count - 1 */
const upTo = (from: number, count: number) => Array.from({ length: count }, (_, index) => from + index)

interface Scenario {
  readonly name: string
  /** The transport of each process: the stored configuration does not depend on it. */
  readonly transport: { readonly first: 'ky' | 'undici'; readonly second: 'ky' | 'undici' }
  readonly concurrency: number
  readonly emitUntilKilled: boolean
  /** What the receiver answers the first process; called once per request, in arrival order. */
  readonly first: (request: IncomingWebhook) => ReceiverAnswer
  /** What it answers the second. */
  readonly second: (request: IncomingWebhook) => ReceiverAnswer
  /** Drives the first process to the point where it is killed. */
  readonly killPoint: (first: RouterProcess, receiver: WebhookReceiver) => Promise<void>
}

/** Everything one crash and recovery left to check. */
interface Crash {
  readonly scenario: Scenario
  readonly first: RouterProcess
  readonly second: RouterProcess
  readonly receiver: WebhookReceiver
  /** The first process's held requests whose client was connected when the kill was sent. */
  readonly heldAtKill: readonly ReceivedRequest[]
  readonly atKill: StoreFileContents
  readonly final: StoreFileContents
  /** How long each process ran, in ms: for the log only. */
  readonly ms: { readonly first: number; readonly second: number }
}

async function crashAndRecover(scenario: Scenario): Promise<Crash> {
  const path = join(directory, `crash-${++files}.db`)
  const receiver = await startWebhookReceiver({
    secret: SECRET,
    decide: (request) =>
      request.headers[PROCESS_HEADER] === 'first' ? scenario.first(request) : scenario.second(request),
  })
  const base = {
    path,
    key: KEY,
    url: `${receiver.origin}/hooks`,
    secret: SECRET,
    concurrency: scenario.concurrency,
    retryMinMs: 200,
    retryMaxMs: 1000,
  }
  const first = new RouterProcess({
    ...base,
    role: 'first',
    transport: scenario.transport.first,
    deliveries: DELIVERIES,
    emitUntilKilled: scenario.emitUntilKilled,
  })
  const started = Date.now()
  try {
    await scenario.killPoint(first, receiver)
    const heldAtKill = receiver.heldOpen().filter((request) => processOf(request) === 'first')
    await first.kill()
    expect(first.exit).toEqual({ code: null, signal: 'SIGKILL' })
    const atKill = await readStoreFile(path)
    const killedAt = Date.now()

    const second = new RouterProcess({
      ...base,
      role: 'second',
      transport: scenario.transport.second,
      deliveries: 0,
      emitUntilKilled: false,
    })
    await second.finished('the second process settled everything and closed')
    expect(second.exit, second.stderr).toEqual({ code: 0, signal: null })
    const ms = { first: killedAt - started, second: Date.now() - killedAt }
    const final = await readStoreFile(path)
    return { scenario, first, second, receiver, heldAtKill, atKill, final, ms }
  } finally {
    await receiver.close()
  }
}

/** How the deliveries stood when the first process was killed, and what came of them. */
interface RecoveryReport {
  /** Deliveries printed by the first process (emit() had returned). */
  durable: number
  /** Deliveries known in all: printed, in the file, or seen by the receiver. */
  deliveries: number
  /** Settled by the first process (answered 2xx, or a dead letter), gone from the pending deliveries. */
  settledByFirst: number
  /** Pending in the file at the kill, by what they were doing. */
  atKill: {
    queued: number
    claimedNotSent: number
    inFlight: number
    waitingToRetry: number
  }
  requests: { first: number; second: number }
  /** In flight at the kill and answered 2xx by both processes. */
  received2xxTwice: number
  /** In flight at the kill and sent again by the second process with the same attempt number. */
  attemptSentTwice: number
  deadLetters: number
  maxAttempt: number
  /** Ids of the deliveries in flight at the kill. */
  inFlightIds: Set<string>
}

/** Checks every invariant of the header comment; returns what it counted. */
function checkRecovery(crash: Crash): RecoveryReport {
  const { first, second, receiver, atKill, final } = crash
  const problems: string[] = []
  const problem = (id: string, text: string) => {
    if (problems.length < 50) problems.push(`${id}: ${text}`)
  }
  const pending = new Map(atKill.records.map((record) => [record.id, record]))
  const lettersAtKill = new Map(atKill.letters.map((letter) => [letter.id, letter]))
  const finalLetters = new Map(final.letters.map((letter) => [letter.id, letter]))
  const report: RecoveryReport = {
    durable: first.emitted.size,
    deliveries: 0,
    settledByFirst: 0,
    atKill: { queued: 0, claimedNotSent: 0, inFlight: 0, waitingToRetry: 0 },
    requests: { first: 0, second: 0 },
    received2xxTwice: 0,
    attemptSentTwice: 0,
    deadLetters: finalLetters.size,
    maxAttempt: 0,
    inFlightIds: new Set(),
  }

  // Every request: signed with the secret the first process configured, to its URL, labelled.
  for (const request of receiver.requests) {
    const process = processOf(request)
    if (process === 'first') report.requests.first++
    else if (process === 'second') report.requests.second++
    else problem(request.deliveryId, `a request from an unknown process ${String(process)}`)
    if (!request.signed) problem(request.deliveryId, `a request from ${process} without a valid signature`)
    if (request.path !== '/hooks') problem(request.deliveryId, `a request to ${request.path}`)
    const attempt = attemptOf(request)
    if (!Number.isInteger(attempt) || attempt < 1 || attempt > MAX_ATTEMPTS) {
      problem(request.deliveryId, `attempt number ${request.headers[ATTEMPT_HEADER]}`)
    }
    report.maxAttempt = Math.max(report.maxAttempt, attempt)
  }

  const ids = new Set([
    ...first.emitted.keys(),
    ...pending.keys(),
    ...lettersAtKill.keys(),
    ...receiver.byDelivery.keys(),
  ])
  report.deliveries = ids.size
  for (const id of ids) {
    const requests = receiver.byDelivery.get(id) ?? []
    const byFirst = requests.filter((request) => processOf(request) === 'first').map(attemptOf)
    const bySecond = requests.filter((request) => processOf(request) === 'second').map(attemptOf)
    const record = pending.get(id)
    const index = first.emitted.get(id)
    if (index !== undefined) {
      for (const request of requests) {
        if (indexOf(request) !== index || request.body?.id !== `evt-${index}`)
          problem(id, 'carried another event')
      }
    }
    // Durable at the kill.
    if (
      index !== undefined &&
      !record &&
      !lettersAtKill.has(id) &&
      !requests.some((r) => processOf(r) === 'first' && is2xx(r))
    ) {
      problem(
        id,
        'printed by the first process, then neither pending, a dead letter nor received at the kill',
      )
    }
    // Each process sends attempts in order, each number once; the first starts at 1.
    if (byFirst.join() !== upTo(1, byFirst.length).join())
      problem(id, `first process sent attempts ${byFirst}`)
    let inFlight = false
    if (!record) {
      report.settledByFirst++
      if (bySecond.length > 0) problem(id, `settled by the first process, sent again as attempts ${bySecond}`)
    } else {
      const history = record.history.map((attempt) => attempt.attempt)
      if (history.join() !== upTo(1, history.length).join()) problem(id, `history of attempts ${history}`)
      inFlight = record.attempts > history.length && byFirst.includes(record.attempts)
      // The first process sent exactly what its record's history holds, plus the attempt in flight.
      const sentByFirst = inFlight ? record.attempts : history.length
      if (byFirst.length !== sentByFirst) {
        problem(
          id,
          `first process sent ${byFirst.length} attempts, its record says ${JSON.stringify({ attempts: record.attempts, history })}`,
        )
      }
      const next = Math.max(record.attempts, history.length + 1)
      if (bySecond.length === 0 || bySecond.join() !== upTo(next, bySecond.length).join()) {
        problem(id, `second process sent attempts [${bySecond}], expected from ${next}`)
      }
      if (inFlight) {
        report.atKill.inFlight++
        report.inFlightIds.add(id)
      } else if (record.attempts === 0) report.atKill.queued++
      else if (history.length === 0) report.atKill.claimedNotSent++
      else report.atKill.waitingToRetry++
    }
    // At most 1 + RETRIES attempts across both processes; only the one in flight at the kill reached the receiver twice.
    const distinct = new Set([...byFirst, ...bySecond])
    if (distinct.size > MAX_ATTEMPTS) problem(id, `${distinct.size} distinct attempts`)
    const repeated = requests.length - distinct.size
    if (repeated > (inFlight ? 1 : 0))
      problem(id, `${requests.length} requests for ${distinct.size} attempts`)
    if (repeated === 1) report.attemptSentTwice++
    // Exactly once: received (2xx) or a dead letter; received twice only when in flight at the kill.
    const received = requests.filter(is2xx).length
    const letter = finalLetters.get(id)
    if (received > 0 === (letter !== undefined)) {
      problem(id, `answered 2xx ${received} times, ${letter ? 'and' : 'not'} a dead letter`)
    }
    if (received > (inFlight ? 2 : 1)) problem(id, `answered 2xx ${received} times`)
    if (received === 2) report.received2xxTwice++
    if (letter) {
      const attempts = letter.history.map((attempt) => attempt.attempt)
      if (letter.reason !== 'retries_exhausted' || attempts.join() !== upTo(1, MAX_ATTEMPTS).join()) {
        problem(id, `dead letter ${letter.reason} with attempts ${attempts}`)
      }
      if (distinct.size !== MAX_ATTEMPTS)
        problem(id, `dead-lettered after ${distinct.size} attempts reached the receiver`)
    }
  }
  expect(problems).toEqual([])

  // Nothing left pending; what the second process settled is what the first left.
  expect(final.summary).toEqual([])
  expect(final.records).toEqual([])
  for (const letter of lettersAtKill.values()) expect(finalLetters.get(letter.id)).toEqual(letter)
  const leftPending = atKill.summary.reduce((sum, entry) => sum + entry.pending, 0)
  expect(leftPending).toBe(atKill.records.length)
  expect(Number(second.said('resumed'))).toBe(leftPending)
  const idle = JSON.parse(second.said('idle') ?? '{}') as {
    succeeded: number
    failed: number
    pendingCount: number
  }
  expect(idle).toEqual({
    succeeded: leftPending - (final.letters.length - atKill.letters.length),
    failed: final.letters.length - atKill.letters.length,
    pendingCount: 0,
  })
  expect(second.said('closed')).toBe('')
  expect(first.errors).toEqual([])
  expect(second.errors).toEqual([])

  // The second process created nothing: it lists what the first created, as the first created it.
  const created = JSON.parse(first.said('config') ?? 'null') as {
    integrations: { id: string; createdAt: string }[]
    subscriptions: { id: string; createdAt: string }[]
  }
  expect(created.integrations.map((integration) => integration.id)).toEqual([INTEGRATION_ID])
  expect(created.subscriptions.map((subscription) => subscription.id)).toEqual([SUBSCRIPTION_ID])
  expect(JSON.parse(second.said('config') ?? 'null')).toEqual(created)
  expect(
    final.configuration.integrations.map((integration) => [integration.id, integration.createdAt]),
  ).toEqual(created.integrations.map((integration) => [integration.id, integration.createdAt]))
  expect(
    final.configuration.subscriptions.map((subscription) => [subscription.id, subscription.createdAt]),
  ).toEqual(created.subscriptions.map((subscription) => [subscription.id, subscription.createdAt]))
  // The secret is sealed in the file, not in clear.
  expect(final.configuration.integrations[0]?.secrets.format).toBe('aes-256-gcm')
  return report
}

function log(crash: Crash, report: RecoveryReport): void {
  const { inFlightIds: _inFlight, ...counts } = report
  console.info(`crash ${crash.scenario.name}: ${JSON.stringify({ ...counts, ms: crash.ms })}`)
}

describe('a router killed with SIGKILL, then started again on its SQLite file', () => {
  it(
    'mid-emit: every delivery emit() returned is received once, counted attempts included',
    async () => {
      const crash = await crashAndRecover({
        name: 'mid-emit',
        transport: { first: 'ky', second: 'undici' },
        concurrency: 16,
        // It emits until killed: the kill lands between two emits or inside one.
        emitUntilKilled: true,
        first: () => 200,
        second: () => 200,
        killPoint: (first) => first.until(() => first.emitted.size >= DELIVERIES, `${DELIVERIES} emits`),
      })
      const report = checkRecovery(crash)
      log(crash, report)
      expect(crash.first.said('emitted-all')).toBeUndefined()
      expect(report.durable).toBeGreaterThanOrEqual(DELIVERIES)
      expect(report.deadLetters).toBe(0)
      expect(crash.atKill.records.length).toBeGreaterThan(0)
    },
    DEADLINE_MS * 2,
  )

  it(
    'mid-attempt: requests held open at the kill are made again, with the same attempt number',
    async () => {
      const concurrency = 32
      const counts = { requests: 0, unavailable: 0, held: 0 }
      const crash = await crashAndRecover({
        name: 'mid-attempt',
        transport: { first: 'undici', second: 'undici' },
        concurrency,
        emitUntilKilled: false,
        // A quarter are answered; after that the receiver holds every request open.
        first: () => (++counts.requests <= DELIVERIES / 4 ? 200 : 'hold'),
        second: () => 200,
        killPoint: (first, receiver) =>
          first.until(
            () => first.said('emitted-all') !== undefined && receiver.heldOpen().length >= concurrency,
            `${concurrency} requests held open`,
          ),
      })
      const report = checkRecovery(crash)
      log(crash, report)
      // Every slot was held: those were in flight, and were sent again once, as the same attempt.
      expect(crash.heldAtKill).toHaveLength(concurrency)
      for (const held of crash.heldAtKill) {
        expect(report.inFlightIds.has(held.deliveryId)).toBe(true)
        const requests = crash.receiver.byDelivery.get(held.deliveryId) ?? []
        expect(requests.map((request) => [processOf(request), attemptOf(request), request.answer])).toEqual([
          ['first', 1, 'hold'],
          ['second', 1, 200],
        ])
      }
      expect(report.attemptSentTwice).toBeGreaterThanOrEqual(concurrency)
      expect(report.deadLetters).toBe(0)
      expect(report.durable).toBe(DELIVERIES)
    },
    DEADLINE_MS * 2,
  )

  it(
    'during retry waits: attempts counted by both processes never exceed 1 + 5',
    async () => {
      const counts = { requests: 0, unavailable: 0, held: 0 }
      // Every 8th delivery keeps failing after the restart: it ends a dead letter after exactly 6 attempts.
      const failsForGood = (request: IncomingWebhook) => indexOf(request) % 8 === 0
      const crash = await crashAndRecover({
        name: 'retry-waits',
        transport: { first: 'undici', second: 'undici' },
        concurrency: 32,
        emitUntilKilled: false,
        first: () => {
          counts.unavailable++
          return 503
        },
        second: (request) => (failsForGood(request) ? 503 : 200),
        killPoint: (first, receiver) =>
          first.until(
            () =>
              first.said('emitted-all') !== undefined &&
              counts.unavailable >= DELIVERIES &&
              receiver.requests.some((request) => attemptOf(request) >= 3),
            'retries under way',
          ),
      })
      const report = checkRecovery(crash)
      log(crash, report)
      expect(report.atKill.waitingToRetry).toBeGreaterThan(0)
      expect(report.maxAttempt).toBe(MAX_ATTEMPTS)
      // The first process got no 2xx at all: a delivery ends a dead letter if it ran out of
      // attempts in the first process, or if its index keeps failing; every other one was
      // received once, from the second process.
      const letteredByFirst = new Set(crash.atKill.letters.map((letter) => letter.id))
      const lettered = new Set(crash.final.letters.map((letter) => letter.id))
      for (const record of crash.atKill.records) {
        const index = Number(record.event.payload.index)
        expect(lettered.has(record.id), `delivery ${record.id} (index ${index})`).toBe(index % 8 === 0)
      }
      expect(lettered.size).toBe(
        letteredByFirst.size +
          crash.atKill.records.filter((record) => Number(record.event.payload.index) % 8 === 0).length,
      )
      expect(report.deadLetters).toBeGreaterThan(0)
      expect(report.received2xxTwice).toBe(0)
    },
    DEADLINE_MS * 2,
  )

  it(
    'during close(): attempts in flight and retries cut short by close() are finished by the next process',
    async () => {
      const counts = { requests: 0, unavailable: 0, held: 0 }
      const crash = await crashAndRecover({
        name: 'during-close',
        transport: { first: 'ky', second: 'undici' },
        concurrency: 16,
        emitUntilKilled: false,
        // Some requests are held open (close() waits for them), some fail and wait to retry.
        first: (request) => {
          const index = indexOf(request)
          if (index % 10 === 2 && counts.held < 8) {
            counts.held++
            return 'hold'
          }
          if (index % 10 === 1) {
            counts.unavailable++
            return 503
          }
          return 200
        },
        second: () => 200,
        killPoint: async (first, receiver) => {
          await first.until(
            () =>
              first.said('emitted-all') !== undefined &&
              receiver.heldOpen().length >= 8 &&
              counts.unavailable >= Math.min(100, DELIVERIES / 10),
            'held and failed requests',
          )
          first.send('close')
          await first.until(() => first.said('closing') !== undefined, 'close() to begin')
        },
      })
      const report = checkRecovery(crash)
      log(crash, report)
      expect(crash.first.said('closed')).toBeUndefined()
      expect(crash.heldAtKill).toHaveLength(8)
      for (const held of crash.heldAtKill) expect(report.inFlightIds.has(held.deliveryId)).toBe(true)
      expect(report.atKill.waitingToRetry).toBeGreaterThan(0)
    },
    DEADLINE_MS * 2,
  )
})
