import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bundledFixture } from '../support/bundled-fixture.js'
import { tempDirectory } from '../support/temp-directory.js'

/*
 * A router process on an SQLite file batches deliveries to a loopback Klaviyo stand-in and is
 * killed (SIGKILL: no close(), no flush) while its Bulk Create Events request is in flight; a
 * second process opens the same file and settles what the first left. The store keeps
 * deliveries, not batches: every delivery whose emit() returned is delivered, and each delivery
 * id reaches Klaviyo once more at most (the batch in flight at the kill, sent again).
 */
const FIXTURE = await bundledFixture(
  fileURLToPath(new URL('./fixtures/batch-crash-router.ts', import.meta.url)),
)
const COUNT = 300
const DEADLINE_MS = 90_000
const ROOT = fileURLToPath(new URL('../..', import.meta.url))

let directory = ''
const children: ChildProcessWithoutNullStreams[] = []
beforeAll(async () => {
  directory = await tempDirectory('eventrouter-batch-crash-')
})
afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  await rm(directory, { recursive: true, force: true })
})

function start(config: Record<string, unknown>, onLine: (line: string) => void) {
  const child = spawn(process.execPath, [FIXTURE, JSON.stringify(config)], {
    cwd: ROOT,
    stdio: 'pipe',
  })
  children.push(child)
  let partial = ''
  let stderr = ''
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n')
    partial = parts.pop() ?? ''
    for (const line of parts) onLine(line)
  })
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()))
  return { child, exited, stderr: () => stderr }
}

function until(condition: () => boolean, what: string, stderr: () => string): Promise<void> {
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const poll = setInterval(() => {
      if (condition()) {
        clearInterval(poll)
        resolve()
      } else if (Date.now() - started > DEADLINE_MS) {
        clearInterval(poll)
        reject(new Error(`gave up waiting for ${what}; stderr: ${stderr()}`))
      }
    }, 20)
  })
}

describe('batching with the SQLite store: a crash mid-batch', () => {
  it('delivers every delivery, each id received once more at most', async () => {
    const received: { role: 'first' | 'second'; ids: string[] }[] = []
    let role: 'first' | 'second' = 'first'
    const held: ServerResponse[] = []
    const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
      const chunks: Buffer[] = []
      request.on('data', (chunk: Buffer) => chunks.push(chunk))
      request.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
        const ids: string[] = body.data.attributes['events-bulk-create'].data.flatMap(
          (group: { attributes: { events: { data: { attributes: { unique_id: string } }[] } } }) =>
            group.attributes.events.data.map((event) => event.attributes.unique_id),
        )
        received.push({ role, ids })
        // The first process never gets an answer: it is killed with the request in flight.
        if (role === 'first') held.push(response)
        else response.writeHead(202).end()
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const address = server.address()
    const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
    const config = {
      path: join(directory, 'router.db'),
      baseUrl,
      count: COUNT,
      key: randomBytes(32).toString('base64'),
    }

    const emitted: string[] = []
    let emittedAll = false
    const first = start({ ...config, role: 'first' }, (line) => {
      if (line.startsWith('emitted ')) emitted.push(line.slice('emitted '.length))
      if (line === 'emitted-all') emittedAll = true
    })
    await until(() => emittedAll && received.length > 0, 'the first batch request', first.stderr)
    first.child.kill('SIGKILL')
    await first.exited
    for (const response of held) response.destroy()

    role = 'second'
    let idle: { succeeded: number; failed: number } | undefined
    const second = start({ ...config, role: 'second' }, (line) => {
      if (line.startsWith('idle ')) idle = JSON.parse(line.slice('idle '.length))
    })
    await until(() => idle !== undefined, 'the second process to settle everything', second.stderr)
    await second.exited
    server.close()

    expect(emitted).toHaveLength(COUNT)
    expect(idle).toEqual({ succeeded: COUNT, failed: 0 })
    const inFirst = new Set(received.filter((r) => r.role === 'first').flatMap((r) => r.ids))
    expect(inFirst.size).toBeGreaterThan(0)
    const inSecond = received.filter((r) => r.role === 'second').flatMap((r) => r.ids)
    // Everything emitted is delivered by the second process, each delivery once.
    expect([...inSecond].sort()).toEqual([...emitted].sort())
    // Across both processes, each id arrived at most twice: once more than needed at most.
    const times = new Map<string, number>()
    for (const request of received) for (const id of request.ids) times.set(id, (times.get(id) ?? 0) + 1)
    expect(Math.max(...times.values())).toBeLessThanOrEqual(2)
    expect([...times.keys()].sort()).toEqual([...emitted].sort())
  })
})
