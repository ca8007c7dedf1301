import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { describeAdapter } from '../../src/admin/describe-adapter.js'
import { errorAnswer } from '../../src/admin/error-response.js'
import { loyaltyCatalog } from '../../src/catalogs/loyalty/index.js'
import {
  BackpressureError,
  defineAdapter,
  EventRouter,
  REDACTED,
  RouterClosedError,
  StoreError,
  ValidationError,
  webhookAdapter,
} from '../../src/index.js'
import { sqliteStore } from '../../src/stores/sqlite/index.js'
import {
  adminFixture,
  coinsPayload,
  createAdminHandler,
  ORIGIN,
  SECRET,
  testAuthorize,
} from './support/admin-fixture.js'

type ErrorBody = {
  error: { code: string; message: string; field: string | null; issues: { path: string; message: string }[] }
}

const errorOf = (json: unknown) => (json as ErrorBody).error

const webhook = (id: string, path = 'hooks') => ({
  id,
  type: 'webhook',
  name: `Webhook ${id}`,
  config: { url: `https://crm.example/${path}`, secret: SECRET },
})

/** An acme subscription to its integration `crm`, and a dead letter of it (the api adapter's 400 fails at once). */
async function withDeadLetter(fixture: ReturnType<typeof adminFixture>, tenant = 'acme') {
  const scope = fixture.router.tenant(tenant)
  scope.integrations.add({
    id: 'api',
    type: 'api',
    config: { url: 'https://api.example/fail', token: 'tok_secret_1' },
  })
  scope.subscriptions.create({ id: 'to-api', event: 'wallet.coins_rewarded', integrationId: 'api' })
  const destination = fixture.transport.when('https://api.example/fail').respondWith(400)
  scope.emit('wallet.coins_rewarded', coinsPayload() as never)
  await fixture.router.onIdle()
  const [letter] = await scope.deadLetters.list()
  if (!letter) throw new Error('expected a dead letter')
  return { letter, destination }
}

describe('createAdminHandler options', () => {
  const router = new EventRouter({ adapters: [webhookAdapter()], catalog: loyaltyCatalog })
  const refused = (options: unknown) => {
    try {
      createAdminHandler(router, options as never)
    } catch (error) {
      return error as ValidationError
    }
    throw new Error('expected the options to be refused')
  }

  it('requires authorize: there is no unauthenticated default', () => {
    const error = refused({ basePath: '/admin' })
    expect(error.name).toBe('ValidationError')
    expect(error.field).toBe('authorize')
    expect(error.message).toMatch(/there is no unauthenticated default/)
    expect(refused(undefined).message).toMatch(/authorize/)
  })

  it.each([
    ['basePath', { basePath: 'admin' }, /starting with `\/`/],
    ['basePath', { basePath: '/admin?x=1' }, /without a query/],
    ['readOnly', { readOnly: 'yes' }, /boolean/],
    ['allowedOrigins.0', { allowedOrigins: ['https://a.example/path'] }, /origin such as/],
    ['frameAncestors.0', { frameAncestors: ['*'] }, /'none'/],
    ['frameAncestors', { frameAncestors: ["'none'", "'self'"] }, /cannot be combined/],
    ['maxBodyBytes', { maxBodyBytes: 0 }, /./],
    ['onError', { onError: 'log' }, /function/],
    ['adapters.0.type', { adapters: [{}] }, /expected string/],
    [
      'catalog',
      { catalog: { names: () => ['x'], get: () => undefined } },
      /the catalog the router was given/,
    ],
    ['surprise', { surprise: true }, /unknown field/],
  ])('refuses a bad %s with a ValidationError naming it', (field, options, message) => {
    const error = refused({ authorize: testAuthorize, ...options })
    expect(error.name).toBe('ValidationError')
    expect(error.field).toBe(field)
    expect(error.message).toMatch(message)
  })

  it('refuses two adapters of one type, and something that is not a router', () => {
    const twice = refused({ authorize: testAuthorize, adapters: [webhookAdapter(), webhookAdapter()] })
    expect(twice.name).toBe('ConflictError')
    expect((twice as unknown as { field: string }).field).toBe('adapters.1.type')
    expect(() => createAdminHandler({} as never, { authorize: testAuthorize })).toThrow(
      /expected an EventRouter/,
    )
  })
})

