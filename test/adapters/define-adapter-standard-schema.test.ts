import type { StandardSchemaV1 } from '@standard-schema/spec'
import { type Adapter, defineAdapter, EventRouter, ValidationError } from 'eventrouter'
import { checkAdapterConformance, MockTransport } from 'eventrouter/testing'
import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { z as z3 } from 'zod3'
import { INSTANT_RETRY } from '../factories.js'

const GOOD = { url: 'https://ping.example/in', token: 'secret-token-1' }

/** The same config schema in each validator: a URL, a secret token, a default region. */
const validators = [
  {
    name: 'zod 3',
    schema: z3
      .object({
        url: z3.string().url(),
        token: z3.string().min(8),
        region: z3.enum(['eu', 'us']).default('eu'),
      })
      .strict(),
    urlMessage: 'Invalid url',
  },
  {
    name: 'zod 4',
    schema: z.strictObject({
      url: z.url(),
      token: z.string().min(8),
      region: z.enum(['eu', 'us']).default('eu'),
    }),
    urlMessage: 'Invalid URL',
  },
  {
    name: 'valibot',
    schema: v.strictObject({
      url: v.pipe(v.string(), v.url()),
      token: v.pipe(v.string(), v.minLength(8)),
      region: v.optional(v.picklist(['eu', 'us']), 'eu'),
    }),
    urlMessage: 'Invalid URL: Received "not a url"',
  },
] as const

