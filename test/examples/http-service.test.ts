import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EventRouter, kyTransport, webhookAdapter } from '../../src/index.js'
import { sqliteStore } from '../../src/stores/sqlite/index.js'
import { tempDirectory } from '../support/temp-directory.js'

const KEY = randomBytes(32).toString('base64')
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'

let directory = ''
let receiver: Server
let destination = ''
/** webhook-id of every request the destination answered 2xx. */
const received = new Set<string>()

beforeAll(async () => {
  directory = await tempDirectory('eventrouter-service-')
  receiver = createServer((request, response) => {
    request.resume()
    request.on('end', () => {
      // A slow CRM: deliveries are still queued when SIGTERM arrives.
      setTimeout(() => {
        received.add(String(request.headers['webhook-id']))
        response.writeHead(204).end()
      }, 20)
    })
  })
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  destination = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`
})

afterAll(async () => {
  await new Promise<void>((resolve) => receiver.close(() => resolve()))
  await rm(directory, { recursive: true, force: true })
})

function startService(
  database: string,
): Promise<{ child: ChildProcess; base: string; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'examples/http-service.ts'], {
    env: {
      ...process.env,
      PORT: '0',
      DATABASE: database,
      EVENTROUTER_KEY: KEY,
      DESTINATION_URL: destination,
      WEBHOOK_SECRET: SECRET,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the service did not start:\n${output}`)), 30_000)
    child.stdout?.on('data', () => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
      if (match?.[1]) {
        clearTimeout(timer)
        resolve({ child, base: match[1], output: () => output })
      }
    })
    child.once('exit', (code) => reject(new Error(`the service exited (${code}):\n${output}`)))
  })
}

describe('examples/http-service.ts', () => {
  it('answers health, and loses nothing it accepted when SIGTERM arrives mid-burst', async () => {
    const database = join(directory, 'service.db')
    const { child, base, output } = await startService(database)
    const health = await fetch(`${base}/health`)
    expect(health.status).toBe(200)
    expect(await health.json()).toMatchObject({ status: 'ok' })

    const accepted: string[] = []
    let refused = 0
    const post = async (index: number) => {
      try {
        const response = await fetch(`${base}/rewards`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ id: `reward-${index}`, customer: { id: `c${index}` }, coins: 10 }),
        })
        if (response.status === 202)
          accepted.push(...((await response.json()) as { deliveries: string[] }).deliveries)
        else refused++
      } catch {
        refused++ // the listener had closed
      }
    }
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    let sent = 0
    const burst = (async () => {
      for (; sent < 400; sent += 20) await Promise.all(Array.from({ length: 20 }, (_, i) => post(sent + i)))
    })()
    // Mid-burst: some accepted, far from all delivered.
    for (let tries = 0; tries < 500 && accepted.length < 100; tries++)
      await new Promise((r) => setTimeout(r, 5))
    child.kill('SIGTERM')
    await burst
    expect(await exited, output()).toBe(0)
    expect(output()).toContain('stopped')
    expect(accepted.length).toBeGreaterThanOrEqual(100)
    expect(accepted.length + refused).toBeGreaterThan(0)

    // The next deploy starts on the file and finishes what the first left pending.
    const next = new EventRouter({
      adapters: [webhookAdapter()],
      transport: kyTransport({ allowedAddresses: ['127.0.0.1'] }),
      store: sqliteStore({ path: database }),
      secrets: { keys: [{ id: 'main', key: KEY }] },
    })
    await next.start()
    expect(next.integrations.get('crm')).toBeDefined()
    // The first process left deliveries queued in the file: SIGTERM did come mid-burst.
    expect(next.pendingCount).toBeGreaterThan(0)
    await next.onIdle()
    const letters = await next.deadLetters.list()
    await next.close()
    // Everything accepted was delivered, by one process or the other, or kept as a dead letter.
    const lost = accepted.filter((id) => !received.has(id) && !letters.some((letter) => letter.id === id))
    expect(lost).toEqual([])
    expect(letters.filter((letter) => letter.reason !== 'shutdown')).toEqual([])
  }, 90_000)
})