describe('the page and its files', () => {
  const { call, handler } = adminFixture()

  it('serves the page under basePath with a strict CSP, nosniff and no framing', async () => {
    const answer = await call('GET', '/')
    expect(answer.status).toBe(200)
    expect(answer.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(answer.headers.get('cache-control')).toBe('no-store')
    const csp = answer.headers.get('content-security-policy') ?? ''
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("style-src 'self'")
    expect(csp).toContain("connect-src 'self'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|nonce-|https?:/)
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff')
    expect(answer.headers.get('x-frame-options')).toBe('DENY')
    expect(answer.headers.get('cross-origin-resource-policy')).toBe('same-origin')
    // No inline script or style: both are files of the handler.
    expect(answer.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/)
    expect(answer.text).not.toMatch(/<style|style=/)
  })

  it('serves the script and stylesheet it links, hashed and cacheable, without authorize()', async () => {
    const page = await call('GET', '/')
    const script = /src="assets\/(admin\.[0-9a-f]{16}\.js)"/.exec(page.text)?.[1]
    const style = /href="assets\/(admin\.[0-9a-f]{16}\.css)"/.exec(page.text)?.[1]
    expect(script).toBeDefined()
    expect(style).toBeDefined()
    const js = await call('GET', `/assets/${script}`, { scope: null })
    expect(js.status).toBe(200)
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    expect(js.headers.get('x-content-type-options')).toBe('nosniff')
    // Text goes in as text: the page never parses strings as HTML.
    expect(js.text).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/)
    const css = await call('GET', `/assets/${style}`, { scope: null })
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8')
    expect((await call('GET', '/assets/admin.0000000000000000.js', { scope: null })).status).toBe(404)
    expect((await call('POST', `/assets/${script}`, { scope: null })).status).toBe(405)
  })

  it('redirects the bare basePath, answers HEAD, and 404s outside basePath', async () => {
    const bare = await handler(new Request(`${ORIGIN}/admin?x=1`, { headers: { 'x-test-scope': 'acme' } }))
    expect(bare.status).toBe(308)
    expect(bare.headers.get('location')).toBe('admin/?x=1')
    const head = await call('HEAD', '/')
    expect(head.status).toBe(200)
    expect(head.text).toBe('')
    const outside = await handler(new Request(`${ORIGIN}/elsewhere`, { headers: { 'x-test-scope': 'acme' } }))
    expect(outside.status).toBe(404)
    expect(errorOf(await outside.json()).code).toBe('ERR_ROUTE_NOT_FOUND')
  })

  it('takes frameAncestors and the root as basePath', async () => {
    const { router } = adminFixture()
    const rooted = createAdminHandler(router, {
      authorize: testAuthorize,
      frameAncestors: ["'self'", 'https://app.example'],
    })
    const answer = await rooted(new Request(`${ORIGIN}/`, { headers: { 'x-test-scope': 'acme' } }))
    expect(answer.status).toBe(200)
    expect(answer.headers.get('content-security-policy')).toContain(
      "frame-ancestors 'self' https://app.example",
    )
    expect(answer.headers.get('x-frame-options')).toBeNull()
    const session = await rooted(
      new Request(`${ORIGIN}/api/session`, { headers: { 'x-test-scope': 'acme' } }),
    )
    expect(await session.json()).toMatchObject({ tenant: 'acme' })
  })
})

describe('authorization', () => {
  it('answers 401 when authorize() resolves with null, for the page and the API', async () => {
    const { call } = adminFixture()
    for (const path of ['/', '/api/session', '/api/integrations']) {
      const answer = await call('GET', path, { scope: null })
      expect(answer.status).toBe(401)
      expect(errorOf(answer.json)).toEqual({
        code: 'ERR_UNAUTHORIZED',
        message: 'Sign in to use this admin page.',
        field: null,
        issues: [],
      })
    }
  })

  it('answers 403 when authorize() throws, and reports the error', async () => {
    const { call, errors } = adminFixture()
    const answer = await call('GET', '/api/integrations', { scope: 'throw' })
    expect(answer.status).toBe(403)
    expect(errorOf(answer.json).code).toBe('ERR_FORBIDDEN')
    expect(answer.text).not.toContain('session store down')
    expect(errors).toHaveLength(1)
  })

  it('sends the Response authorize() resolves with as is (a login redirect)', async () => {
    const { call } = adminFixture()
    const answer = await call('GET', '/', { scope: 'login' })
    expect(answer.status).toBe(302)
    expect(answer.headers.get('location')).toBe('/login')
  })

  it('answers 500 without details when authorize() resolves with something else, or an invalid tenant id', async () => {
    const { call, errors, router } = adminFixture()
    const answer = await call('GET', '/api/integrations', { scope: 'bad' })
    expect(answer.status).toBe(500)
    expect(errorOf(answer.json).code).toBe('ERR_INTERNAL')
    const invalid = await call('POST', '/api/integrations', { scope: 'not a tenant!', body: webhook('crm') })
    expect(invalid.status).toBe(500)
    expect(errors).toHaveLength(2)
    expect(router.integrations.list()).toEqual([])
  })

  it('scopes every route: a tenant manages its own records, the platform its own', async () => {
    const { call, router } = adminFixture()
    expect((await call('POST', '/api/integrations', { body: webhook('crm') })).status).toBe(201)
    expect(
      (await call('POST', '/api/integrations', { scope: 'platform', body: webhook('warehouse') })).status,
    ).toBe(201)
    expect(
      router
        .tenant('acme')
        .integrations.list()
        .map((i) => i.id),
    ).toEqual(['crm'])
    expect(router.integrations.list().map((i) => i.id)).toEqual(['warehouse'])
    expect((await call('GET', '/api/session')).json).toEqual({
      tenant: 'acme',
      readOnly: false,
      catalog: true,
      stats: expect.any(Boolean),
    })
    expect((await call('GET', '/api/session', { scope: 'platform' })).json).toMatchObject({ tenant: null })
  })
})

describe('read-only', () => {
  /** Every route that changes something, with a body it would accept. */
  const CHANGES: readonly [string, string, unknown][] = [
    ['POST', '/api/events/wallet.coins_rewarded/disable', undefined],
    ['POST', '/api/events/wallet.coins_rewarded/enable', undefined],
    ['POST', '/api/integrations', webhook('other')],
    ['PATCH', '/api/integrations/crm', { name: 'Renamed' }],
    ['POST', '/api/integrations/crm/disable', undefined],
    ['POST', '/api/integrations/crm/enable', undefined],
    ['DELETE', '/api/integrations/spare', undefined],
    ['POST', '/api/subscriptions', { event: 'coupon.created', integrationId: 'crm' }],
    ['PATCH', '/api/subscriptions/sub', { eventNamePrefix: 'X ' }],
    ['POST', '/api/subscriptions/sub/disable', undefined],
    ['POST', '/api/subscriptions/sub/enable', undefined],
    ['POST', '/api/subscriptions/sub/test', {}],
    ['DELETE', '/api/subscriptions/sub', undefined],
    ['POST', '/api/dead-letters/redeliver', { query: {} }],
    ['POST', '/api/dead-letters/discard', { query: {} }],
  ]

  it.each([
    ['the readOnly option', { readOnly: true }, 'acme'],
    ["the authorization's readOnly", {}, 'viewer:acme'],
  ])('refuses every change with 403 ERR_READ_ONLY under %s, and changes nothing', async (_, admin, scope) => {
    const fixture = adminFixture({ admin })
    const { letter } = await withDeadLetter(fixture)
    const acme = fixture.router.tenant('acme')
    acme.integrations.add(webhook('crm'))
    acme.integrations.add(webhook('spare'))
    acme.subscriptions.create({ id: 'sub', event: 'wallet.coins_rewarded', integrationId: 'crm' })
    const before = JSON.stringify(fixture.router.toJSON())
    const sent = fixture.transport.requests.length
    for (const [method, path, body] of CHANGES) {
      const answer = await fixture.call(method, path, { scope, body })
      expect([method, path, answer.status, errorOf(answer.json).code]).toEqual([
        method,
        path,
        403,
        'ERR_READ_ONLY',
      ])
    }
    expect(JSON.stringify(fixture.router.toJSON())).toBe(before)
    expect(await acme.deadLetters.list()).toEqual([letter])
    expect(fixture.transport.requests).toHaveLength(sent)
    // Reading, and explain (a dry run), still work.
    expect((await fixture.call('GET', '/api/integrations', { scope })).status).toBe(200)
    expect((await fixture.call('GET', '/api/session', { scope })).json).toMatchObject({ readOnly: true })
    const explain = await fixture.call('POST', '/api/explain', {
      scope,
      body: { event: 'wallet.coins_rewarded', payload: coinsPayload() },
    })
    expect(explain.status).toBe(200)
  })
})

describe('CSRF', () => {
  it.each([
    ['another origin', { origin: 'https://evil.example' }, 403, 'ERR_CSRF'],
    ['Origin: null', { origin: 'null' }, 403, 'ERR_CSRF'],
    ['a cross-site fetch without Origin', { origin: null, 'sec-fetch-site': 'cross-site' }, 403, 'ERR_CSRF'],
    ['a same-site fetch without Origin', { origin: null, 'sec-fetch-site': 'same-site' }, 403, 'ERR_CSRF'],
    [
      'a form post (urlencoded)',
      { 'content-type': 'application/x-www-form-urlencoded' },
      415,
      'ERR_UNSUPPORTED_MEDIA_TYPE',
    ],
    ['text/plain', { 'content-type': 'text/plain' }, 415, 'ERR_UNSUPPORTED_MEDIA_TYPE'],
    ['no content type', { 'content-type': null }, 415, 'ERR_UNSUPPORTED_MEDIA_TYPE'],
  ])('refuses a change from %s before authorize(), and changes nothing', async (_, headers, status, code) => {
    let authorized = 0
    const fixture = adminFixture({
      admin: {
        authorize: (request) => {
          authorized += 1
          return testAuthorize(request)
        },
      },
    })
    fixture.router.tenant('acme').integrations.add(webhook('crm'))
    for (const [method, path, body] of [
      ['POST', '/api/integrations', webhook('evil')],
      ['PATCH', '/api/integrations/crm', { name: 'pwned' }],
      ['DELETE', '/api/integrations/crm', undefined],
      ['POST', '/api/events/wallet.coins_rewarded/disable', undefined],
    ] as const) {
      const answer = await fixture.call(method, path, { body, headers })
      expect(answer.status).toBe(status)
      expect(errorOf(answer.json)).toMatchObject({ code, field: null, issues: [] })
    }
    expect(authorized).toBe(0)
    expect(
      fixture.router
        .tenant('acme')
        .integrations.list()
        .map((i) => [i.id, i.name]),
    ).toEqual([['crm', 'Webhook crm']])
    expect(fixture.router.tenant('acme').events.isEnabled('wallet.coins_rewarded')).toBe(true)
  })

  it('accepts the own origin, Sec-Fetch-Site same-origin, allowedOrigins, and clients that are not browsers', async () => {
    const fixture = adminFixture({ admin: { allowedOrigins: ['https://public.example'] } })
    const cases: Record<string, string | null>[] = [
      { origin: ORIGIN },
      { origin: null, 'sec-fetch-site': 'same-origin' },
      { origin: 'https://public.example', 'sec-fetch-site': 'cross-site' },
      { origin: null },
      { 'content-type': 'application/json; charset=utf-8' },
    ]
    for (const [index, headers] of cases.entries()) {
      const answer = await fixture.call('POST', '/api/integrations', {
        body: webhook(`crm-${index}`),
        headers,
      })
      expect(answer.status).toBe(201)
    }
    // GET needs neither: it changes nothing, and a cross-site page cannot read the answer.
    expect(
      (await fixture.call('GET', '/api/integrations', { headers: { origin: 'https://evil.example' } }))
        .status,
    ).toBe(200)
  })
})

describe('GET /api/events, POST /api/events/:name/enable|disable', () => {
  it('lists the catalog with each switch and sample, and switches an event type in the scope only', async () => {
    const { call, router } = adminFixture()
    const list = (await call('GET', '/api/events')).json as {
      name: string
      enabled: boolean
      sample: unknown
      fields: unknown[]
    }[]
    expect(list.map((event) => event.name)).toEqual(loyaltyCatalog.names())
    const coins = list.find((event) => event.name === 'wallet.coins_rewarded')
    expect(coins).toMatchObject({
      title: 'Wallet Coins Rewarded',
      enabled: true,
      sample: loyaltyCatalog.get('wallet.coins_rewarded').sample,
    })
    expect(coins?.fields).toContainEqual(expect.objectContaining({ path: 'customer.tier' }))
    const off = await call('POST', '/api/events/wallet.coins_rewarded/disable')
    expect(off).toMatchObject({ status: 200, json: { name: 'wallet.coins_rewarded', enabled: false } })
    expect(router.tenant('acme').events.isEnabled('wallet.coins_rewarded')).toBe(false)
    expect(router.events.isEnabled('wallet.coins_rewarded')).toBe(true)
    expect(((await call('GET', '/api/events')).json as { enabled: boolean }[])[4]?.enabled).toBe(false)
    expect((await call('POST', '/api/events/wallet.coins_rewarded/enable')).json).toMatchObject({
      enabled: true,
    })
    expect(router.tenant('acme').events.isEnabled('wallet.coins_rewarded')).toBe(true)
  })

  it('refuses a name the catalog does not have (did you mean) or that is no event name, with 400', async () => {
    const { call, router } = adminFixture()
    const typo = await call('POST', '/api/events/wallet.coins_rewrded/disable')
    expect(typo.status).toBe(400)
    expect(errorOf(typo.json)).toEqual({
      code: 'ERR_VALIDATION',
      message: expect.stringContaining('did you mean `wallet.coins_rewarded`?'),
      field: 'name',
      issues: [{ path: 'name', message: expect.stringContaining('is not an event of the catalog') }],
    })
    const invalid = await call('POST', `/api/events/${encodeURIComponent('no spaces')}/disable`)
    expect(invalid.status).toBe(400)
    expect(errorOf(invalid.json).field).toBe('name')
    expect(router.tenant('acme').events.listDisabled()).toEqual([])
  })
})

describe('GET /api/adapters', () => {
  it("describes each adapter's config fields from its schema, with the secret ones", async () => {
    const { call } = adminFixture()
    const adapters = (await call('GET', '/api/adapters')).json as {
      type: string
      fields: { name: string; kind: string; required: boolean; secret: boolean; enum?: string[] }[]
    }[]
    expect(adapters.map((adapter) => adapter.type)).toEqual(['webhook', 'api'])
    const [hook, api] = adapters
    expect(
      hook?.fields.map(({ name, kind, required, secret }) => ({ name, kind, required, secret })),
    ).toEqual([
      { name: 'url', kind: 'string', required: true, secret: false },
      { name: 'secret', kind: 'string', required: false, secret: true },
      { name: 'signing', kind: 'boolean', required: false, secret: false },
      { name: 'headers', kind: 'json', required: false, secret: true },
    ])
    expect(api?.fields.find((field) => field.name === 'region')).toMatchObject({
      kind: 'enum',
      enum: ['us', 'eu'],
    })
    expect(api?.fields.find((field) => field.name === 'token')).toMatchObject({
      secret: true,
      required: true,
    })
    expect(adapters.map((adapter) => (adapter as { freeform?: boolean }).freeform)).toEqual([false, false])
  })

  it('marks a schema whose fields do not show as freeform, keeping its secret fields', () => {
    const custom = defineAdapter({
      type: 'custom',
      configSchema: z.custom<{ key: string }>((value) => typeof value === 'object' && value !== null),
      secretFields: ['key'],
      buildRequest: () => ({ method: 'POST', url: 'https://custom.example', headers: {} }),
    })
    expect(describeAdapter(custom)).toMatchObject({
      type: 'custom',
      freeform: true,
      fields: [{ name: 'key', kind: 'string', secret: true, required: false }],
    })
  })
})

describe('/api/integrations', () => {
  it('adds one (201) and never answers with a secret, only whether it is set', async () => {
    const { call } = adminFixture()
    const created = await call('POST', '/api/integrations', { body: webhook('crm') })
    expect(created.status).toBe(201)
    expect(created.json).toMatchObject({
      id: 'crm',
      tenant: 'acme',
      type: 'webhook',
      name: 'Webhook crm',
      enabled: true,
      config: { url: 'https://crm.example/hooks' },
      secrets: { secret: true, headers: false },
    })
    for (const answer of [
      created,
      await call('GET', '/api/integrations'),
      await call('GET', '/api/integrations/crm'),
    ]) {
      expect(answer.text).not.toContain(SECRET)
      expect(answer.text).not.toContain(REDACTED)
    }
    expect((await call('GET', '/api/integrations')).json).toEqual([created.json])
  })

  it.each([
    [
      'an invalid config',
      { type: 'webhook', config: { url: 'ftp://x' } },
      400,
      'ERR_VALIDATION',
      'config.url',
    ],
    [
      'a missing secret',
      { type: 'webhook', config: { url: 'https://a.example' } },
      400,
      'ERR_VALIDATION',
      'config.secret',
    ],
    ['an unknown key', { ...webhook('x'), color: 'red' }, 400, 'ERR_VALIDATION', 'color'],
    ['an invalid id', { ...webhook('x'), id: 'no spaces' }, 400, 'ERR_VALIDATION', 'id'],
    [
      'the redaction placeholder as a secret',
      { type: 'api', config: { url: 'https://a.example', token: REDACTED } },
      400,
      'ERR_VALIDATION',
      'config.token',
    ],
    ['an unknown adapter type', { type: 'fax', config: {} }, 404, 'ERR_NOT_FOUND', 'type'],
    ['a duplicate id', webhook('crm'), 409, 'ERR_DUPLICATE_ID', 'id'],
    ['a body that is not an object', [1, 2], 400, 'ERR_VALIDATION', ''],
  ])('refuses %s with the typed error and changes nothing', async (_, body, status, code, field) => {
    const { call, router } = adminFixture()
    router.tenant('acme').integrations.add(webhook('crm'))
    const answer = await call('POST', '/api/integrations', { body })
    expect(answer.status).toBe(status)
    const error = errorOf(answer.json)
    expect(error).toMatchObject({ code, field })
    expect(typeof error.message).toBe('string')
    if (status === 400) expect(error.issues.length).toBeGreaterThan(0)
    expect(
      router
        .tenant('acme')
        .integrations.list()
        .map((i) => i.id),
    ).toEqual(['crm'])
  })

  it('updates the name, the config (merged) and removes config keys with unsetConfig', async () => {
    const { call, router } = adminFixture()
    router.tenant('acme').integrations.add(webhook('crm'))
    const renamed = await call('PATCH', '/api/integrations/crm', {
      body: { name: 'CRM', config: { url: 'https://crm.example/v2' } },
    })
    expect(renamed.status).toBe(200)
    expect(renamed.json).toMatchObject({
      name: 'CRM',
      config: { url: 'https://crm.example/v2' },
      secrets: { secret: true },
    })
    // The secret was kept: only what was sent changed.
    const record = router.toJSON({ includeSecrets: true }).integrations[0]
    expect(record?.config).toMatchObject({ secret: SECRET })
    const unsigned = await call('PATCH', '/api/integrations/crm', {
      body: { unsetConfig: ['secret'], config: { signing: false } },
    })
    expect(unsigned.status).toBe(200)
    expect(unsigned.json).toMatchObject({ config: { signing: false }, secrets: { secret: false } })
  })

  it.each([
    ['an invalid config', { config: { url: 'nope' } }, 'config.url'],
    ['a secret removed that signing needs', { unsetConfig: ['secret'] }, 'config.secret'],
    ['unsetConfig that is not a list of keys', { unsetConfig: 'secret' }, 'unsetConfig'],
    ['a key both set and removed', { config: { signing: false }, unsetConfig: ['signing'] }, 'unsetConfig.0'],
    ['the redaction placeholder', { config: { secret: REDACTED } }, 'config.secret'],
    ['an unknown key', { type: 'api' }, 'type'],
  ])('refuses a patch with %s (400) and changes nothing', async (_, body, field) => {
    const { call, router } = adminFixture()
    router.tenant('acme').integrations.add(webhook('crm'))
    const before = JSON.stringify(router.toJSON({ includeSecrets: true }))
    const answer = await call('PATCH', '/api/integrations/crm', { body })
    expect(answer.status).toBe(400)
    expect(errorOf(answer.json)).toMatchObject({ code: 'ERR_VALIDATION', field })
    expect(JSON.stringify(router.toJSON({ includeSecrets: true }))).toBe(before)
  })

  it('enables, disables and removes one; refuses removing one in use (409) and a missing id (404)', async () => {
    const { call, router } = adminFixture()
    const acme = router.tenant('acme')
    acme.integrations.add(webhook('crm'))
    acme.subscriptions.create({ id: 'sub', event: 'coupon.created', integrationId: 'crm' })
    expect((await call('POST', '/api/integrations/crm/disable')).json).toMatchObject({ enabled: false })
    expect(acme.integrations.get('crm')?.enabled).toBe(false)
    expect((await call('POST', '/api/integrations/crm/enable')).json).toMatchObject({ enabled: true })
    const inUse = await call('DELETE', '/api/integrations/crm')
    expect(inUse.status).toBe(409)
    expect(errorOf(inUse.json)).toMatchObject({ code: 'ERR_INTEGRATION_IN_USE', field: 'id' })
    expect(acme.integrations.get('crm')).toBeDefined()
    acme.subscriptions.remove('sub')
    const removed = await call('DELETE', '/api/integrations/crm')
    expect(removed.status).toBe(204)
    expect(removed.text).toBe('')
    const missing = await call('GET', '/api/integrations/crm')
    expect(missing.status).toBe(404)
    expect(errorOf(missing.json)).toEqual({
      code: 'ERR_NOT_FOUND',
      message: 'Unknown integration `crm` (id).',
      field: 'id',
      issues: [],
    })
  })

  it('answers a quota with 409 ERR_QUOTA_EXCEEDED', async () => {
    const { call } = adminFixture({ router: { tenants: { maxIntegrations: 1 } } })
    expect((await call('POST', '/api/integrations', { body: webhook('a') })).status).toBe(201)
    const over = await call('POST', '/api/integrations', { body: webhook('b') })
    expect(over.status).toBe(409)
    expect(errorOf(over.json).code).toBe('ERR_QUOTA_EXCEEDED')
  })
})

describe('/api/subscriptions', () => {
  const setup = () => {
    const fixture = adminFixture()
    fixture.router.tenant('acme').integrations.add(webhook('crm'))
    return fixture
  }

  it('creates one with a filter and a prefix (201), lists, reads, updates and deletes it', async () => {
    const { call, router } = setup()
    const created = await call('POST', '/api/subscriptions', {
      body: {
        id: 'big',
        event: 'wallet.coins_rewarded',
        integrationId: 'crm',
        filter: { coins: { $gte: 100 }, 'customer.tier': 'Gold' },
        eventNamePrefix: 'Loyalty ',
      },
    })
    expect(created.status).toBe(201)
    expect(created.json).toMatchObject({
      id: 'big',
      tenant: 'acme',
      eventNamePrefix: 'Loyalty ',
      enabled: true,
    })
    expect((await call('GET', '/api/subscriptions')).json).toEqual([created.json])
    expect(
      (await call('GET', '/api/subscriptions?event=wallet.coins_rewarded&integrationId=crm')).json,
    ).toEqual([created.json])
    expect((await call('GET', '/api/subscriptions?event=coupon.created')).json).toEqual([])
    expect((await call('GET', '/api/subscriptions/big')).json).toEqual(created.json)
    const updated = await call('PATCH', '/api/subscriptions/big', {
      body: { eventNamePrefix: null, filter: { coins: { $gte: 500 } } },
    })
    expect(updated.json).toMatchObject({ eventNamePrefix: null, filter: { coins: { $gte: 500 } } })
    expect((await call('POST', '/api/subscriptions/big/disable')).json).toMatchObject({ enabled: false })
    expect((await call('POST', '/api/subscriptions/big/enable')).json).toMatchObject({ enabled: true })
    expect((await call('DELETE', '/api/subscriptions/big')).status).toBe(204)
    expect(router.tenant('acme').subscriptions.list()).toEqual([])
  })

  it('refuses a filter the catalog says never matches, with the "did you mean" issues (400 ERR_INVALID_FILTER)', async () => {
    const { call, router } = setup()
    const answer = await call('POST', '/api/subscriptions', {
      body: {
        event: 'wallet.coins_rewarded',
        integrationId: 'crm',
        filter: { 'customer.teir': 'Gold', coins: { $gte: '100' } },
      },
    })
    expect(answer.status).toBe(400)
    expect(errorOf(answer.json)).toEqual({
      code: 'ERR_INVALID_FILTER',
      message: expect.stringContaining('did you mean `customer.tier`?'),
      field: 'filter.customer.teir',
      issues: [
        { path: 'filter.customer.teir', message: expect.stringContaining('did you mean `customer.tier`?') },
        { path: 'filter.coins.$gte', message: expect.stringContaining('never matches') },
      ],
    })
    expect(router.tenant('acme').subscriptions.list()).toEqual([])
  })

  it.each([
    [
      'an unknown integration',
      { event: 'coupon.created', integrationId: 'nope' },
      404,
      'ERR_NOT_FOUND',
      'integrationId',
    ],
    ['an unknown event', { event: 'coupon.craeted', integrationId: 'crm' }, 400, 'ERR_VALIDATION', 'event'],
    [
      'an unknown operator',
      { event: 'coupon.created', integrationId: 'crm', filter: { x: { $near: 1 } } },
      400,
      'ERR_INVALID_FILTER',
      'filter.x.$near',
    ],
    [
      'a prefix with a control character',
      { event: 'coupon.created', integrationId: 'crm', eventNamePrefix: 'a\u0000' },
      400,
      'ERR_VALIDATION',
      'eventNamePrefix',
    ],
    [
      'an unknown key',
      { event: 'coupon.created', integrationId: 'crm', tenant: 'globex' },
      400,
      'ERR_VALIDATION',
      'tenant',
    ],
    [
      'a duplicate id',
      { id: 'sub', event: 'coupon.created', integrationId: 'crm' },
      409,
      'ERR_DUPLICATE_ID',
      'id',
    ],
  ])('refuses %s and changes nothing', async (_, body, status, code, field) => {
    const { call, router } = setup()
    router.tenant('acme').subscriptions.create({ id: 'sub', event: 'review.created', integrationId: 'crm' })
    const before = JSON.stringify(router.toJSON())
    const answer = await call('POST', '/api/subscriptions', { body })
    expect(answer.status).toBe(status)
    expect(errorOf(answer.json)).toMatchObject({ code, field })
    expect(JSON.stringify(router.toJSON())).toBe(before)
    // And the same refusals for an update.
    const { id: _id, ...patch } = body as Record<string, unknown>
    if (code !== 'ERR_DUPLICATE_ID') {
      const update = await call('PATCH', '/api/subscriptions/sub', { body: patch })
      expect(update.status).toBe(status)
      expect(JSON.stringify(router.toJSON())).toBe(before)
    }
  })

  it('refuses a list query with other keys or a key given twice (400)', async () => {
    const { call } = setup()
    expect(errorOf((await call('GET', '/api/subscriptions?color=red')).json)).toMatchObject({
      code: 'ERR_VALIDATION',
      field: 'color',
    })
    expect(errorOf((await call('GET', '/api/subscriptions?event=a&event=b')).json)).toMatchObject({
      field: 'event',
    })
  })

  it('sends a test event through the integration and answers with the outcome, the request and the response', async () => {
    const { call, router, transport } = setup()
    router.tenant('acme').subscriptions.create({
      id: 'sub',
      event: 'wallet.coins_rewarded',
      integrationId: 'crm',
      filter: { coins: { $gte: 10_000 } },
    })
    transport.when('https://crm.example/hooks').respondWith({ status: 200, body: 'thanks' })
    const answer = await call('POST', '/api/subscriptions/sub/test', { body: {} })
    expect(answer.status).toBe(200)
    expect(answer.json).toMatchObject({
      result: { status: 'succeeded', attempts: 1, responseStatus: 200 },
      request: { method: 'POST', url: 'https://crm.example/hooks' },
      response: { status: 200, bodyExcerpt: 'thanks' },
    })
    expect(transport.requests.at(-1)?.headers['webhook-test']).toBe('true')
    expect(answer.text).not.toContain(SECRET)
    const bad = await call('POST', '/api/subscriptions/sub/test', { body: { payload: { coins: 'many' } } })
    expect(bad.status).toBe(400)
    expect(errorOf(bad.json).issues.map((issue) => issue.path)).toContain('payload.coins')
    const unknown = await call('POST', '/api/subscriptions/sub/test', { body: { dryRun: true } })
    expect(errorOf(unknown.json)).toMatchObject({ code: 'ERR_VALIDATION', field: 'dryRun' })
  })
})

describe('POST /api/explain', () => {
  it('explains an event without sending it, and refuses a bad payload or body (400)', async () => {
    const { call, router, transport } = adminFixture()
    const acme = router.tenant('acme')
    acme.integrations.add(webhook('crm'))
    acme.subscriptions.create({
      id: 'big',
      event: 'wallet.coins_rewarded',
      integrationId: 'crm',
      filter: { coins: { $gte: 100 } },
    })
    const answer = await call('POST', '/api/explain', {
      body: { event: 'wallet.coins_rewarded', payload: coinsPayload(20) },
    })
    expect(answer.json).toEqual({
      eventName: 'wallet.coins_rewarded',
      eventEnabled: true,
      subscriptions: [
        {
          subscriptionId: 'big',
          integrationId: 'crm',
          outgoingName: 'Wallet Coins Rewarded',
          wouldDeliver: false,
          reason: 'filter_not_matched',
          failedClause: { path: 'coins', condition: { $gte: 100 }, actual: 20 },
        },
      ],
    })
    expect(transport.requests).toHaveLength(0)
    const bad = await call('POST', '/api/explain', {
      body: { event: 'wallet.coins_rewarded', payload: { coins: 1 } },
    })
    expect(bad.status).toBe(400)
    expect(errorOf(bad.json).issues.length).toBeGreaterThan(1)
    expect(errorOf((await call('POST', '/api/explain', { body: { name: 'x' } })).json).field).toBe('name')
  })
})

describe('/api/dead-letters', () => {
  it('lists them, redelivers by id with the same delivery id (202), and discards', async () => {
    const fixture = adminFixture()
    const { letter, destination } = await withDeadLetter(fixture)
    const listed = await fixture.call('GET', '/api/dead-letters?limit=10&reason=not_retryable')
    expect(listed.status).toBe(200)
    expect(listed.json).toEqual([JSON.parse(JSON.stringify(letter))])
    expect(listed.text).not.toContain('tok_secret_1')
    destination.respondWith(200)
    const redelivered = await fixture.call('POST', '/api/dead-letters/redeliver', {
      body: { ids: [letter.id] },
    })
    expect(redelivered.status).toBe(202)
    expect(redelivered.json).toMatchObject({ deliveries: [{ id: letter.id }] })
    await fixture.router.onIdle()
    expect(fixture.transport.requests.at(-1)?.headers['idempotency-key']).toBe(letter.id)
    expect((await fixture.call('GET', '/api/dead-letters')).json).toEqual([])
    destination.respondWith(400)
    fixture.router.tenant('acme').emit('wallet.coins_rewarded', coinsPayload() as never)
    await fixture.router.onIdle()
    const discarded = await fixture.call('POST', '/api/dead-letters/discard', {
      body: { query: { integrationId: 'api' } },
    })
    expect(discarded.json).toEqual({ discarded: 1 })
  })

  it.each([
    ['redeliver', { ids: ['missing'] }, 404, 'ERR_NOT_FOUND', 'ids.0'],
    ['redeliver', {}, 400, 'ERR_VALIDATION', ''],
    ['redeliver', { ids: 'all' }, 400, 'ERR_VALIDATION', 'ids'],
    ['redeliver', { ids: [], query: {} }, 400, 'ERR_VALIDATION', ''],
    ['discard', { query: { reason: 'bored' } }, 400, 'ERR_VALIDATION', 'reason'],
    ['discard', { all: true }, 400, 'ERR_VALIDATION', 'all'],
  ])('refuses a %s of %j and keeps every letter', async (action, body, status, code, field) => {
    const fixture = adminFixture()
    const { letter } = await withDeadLetter(fixture)
    const answer = await fixture.call('POST', `/api/dead-letters/${action}`, { body })
    expect(answer.status).toBe(status)
    expect(errorOf(answer.json)).toMatchObject({ code, field })
    expect(await fixture.router.tenant('acme').deadLetters.list()).toEqual([letter])
  })

  it('refuses a list query it cannot read (400)', async () => {
    const { call } = adminFixture()
    expect(errorOf((await call('GET', '/api/dead-letters?limit=-1')).json)).toMatchObject({ field: 'limit' })
    expect(errorOf((await call('GET', '/api/dead-letters?since=yesterday')).json)).toMatchObject({
      field: 'since',
    })
    expect(errorOf((await call('GET', '/api/dead-letters?sort=desc')).json)).toMatchObject({ field: 'sort' })
  })
})

describe('GET /api/stats', () => {
  it('answers the scope’s stats, or 501 with a clear message while the router has none', async () => {
    const { call, router } = adminFixture()
    router.tenant('acme').integrations.add(webhook('crm'))
    const answer = await call('GET', '/api/stats')
    if (typeof (router as unknown as { stats?: unknown }).stats !== 'function') {
      expect(answer.status).toBe(501)
      expect(errorOf(answer.json)).toMatchObject({
        code: 'ERR_NOT_IMPLEMENTED',
        message: expect.stringMatching(/no stats\(\)/),
      })
      return
    }
    expect(answer.status).toBe(200)
    const { integrations } = answer.json as {
      integrations: { integrationId: string; tenant: string | null }[]
    }
    expect(integrations.map((item) => [item.integrationId, item.tenant])).toEqual([['crm', 'acme']])
    expect(integrations[0]).toMatchObject({
      pending: expect.any(Number),
      inFlight: expect.any(Number),
      lastMinute: { succeeded: expect.any(Number), failed: expect.any(Number) },
      lastHour: { succeeded: expect.any(Number), failed: expect.any(Number) },
    })
    // The platform's stats do not show acme's integration.
    const platform = (await call('GET', '/api/stats', { scope: 'platform' })).json as {
      integrations: unknown[]
    }
    expect(platform.integrations).toEqual([])
  })
})

describe('requests the handler refuses by itself', () => {
  it('answers bad JSON with 400, a large body with 413, a wrong method with 405 and Allow, an unknown route with 404', async () => {
    const { call, router } = adminFixture({ admin: { maxBodyBytes: 1000 } })
    const notJson = await call('POST', '/api/integrations', { raw: '{"id": ' })
    expect(notJson.status).toBe(400)
    expect(errorOf(notJson.json)).toMatchObject({
      code: 'ERR_VALIDATION',
      field: '',
      issues: [{ path: '', message: expect.stringMatching(/^expected JSON/) }],
    })
    const large = await call('POST', '/api/integrations', {
      raw: JSON.stringify({ ...webhook('x'), name: 'n'.repeat(2000) }),
    })
    expect(large.status).toBe(413)
    expect(errorOf(large.json).code).toBe('ERR_PAYLOAD_TOO_LARGE')
    const method = await call('PUT', '/api/integrations')
    expect(method.status).toBe(405)
    expect(method.headers.get('allow')).toBe('GET, POST, HEAD')
    const route = await call('GET', '/api/nothing-here')
    expect(route.status).toBe(404)
    expect(errorOf(route.json).code).toBe('ERR_ROUTE_NOT_FOUND')
    expect(router.tenant('acme').integrations.list()).toEqual([])
  })

  it('answers a closed router with 503 ERR_ROUTER_CLOSED, and one not started with 503 ERR_NOT_STARTED', async () => {
    const open = adminFixture()
    open.router.tenant('acme').integrations.add(webhook('crm'))
    open.router
      .tenant('acme')
      .subscriptions.create({ id: 'sub', event: 'coupon.created', integrationId: 'crm' })
    await open.router.close()
    const closed = await open.call('POST', '/api/subscriptions/sub/test', { body: {} })
    expect(closed.status).toBe(503)
    expect(errorOf(closed.json).code).toBe('ERR_ROUTER_CLOSED')

    const folder = mkdtempSync(join(tmpdir(), 'eventrouter-admin-'))
    try {
      const durable = adminFixture({
        router: { store: sqliteStore({ path: join(folder, 'db.sqlite') }), secrets: 'plaintext' },
      })
      const answer = await durable.call('POST', '/api/integrations', { body: webhook('crm') })
      expect(answer.status).toBe(503)
      expect(errorOf(answer.json).code).toBe('ERR_NOT_STARTED')
    } finally {
      rmSync(folder, { recursive: true, force: true })
    }
  })

  it('maps each typed error to its status; store and unknown failures say nothing of their cause', () => {
    expect(errorAnswer(new BackpressureError(10, 10, 1))).toMatchObject({
      status: 429,
      headers: { 'retry-after': '1' },
      unexpected: false,
    })
    expect(errorAnswer(new RouterClosedError('emit'))).toMatchObject({
      status: 503,
      body: { error: { code: 'ERR_ROUTER_CLOSED' } },
    })
    const store = errorAnswer(new StoreError('write', 'disk full at /var/secret/path'))
    expect(store).toMatchObject({ status: 503, unexpected: true, body: { error: { code: 'ERR_STORE' } } })
    expect(JSON.stringify(store.body)).not.toContain('/var/secret')
    const bug = errorAnswer(new TypeError('x is undefined'))
    expect(bug).toMatchObject({
      status: 500,
      unexpected: true,
      body: { error: { code: 'ERR_INTERNAL', field: null, issues: [] } },
    })
    expect(JSON.stringify(bug.body)).not.toContain('undefined')
    expect(errorAnswer(new ValidationError('thing', [{ path: 'a', message: 'b' }]))).toMatchObject({
      status: 400,
      body: {
        error: {
          code: 'ERR_VALIDATION',
          message: 'Invalid thing: a: b',
          field: 'a',
          issues: [{ path: 'a', message: 'b' }],
        },
      },
    })
  })
})

describe('tenant isolation', () => {
  /** Every route that takes an id, with a body it would accept. `{id}` is replaced. */
  const ROUTES: readonly [string, string, (id: string) => unknown][] = [
    ['GET', '/api/integrations/{id}', () => undefined],
    ['PATCH', '/api/integrations/{id}', () => ({ name: 'taken over' })],
    ['POST', '/api/integrations/{id}/enable', () => undefined],
    ['POST', '/api/integrations/{id}/disable', () => undefined],
    ['DELETE', '/api/integrations/{id}', () => undefined],
    ['GET', '/api/subscriptions/{id}', () => undefined],
    ['PATCH', '/api/subscriptions/{id}', () => ({ eventNamePrefix: 'taken over ' })],
    ['POST', '/api/subscriptions/{id}/enable', () => undefined],
    ['POST', '/api/subscriptions/{id}/disable', () => undefined],
    ['POST', '/api/subscriptions/{id}/test', () => ({})],
    ['DELETE', '/api/subscriptions/{id}', () => undefined],
    ['POST', '/api/subscriptions', (id) => ({ event: 'wallet.coins_rewarded', integrationId: id })],
    ['PATCH', '/api/subscriptions/own', (id) => ({ integrationId: id })],
    ['POST', '/api/dead-letters/redeliver', (id) => ({ ids: [id] })],
    ['POST', '/api/dead-letters/discard', (id) => ({ ids: [id] })],
  ]

  const normalized = (answer: { status: number; text: string }, id: string) => ({
    status: answer.status,
    body: answer.text.split(id).join('<id>'),
  })

  it.each([
    ['another tenant', 'acme', 'globex'],
    ['the platform', 'acme', 'platform'],
    ['a tenant, from the platform', 'platform', 'globex'],
  ])("answers every route on %s's ids exactly as for ids that do not exist", async (_, caller, owner) => {
    const fixture = adminFixture()
    const ownerScope = owner === 'platform' ? fixture.router : fixture.router.tenant(owner)
    const callerScope = caller === 'platform' ? fixture.router : fixture.router.tenant(caller)
    // The caller has records of its own, so that "not found" is not "nothing at all".
    callerScope.integrations.add(webhook('mine'))
    callerScope.subscriptions.create({ id: 'own', event: 'coupon.created', integrationId: 'mine' })
    // The owner's records: one integration and one subscription, both `shared`, and a dead letter.
    ownerScope.integrations.add(webhook('shared'))
    ownerScope.subscriptions.create({ id: 'shared', event: 'wallet.coins_rewarded', integrationId: 'shared' })
    ownerScope.integrations.add({
      id: 'api',
      type: 'api',
      config: { url: 'https://api.example/fail', token: 'tok_owner' },
    })
    ownerScope.subscriptions.create({ id: 'to-api', event: 'wallet.coins_rewarded', integrationId: 'api' })
    fixture.transport.when('https://api.example/fail').respondWith(400)
    if (owner === 'platform') fixture.router.emit('wallet.coins_rewarded', coinsPayload() as never)
    else fixture.router.tenant(owner).emit('wallet.coins_rewarded', coinsPayload() as never)
    await fixture.router.onIdle()
    const [letter] = await ownerScope.deadLetters.list()
    if (!letter) throw new Error('expected a dead letter of the owner')
    const before = JSON.stringify(fixture.router.toJSON({ includeSecrets: true }))
    const sent = fixture.transport.requests.length

    for (const [method, template, body] of ROUTES) {
      const theirs = template.includes('dead-letters') ? letter.id : 'shared'
      const missing = template.includes('dead-letters') ? '00000000-0000-4000-8000-000000000000' : 'absent'
      const foreign = await fixture.call(method, template.replace('{id}', theirs), {
        scope: caller,
        body: body(theirs),
      })
      const none = await fixture.call(method, template.replace('{id}', missing), {
        scope: caller,
        body: body(missing),
      })
      expect({ route: `${method} ${template}`, ...normalized(foreign, theirs) }).toEqual({
        route: `${method} ${template}`,
        ...normalized(none, missing),
      })
      expect(foreign.status).toBe(404)
      expect(foreign.text).not.toContain('tok_owner')
    }
    // Lists show the caller's records only.
    const ids = (answer: { json: unknown }) => (answer.json as { id: string }[]).map((record) => record.id)
    expect(ids(await fixture.call('GET', '/api/integrations', { scope: caller }))).toEqual(['mine'])
    expect(ids(await fixture.call('GET', '/api/subscriptions', { scope: caller }))).toEqual(['own'])
    expect((await fixture.call('GET', '/api/dead-letters', { scope: caller })).json).toEqual([])
    const explained = await fixture.call('POST', '/api/explain', {
      scope: caller,
      body: { event: 'wallet.coins_rewarded', payload: coinsPayload() },
    })
    expect((explained.json as { subscriptions: unknown[] }).subscriptions).toEqual([])
    // Nothing of the owner's changed, nothing was sent, and its dead letter is still there.
    expect(JSON.stringify(fixture.router.toJSON({ includeSecrets: true }))).toBe(before)
    expect(fixture.transport.requests).toHaveLength(sent)
    expect(await ownerScope.deadLetters.list()).toEqual([letter])
  })
})