function pingAdapter(
  configSchema: StandardSchemaV1<unknown, { url: string; token: string; region: string }>,
) {
  return defineAdapter({
    type: 'ping',
    configSchema,
    secretFields: ['token'],
    buildRequest: ({ event, config, delivery }) => ({
      method: 'POST',
      url: `${config.url}?region=${config.region}`,
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${config.token}`,
        'idempotency-key': delivery.id,
      },
      body: JSON.stringify({ name: event.outgoingName, payload: event.payload }),
    }),
  })
}

function routerWith(adapter: Adapter) {
  const transport = new MockTransport()
  return { router: new EventRouter({ adapters: [adapter], transport, retry: INSTANT_RETRY }), transport }
}

function thrown(fn: () => unknown): ValidationError {
  try {
    fn()
  } catch (error) {
    if (error instanceof ValidationError) return error
    throw error
  }
  throw new Error('expected a ValidationError, nothing was thrown')
}

describe('defineAdapter with Standard Schema validators', () => {
  describe.each(validators)('$name config schemas', ({ schema, urlMessage }) => {
    it('integrations.add validates the config; buildRequest gets what the schema parsed', async () => {
      const { router, transport } = routerWith(pingAdapter(schema))
      const added = router.integrations.add({ id: 'p', type: 'ping', config: GOOD })
      // The default region comes from the schema; the token is a secret field, redacted.
      expect(added.config).toEqual({ url: GOOD.url, token: '[REDACTED]', region: 'eu' })
      router.subscriptions.create({ event: 'a.b', integrationId: 'p' })
      await expect(router.emit('a.b', { n: 1 }).settled).resolves.toMatchObject([{ status: 'succeeded' }])
      expect(transport.requests[0]?.url).toBe('https://ping.example/in?region=eu')
      expect(transport.requests[0]?.headers.authorization).toBe('Bearer secret-token-1')
    })

    it('a bad config is a ValidationError naming `config.url` in the validator’s words; nothing changes', () => {
      const { router } = routerWith(pingAdapter(schema))
      router.integrations.add({ id: 'kept', type: 'ping', config: GOOD })
      const before = router.integrations.list()
      const error = thrown(() =>
        router.integrations.add({ id: 'p', type: 'ping', config: { ...GOOD, url: 'not a url' } }),
      )
      expect(error.code).toBe('ERR_VALIDATION')
      expect(error.field).toBe('config.url')
      expect(error.issues).toEqual([{ path: 'config.url', message: urlMessage }])
      expect(error.message).toBe(`Invalid config for adapter \`ping\`: config.url: ${urlMessage}`)
      expect(router.integrations.list()).toEqual(before)
      expect(router.integrations.get('p')).toBeUndefined()
      // The refused id was not taken.
      expect(router.integrations.add({ id: 'p', type: 'ping', config: GOOD }).id).toBe('p')
    })

    it('an unknown config key is named at its own path', () => {
      const { router } = routerWith(pingAdapter(schema))
      const error = thrown(() => router.integrations.add({ type: 'ping', config: { ...GOOD, tokn: 'x' } }))
      expect(error.issues.map((issue) => issue.path)).toEqual(['config.tokn'])
    })

    it('integrations.update refuses a bad config patch and keeps the integration as it was', () => {
      const { router } = routerWith(pingAdapter(schema))
      const added = router.integrations.add({ id: 'p', type: 'ping', config: GOOD })
      const error = thrown(() => router.integrations.update('p', { config: { token: 'short' } }))
      expect(error.field).toBe('config.token')
      expect(router.integrations.get('p')).toEqual(added)
      expect(router.integrations.update('p', { config: { region: 'us' } }).config).toMatchObject({
        region: 'us',
      })
    })

    it('passes the adapter conformance kit', async () => {
      const report = await checkAdapterConformance({
        adapter: pingAdapter(schema),
        config: GOOD,
        invalidConfigs: [
          { config: { ...GOOD, url: 'not a url' }, field: 'url' },
          { config: { url: GOOD.url }, field: 'token' },
        ],
      })
      expect(report.checks.filter((check) => !check.ok)).toEqual([])
      expect(report.ok).toBe(true)
    })
  })

  it('the adapter’s configSchema is a zod schema whatever the definition used (parse, safeParse)', () => {
    const adapter = pingAdapter(validators[2].schema)
    expect(adapter.configSchema.parse(GOOD)).toEqual({ ...GOOD, region: 'eu' })
    const result = adapter.configSchema.safeParse({ ...GOOD, url: 'not a url' })
    expect(result.success).toBe(false)
    expect(result.error?.issues.map((issue) => [issue.path, issue.message])).toEqual([
      [['url'], 'Invalid URL: Received "not a url"'],
    ])
    // A zod 4 schema is kept as it is.
    expect(pingAdapter(validators[1].schema).configSchema).toBe(validators[1].schema)
  })

  describe('refuses async config schemas, which integrations.add() cannot wait for', () => {
    it.each([
      ['zod 3', z3.object({ url: z3.string().refine(async () => true) })],
      ['zod 4', z.object({ url: z.string().refine(async () => true) })],
      [
        'valibot',
        v.objectAsync({
          url: v.pipeAsync(
            v.string(),
            v.checkAsync(async () => true),
          ),
        }),
      ],
    ] as const)('%s: a ValidationError at `config`', (_name, schema) => {
      const adapter = defineAdapter({
        type: 'slow',
        configSchema: schema,
        buildRequest: ({ config }) => ({ method: 'POST', url: config.url, headers: {}, body: '' }),
      })
      const { router } = routerWith(adapter)
      const error = thrown(() => router.integrations.add({ type: 'slow', config: { url: GOOD.url } }))
      expect(error.issues).toEqual([
        { path: 'config', message: expect.stringMatching(/^its schema validates asynchronously/) },
      ])
      expect(router.integrations.list()).toEqual([])
    })
  })

  it.each([
    ['zod 3', 'zod', z3.object({ url: z3.string().refine(() => failing()) })],
    [
      'valibot',
      'valibot',
      v.object({
        url: v.pipe(
          v.string(),
          v.check(() => failing()),
        ),
      }),
    ],
  ] as const)(
    '%s: a validator that throws is a ValidationError at `config` that says so',
    (_name, vendor, schema) => {
      const adapter = defineAdapter({
        type: 'throws',
        configSchema: schema,
        buildRequest: ({ config }) => ({ method: 'POST', url: config.url, headers: {}, body: '' }),
      })
      const { router } = routerWith(adapter)
      const error = thrown(() => router.integrations.add({ type: 'throws', config: { url: GOOD.url } }))
      expect(error.issues).toEqual([
        {
          path: 'config',
          message: `could not be validated: its ${vendor} schema threw \`region table not loaded\` (one of its checks, or a getter or Proxy of the input)`,
        },
      ])
      expect(router.integrations.list()).toEqual([])
    },
  )

  it('refuses a configSchema that is not a schema, naming what it accepts', () => {
    for (const configSchema of [
      { parse: () => ({}) },
      { _def: {}, safeParse: () => ({ success: true }) },
      null,
    ]) {
      expect(() =>
        defineAdapter({
          type: 'nope',
          configSchema: configSchema as never,
          buildRequest: () => ({ method: 'POST', url: GOOD.url, headers: {}, body: '' }),
        }),
      ).toThrow(
        /^Expected adapter `configSchema` of `nope` to be a zod 4 schema or a Standard Schema v1 validator \(valibot, arktype, zod 3\.24\+\), got /,
      )
    }
  })
})

function failing(): never {
  throw new Error('region table not loaded')
}
