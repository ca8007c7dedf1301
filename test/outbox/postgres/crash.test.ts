import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bundledFixture } from '../../support/bundled-fixture.js'
import { POSTGRES_CONFIG, reachPostgres, testPool, testSchema } from '../../support/postgres.js'
import { tempDirectory } from '../../support/temp-directory.js'
import { startWebhookReceiver } from '../../support/webhook-receiver.js'
import type { CrashRelayConfig } from './fixtures/crash-relay.js'
import { DEADLINE_MS, migratedOutbox, outboxRows, rewardCoins } from './outbox-harness.js'

/*
 * A relay process is killed with SIGKILL after emit() returned for events of a batch and before
 * it marked them relayed; a second process, on the same SQLite file and the same table, claims
 * those rows again. Its emits are duplicates (the router's durable store remembered the ids),
 * so every event reaches the receiver once, with one delivery id.
 */
const postgres = await reachPostgres('test/outbox/postgres/crash.test.ts')
const FIXTURE = await bundledFixture(fileURLToPath(new URL('./fixtures/crash-relay.ts', import.meta.url)))
const SECRET = `whsec_${randomBytes(24).toString('base64')}`

let directory = ''
const children: ChildProcessWithoutNullStreams[] = []
beforeAll(async () => {
  directory = await tempDirectory('eventrouter-outbox-crash-')
})
afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  await rm(directory, { recursive: true, force: true })
})

/** One run of the fixture, its output read line by line. */
class RelayProcess {
  readonly lines: string[] = []
  stderr = ''
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined
  readonly exited: Promise<void>
  readonly #child: ChildProcessWithoutNullStreams

  constructor(config: CrashRelayConfig) {
    const child = spawn(process.execPath, [FIXTURE, JSON.stringify(config)], {
      stdio: 'pipe',
    })
    children.push(child)
    this.#child = child
    let partial = ''
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n')
      partial = parts.pop() ?? ''
      this.lines.push(...parts)
    })
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (chunk: string) => {
      this.stderr += chunk
    })
    this.exited = new Promise((resolve) =>
      child.once('close', (code, signal) => {
        this.exit = { code, signal }
        resolve()
      }),
    )
  }

  /** Lines starting with `word `, without it. */
  said(word: string): string[] {
    return this.lines.filter((line) => line.startsWith(`${word} `)).map((line) => line.slice(word.length + 1))
  }

  send(text: string): void {
    this.#child.stdin.write(`${text}\n`)
  }

  async kill(): Promise<void> {
    this.#child.kill('SIGKILL')
    await this.exited
  }

  async until(what: string, condition: () => boolean): Promise<void> {
    const deadline = Date.now() + DEADLINE_MS
    while (!condition()) {
      if (this.exit !== undefined || Date.now() > deadline) {
        throw new Error(
          `${this.exit ? `the fixture exited (${JSON.stringify(this.exit)})` : 'deadline passed'} before ${what}; last lines: ${this.lines.slice(-5).join(' | ')}\n${this.stderr}`,
        )
      }
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  }
}

describe.skipIf(!postgres.available)('a relay killed between emit() and marking its rows', () => {
  it('delivers every event once: the second relay emits them again as duplicates', async () => {
    const pool = testPool()
    const schema = testSchema()
    const outbox = await migratedOutbox(pool, schema)
    const ids = Array.from({ length: 10 }, (_, index) => `evt-${index}`)
    for (const id of ids) await rewardCoins(pool, outbox, schema, { id })
    const receiver = await startWebhookReceiver({ secret: SECRET, decide: () => 200 })
    try {
      const base = {
        path: join(directory, 'router.db'),
        postgres: POSTGRES_CONFIG,
        schema,
        url: `${receiver.origin}/hooks`,
        secret: SECRET,
        batchSize: 5,
      }
      // Batch 1 (evt-0..4) is marked; batch 2 is claimed, evt-5..7 emitted, and the process frozen.
      const first = new RelayProcess({ ...base, role: 'first', freezeAfter: 'evt-7' })
      await first.until('the first relay froze', () => first.said('frozen').length > 0)
      await first.kill()
      expect(first.exit?.signal).toBe('SIGKILL')
      expect(first.said('emitted')).toEqual(ids.slice(0, 8).map((id) => `${id} false`))
      expect(first.said('relayed')).toEqual(ids.slice(0, 5).map((id) => `${id} false`))
      const atKill = await outboxRows(pool, schema)
      expect(atKill.filter((row) => row.relayed).map((row) => row.id)).toEqual(ids.slice(0, 5))
      expect(atKill.filter((row) => !row.relayed).every((row) => row.attempts === 0)).toBe(true)

      const second = new RelayProcess({ ...base, role: 'second' })
      await second.until('every event relayed', () => second.said('relayed').length === 5)
      await second.until('every event delivered', () => new Set(receiver.requests.map(eventOf)).size === 10)
      second.send('stop')
      await second.until('the second relay stopped', () => second.lines.includes('stopped'))
      await second.exited

      // The rows the first relay had emitted are duplicates: no second set of deliveries.
      expect(second.said('relayed')).toEqual([
        'evt-5 true',
        'evt-6 true',
        'evt-7 true',
        'evt-8 false',
        'evt-9 false',
      ])
      expect(first.said('error')).toEqual([])
      expect(second.said('error')).toEqual([])
      for (const id of ids) {
        const requests = receiver.requests.filter((request) => eventOf(request) === id)
        // One delivery per event; the events frozen before any request was sent got exactly one.
        expect(new Set(requests.map((request) => request.deliveryId)).size, id).toBe(1)
        expect(requests.every((request) => request.signed)).toBe(true)
        if (Number(id.slice(4)) >= 5) expect(requests, id).toHaveLength(1)
      }
      const final = await outboxRows(pool, schema)
      expect(final.every((row) => row.relayed)).toBe(true)
      // evt-5..7 were claimed twice (emitted twice), marked once.
      expect(final.map((row) => row.attempts)).toEqual(Array(10).fill(1))
    } finally {
      await receiver.close()
    }
  }, 120_000)
})

function eventOf(request: { readonly body: { id?: unknown } | undefined }): string {
  return String(request.body?.id)
}
