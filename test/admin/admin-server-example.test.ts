import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { get } from 'node:http'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { buildAdminPage } from './support/build-page.js'

let child: ChildProcess | undefined

beforeAll(() => buildAdminPage(), 60_000)

afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL')
  child = undefined
})

const basic = (user: string, password = 'demo') =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`

// The example is documentation that runs (npm run admin): start it, use it, stop it.
describe('examples/admin-server.ts', () => {
  it('serves the admin page on 127.0.0.1 behind its demo sign-in, and stops on SIGTERM', async () => {
    child = spawn(process.execPath, ['--import', 'tsx', 'examples/admin-server.ts'], {
      env: { ...process.env, PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    const url = await new Promise<string>((resolve, reject) => {
      child?.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString()
        const match = /eventrouter admin on (http:\/\/127\.0\.0\.1:\d+\/admin\/)/.exec(output)
        if (match?.[1]) resolve(match[1])
      })
      child?.once('exit', (code) =>
        reject(new Error(`the example exited (${code}) before listening:\n${output}`)),
      )
    })
    expect((await fetch(url)).status).toBe(401)
    expect((await fetch(url, { headers: { authorization: basic('acme', 'wrong') } })).status).toBe(401)
    const page = await fetch(url, { headers: { authorization: basic('acme') } })
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('<div id="app">')
    const integrations = await fetch(`${url}api/integrations`, { headers: { authorization: basic('acme') } })
    expect(((await integrations.json()) as { id: string }[]).map((integration) => integration.id)).toEqual([
      'crm',
      'legacy',
    ])
    const platform = await fetch(`${url}api/session`, { headers: { authorization: basic('platform') } })
    expect(await platform.json()).toMatchObject({ tenant: null })
    // A page of another site whose name resolves to 127.0.0.1 (DNS rebinding) sends its own Host: refused.
    const rebound = await new Promise<number>((resolve, reject) => {
      const { port } = new URL(url)
      get(url, { headers: { host: `evil.example:${port}`, authorization: basic('acme') } }, (response) => {
        response.resume()
        resolve(response.statusCode ?? 0)
      }).on('error', reject)
    })
    expect(rebound).toBe(421)
    child.kill('SIGTERM')
    const [code] = await once(child, 'exit')
    expect(code).toBe(0)
  })
})
