import { once } from 'node:events'
import { createServer, request as httpRequest, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { toNodeListener } from '../../src/admin/index.js'
import { adminFixture, SECRET } from './support/admin-fixture.js'

let server: Server | undefined

afterEach(async () => {
  server?.closeAllConnections()
  server?.close()
  server = undefined
})

async function serve(listener: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(listener)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** A raw request, to send headers fetch would not (a bad Host). */
function raw(
  origin: string,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${origin}${path}`, { headers }, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
      )
    })
    request.on('error', reject)
    request.end()
  })
}

describe('toNodeListener', () => {
  it('serves the handler through node:http: the page, JSON changes with their bodies, HEAD', async () => {
    const { handler, router } = adminFixture()
    const origin = await serve(toNodeListener(handler))
    const page = await fetch(`${origin}/admin/`, { headers: { 'x-test-scope': 'acme' } })
    expect(page.status).toBe(200)
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'")
    expect(await page.text()).toContain('<div id="app">')
    const created = await fetch(`${origin}/admin/api/integrations`, {
      method: 'POST',
      headers: { 'x-test-scope': 'acme', 'content-type': 'application/json', origin },
      body: JSON.stringify({
        id: 'crm',
        type: 'webhook',
        config: { url: 'https://crm.example/h', secret: SECRET },
      }),
    })
    expect(created.status).toBe(201)
    expect(router.tenant('acme').integrations.get('crm')).toBeDefined()
    // The request's origin is the socket's scheme and the Host header: another Origin is refused.
    const crossSite = await fetch(`${origin}/admin/api/integrations/crm`, {
      method: 'DELETE',
      headers: { 'x-test-scope': 'acme', 'content-type': 'application/json', origin: 'http://evil.example' },
    })
    expect(crossSite.status).toBe(403)
    const head = await fetch(`${origin}/admin/`, { method: 'HEAD', headers: { 'x-test-scope': 'acme' } })
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
  })

  it("uses Express's originalUrl, so that basePath holds wherever it is mounted", async () => {
    const { handler } = adminFixture()
    const listener = toNodeListener(handler)
    const origin = await serve((request, response) => {
      // What app.use('/admin', listener) does: req.url loses the mount path, originalUrl keeps it.
      Object.assign(request, {
        originalUrl: request.url,
        url: (request.url ?? '/').replace(/^\/admin/, '') || '/',
      })
      listener(request, response)
    })
    const answer = await fetch(`${origin}/admin/api/session`, { headers: { 'x-test-scope': 'acme' } })
    expect(await answer.json()).toMatchObject({ tenant: 'acme' })
  })

  it('passes every Set-Cookie of a Response authorize() answers with, and refuses a bad Host with 400', async () => {
    const { router } = adminFixture()
    const { createAdminHandler } = await import('./support/admin-fixture.js')
    const headers = new Headers({ location: '/login' })
    headers.append('set-cookie', 'a=1; Path=/')
    headers.append('set-cookie', 'b=2; Path=/')
    const handler = createAdminHandler(router, {
      authorize: () => new Response(null, { status: 302, headers }),
    })
    const origin = await serve(toNodeListener(handler))
    const answer = await fetch(`${origin}/`, { redirect: 'manual' })
    expect(answer.status).toBe(302)
    expect(answer.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/'])
    expect((await raw(origin, '/', { host: 'bad host' })).status).toBe(400)
  })
})
