import type { StandardJSONSchemaV1, StandardSchemaV1 } from '@standard-schema/spec'
import { toStandardJsonSchema } from '@valibot/to-json-schema'
import { defineCatalog, EventRouter, InvalidFilterError, ValidationError, webhookAdapter } from 'eventrouter'
import { MockTransport } from 'eventrouter/testing'
import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { z as z3 } from 'zod3'
import { INSTANT_RETRY } from '../factories.js'
import { filterIssues, thrown } from './fixtures.js'

const TIERS = ['silver', 'gold'] as const
const SAMPLE = { coins: 150, customer: { id: 'c_1', tier: 'gold' } }
const BAD_COINS = { coins: 1.5, customer: { id: 'c_1', tier: 'gold' } }

/** The same payload schema in each validator: strict objects, an integer, an enum. */
const validators = [
  {
    name: 'zod 3',
    schema: z3
      .object({
        coins: z3.number().int().positive(),
        customer: z3.object({ id: z3.string(), tier: z3.enum(TIERS) }).strict(),
      })
      .strict(),
    // zod 3's own message for a float where an integer is expected.
    coinsMessage: 'Expected integer, received float',
  },
  {
    name: 'zod 4',
    schema: z.strictObject({
      coins: z.int().positive(),
      customer: z.strictObject({ id: z.string(), tier: z.enum(TIERS) }),
    }),
    // zod 4 keeps eventrouter's own messages.
    coinsMessage: 'expected an integer, got number 1.5',
  },
  {
    name: 'valibot',
    schema: v.strictObject({
      coins: v.pipe(v.number(), v.integer(), v.minValue(1)),
      customer: v.strictObject({ id: v.string(), tier: v.picklist(TIERS) }),
    }),
    coinsMessage: 'Invalid integer: Received 1.5',
  },
] as const

function catalogOf(schema: StandardSchemaV1, sample: unknown = SAMPLE) {
  return defineCatalog({
    'wallet.coins_rewarded': { title: 'Coins Rewarded', description: 'Coins were credited.', schema, sample },
  })
}

/** A hand-written Standard Schema v1 validator, as a library without an adapter would ship one. */
function standardSchema<T>(
  validate: (value: unknown) => StandardSchemaV1.Result<T> | Promise<StandardSchemaV1.Result<T>>,
): StandardSchemaV1<unknown, T> {
  return { '~standard': { version: 1, vendor: 'acme', validate } }
}

const passThrough = (value: unknown) => ({ value: value as Record<string, unknown> })

describe('defineCatalog with Standard Schema validators', () => {
  describe.each(validators)('$name schemas', ({ schema, coinsMessage }) => {
    it('accept a valid payload and return what the schema parsed', () => {
      const catalog = catalogOf(schema)
      expect(catalog.validatePayload('wallet.coins_rewarded', SAMPLE)).toEqual(SAMPLE)
      expect(catalog.get('wallet.coins_rewarded')?.schema).toBe(schema)
    })

    it('refuse an invalid payload with a ValidationError naming the field, in the validator’s words', () => {
      const error = thrown(() => catalogOf(schema).validatePayload('wallet.coins_rewarded', BAD_COINS))
      expect(error.code).toBe('ERR_VALIDATION')
      expect(error.field).toBe('payload.coins')
      expect(error.issues).toEqual([{ path: 'payload.coins', message: coinsMessage }])
      expect(error.message).toContain(`payload.coins: ${coinsMessage}`)
    })

    it('name nested fields and each unknown key at its own path', () => {
      const error = thrown(() =>
        catalogOf(schema).validatePayload('wallet.coins_rewarded', {
          coins: 150,
          customer: { id: 'c_1', tier: 'bronze', teir: 'gold' },
        }),
      )
      expect(error.issues.map((issue) => issue.path)).toEqual([
        'payload.customer.tier',
        'payload.customer.teir',
      ])
      for (const issue of error.issues) expect(issue.message.length).toBeGreaterThan(5)
    })

    it('refuse a sample the schema rejects, at definitions.<event>.sample.<field>', () => {
      const error = thrown(() => catalogOf(schema, BAD_COINS))
      expect(error.issues).toEqual([
        { path: 'definitions.wallet.coins_rewarded.sample.coins', message: coinsMessage },
      ])
    })
  })

  describe('refuses async schemas, which emit() cannot wait for', () => {
    const asyncSchemas = [
      ['zod 3', z3.object({ coins: z3.number().refine(async () => true) })],
      ['zod 4', z.object({ coins: z.number().refine(async () => true) })],
      [
        'valibot',
        v.objectAsync({
          coins: v.pipeAsync(
            v.number(),
            v.checkAsync(async () => true),
          ),
        }),
      ],
      ['a hand-written validator', standardSchema(async (value) => passThrough(value))],
    ] as const

    it.each(asyncSchemas)('%s: at definitions.<event>.schema', (_name, schema) => {
      const error = thrown(() => catalogOf(schema, { coins: 1 }))
      expect(error.issues).toEqual([
        {
          path: 'definitions.wallet.coins_rewarded.schema',
          message: expect.stringMatching(/^validates asynchronously/),
        },
      ])
    })

    it('a schema async for some payloads only: validatePayload refuses those at `payload`', () => {
      const schema = standardSchema((value) =>
        (value as { coins?: unknown }).coins === 0 ? Promise.resolve(passThrough(value)) : passThrough(value),
      )
      const catalog = catalogOf(schema, { coins: 1 })
      expect(catalog.validatePayload('wallet.coins_rewarded', { coins: 2 })).toEqual({ coins: 2 })
      const error = thrown(() => catalog.validatePayload('wallet.coins_rewarded', { coins: 0 }))
      expect(error.issues).toEqual([
        { path: 'payload', message: expect.stringMatching(/^its schema validates asynchronously/) },
      ])
    })
  })

  describe('a validator that throws', () => {
    const boom = (): never => {
      throw new Error('tier table not loaded')
    }

    it.each([
      ['zod 3', z3.object({ coins: z3.number().refine(boom) })],
      ['valibot', v.object({ coins: v.pipe(v.number(), v.check(boom)) })],
    ] as const)('%s: reported as such at the sample, not as an async schema', (name, schema) => {
      const error = thrown(() => catalogOf(schema, { coins: 1 }))
      expect(error.issues).toEqual([
        {
          path: 'definitions.wallet.coins_rewarded.sample',
          message: `could not be validated: its ${name === 'zod 3' ? 'zod' : 'valibot'} schema threw \`tier table not loaded\` (one of its checks, or a getter or Proxy of the input)`,
        },
      ])
    })

    it('at validatePayload: a ValidationError at `payload`, with the error as cause', () => {
      const failure = new Error('tier table not loaded')
      const schema = v.object({
        coins: v.pipe(
          v.number(),
          v.check((coins) => {
            if (coins === 13) throw failure
            return true
          }),
        ),
      })
      const catalog = catalogOf(schema, { coins: 1 })
      const error = thrown(() => catalog.validatePayload('wallet.coins_rewarded', { coins: 13 }))
      expect(error.field).toBe('payload')
      expect(error.issues[0]?.message).toContain('its valibot schema threw `tier table not loaded`')
      expect(error.cause).toBe(failure)
    })
  })

  describe('hand-written validators', () => {
    it('issue paths may hold `{ key }` segments and numbers', () => {
      const schema = standardSchema((value) =>
        (value as { items?: unknown[] }).items?.length
          ? { issues: [{ message: 'must be a SKU', path: [{ key: 'items' }, 0, { key: 'sku' }] }] }
          : passThrough(value),
      )
      const catalog = catalogOf(schema, {})
      const error = thrown(() => catalog.validatePayload('wallet.coins_rewarded', { items: [{ sku: 1 }] }))
      expect(error.issues).toEqual([{ path: 'payload.items.0.sku', message: 'must be a SKU' }])
    })

    it('a schema that is a function, as arktype’s are, is accepted', () => {
      const schema = Object.assign((value: unknown) => value, {
        '~standard': {
          version: 1 as const,
          vendor: 'arktype-like',
          validate: (value: unknown) =>
            typeof (value as { coins?: unknown }).coins === 'number'
              ? passThrough(value)
              : { issues: [{ message: 'coins must be a number', path: ['coins'] }] },
        },
      })
      const catalog = catalogOf(schema, { coins: 1 })
      expect(catalog.validatePayload('wallet.coins_rewarded', { coins: 2 })).toEqual({ coins: 2 })
      expect(thrown(() => catalog.validatePayload('wallet.coins_rewarded', {})).issues).toEqual([
        { path: 'payload.coins', message: 'coins must be a number' },
      ])
    })

    it('a failure without issues or messages still fails, saying so', () => {
      const catalog = catalogOf(
        standardSchema((value) =>
          (value as { coins?: unknown }).coins === 0 ? { issues: [] } : passThrough(value),
        ),
        { coins: 1 },
      )
      const error = thrown(() => catalog.validatePayload('wallet.coins_rewarded', { coins: 0 }))
      expect(error.issues).toEqual([
        { path: 'payload', message: 'was rejected by its acme schema, which gave no reason' },
      ])
    })

    it('a schema whose output is not a JSON object is refused', () => {
      const error = thrown(() =>
        catalogOf(
          standardSchema(() => ({ value: 'coins' })),
          {},
        ),
      )
      expect(error.issues).toEqual([
        {
          path: 'definitions.wallet.coins_rewarded.schema',
          message: 'expected a schema of JSON objects, such as z.strictObject({...})',
        },
      ])
    })
  })

  it('refuses what is not a schema, naming what it accepts', () => {
    const notSchemas = [
      { parse: () => ({}) },
      // A zod 3 schema older than 3.24 has no `~standard`.
      { _def: {}, safeParse: () => ({ success: true, data: {} }) },
      { '~standard': { version: 2, vendor: 'future', validate: passThrough } },
    ]
    for (const schema of notSchemas) {
      const error = thrown(() => catalogOf(schema as never))
      expect(error.issues).toEqual([
        {
          path: 'definitions.wallet.coins_rewarded.schema',
          message: expect.stringMatching(
            /^expected a zod 4 schema or a Standard Schema v1 validator \(valibot, arktype, zod 3\.24\+\), got /,
          ),
        },
      ])
    }
  })
})

describe('Catalog description of Standard Schema validators', () => {
  const valibotShape = () =>
    v.strictObject({
      coins: v.pipe(v.number(), v.integer()),
      customer: v.strictObject({ id: v.string(), tier: v.picklist(TIERS) }),
    })

  describe('without Standard JSON Schema (valibot on its own, zod 3)', () => {
    it.each([
      ['valibot', valibotShape()],
      ['zod 3', validators[0].schema],
    ] as const)(
      '%s: jsonSchema() throws at `name`, fields() is empty, checkFilter() passes all',
      (_name, schema) => {
        const catalog = catalogOf(schema)
        const error = thrown(() => catalog.jsonSchema('wallet.coins_rewarded'))
        expect(error.field).toBe('name')
        expect(error.issues[0]?.message).toMatch(
          /^`wallet\.coins_rewarded` has no JSON Schema: its (valibot|zod) schema does not implement Standard JSON Schema/,
        )
        expect(catalog.fields('wallet.coins_rewarded')).toEqual([])
        expect(() => catalog.checkFilter('wallet.coins_rewarded', { teir: 'gold' })).not.toThrow()
      },
    )

    it('an unknown event is still refused by each of them', () => {
      const catalog = catalogOf(valibotShape())
      for (const call of [
        () => catalog.jsonSchema('wallet.coin_rewarded'),
        () => catalog.fields('wallet.coin_rewarded'),
        () => catalog.checkFilter('wallet.coin_rewarded', {}),
      ]) {
        expect(thrown(call).issues[0]?.message).toContain('did you mean `wallet.coins_rewarded`?')
      }
    })
  })

  describe('with Standard JSON Schema (valibot through @valibot/to-json-schema)', () => {
    const catalog = () => catalogOf(toStandardJsonSchema(valibotShape()))

    it('jsonSchema() is the validator’s JSON Schema, with the event’s title and description', () => {
      expect(catalog().jsonSchema('wallet.coins_rewarded')).toEqual({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        title: 'Coins Rewarded',
        description: 'Coins were credited.',
        type: 'object',
        properties: {
          coins: { type: 'integer' },
          customer: {
            type: 'object',
            properties: { id: { type: 'string' }, tier: { type: 'string', enum: ['silver', 'gold'] } },
            required: ['id', 'tier'],
            additionalProperties: false,
          },
        },
        required: ['coins', 'customer'],
        additionalProperties: false,
      })
    })

    it('fields() lists its fields for a filter builder', () => {
      expect(catalog().fields('wallet.coins_rewarded')).toEqual([
        { path: 'coins', type: 'integer', optional: false, nullable: false },
        { path: 'customer.id', type: 'string', optional: false, nullable: false },
        { path: 'customer.tier', type: 'string', enum: ['silver', 'gold'], optional: false, nullable: false },
      ])
    })

    it('checkFilter() refuses unknown fields and values of the wrong type', () => {
      expect(
        filterIssues(() =>
          catalog().checkFilter('wallet.coins_rewarded', { 'customer.teir': 'gold', coins: { $gt: 'many' } }),
        ),
      ).toEqual([
        'filter.customer.teir: `customer.teir` is not a field of `wallet.coins_rewarded`; did you mean `customer.tier`?',
        'filter.coins.$gt: `coins` is an integer, so `$gt` with string "many" never matches',
      ])
      expect(() => catalog().checkFilter('wallet.coins_rewarded', { 'customer.tier': 'gold' })).not.toThrow()
    })

    it('a schema the converter cannot describe is refused when the catalog is defined', () => {
      const schema = toStandardJsonSchema(
        v.object({
          coins: v.pipe(
            v.string(),
            v.transform((text) => Number(text)),
          ),
        }),
      )
      const error = thrown(() => catalogOf(schema, { coins: '150' }))
      expect(error.issues).toEqual([
        {
          path: 'definitions.wallet.coins_rewarded.schema',
          message:
            'implements Standard JSON Schema, but converting it to JSON Schema (draft 2020-12) failed: The "transform" action cannot be converted to JSON Schema.',
        },
      ])
    })
  })

  describe('with a hand-written Standard JSON Schema converter', () => {
    function described(
      converter: StandardJSONSchemaV1.Converter,
    ): StandardSchemaV1<unknown, Record<string, unknown>> & StandardJSONSchemaV1 {
      return {
        '~standard': { version: 1, vendor: 'acme', validate: passThrough, jsonSchema: converter },
      }
    }

    it('asks for draft 2020-12, the input or the output as `io` says, and adds `$schema` when missing', () => {
      const targets: string[] = []
      const schema = described({
        input: ({ target }) => {
          targets.push(`input ${target}`)
          return { type: 'object', properties: { page: { type: 'string' } } }
        },
        output: ({ target }) => {
          targets.push(`output ${target}`)
          return { type: 'object', properties: { page: { type: 'string' } }, required: ['page'] }
        },
      })
      const catalog = catalogOf(schema, {})
      expect(catalog.jsonSchema('wallet.coins_rewarded', { io: 'input' })).toEqual({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        title: 'Coins Rewarded',
        description: 'Coins were credited.',
        type: 'object',
        properties: { page: { type: 'string' } },
      })
      expect(catalog.jsonSchema('wallet.coins_rewarded')).toMatchObject({ required: ['page'] })
      expect(targets).toContain('input draft-2020-12')
      expect(targets).toContain('output draft-2020-12')
      expect(targets.every((target) => target.endsWith(' draft-2020-12'))).toBe(true)
    })

    it('a converter that returns no JSON Schema is refused when the catalog is defined', () => {
      const schema = described({ input: () => [] as never, output: () => [] as never })
      const error = thrown(() => catalogOf(schema, {}))
      expect(error.issues[0]).toEqual({
        path: 'definitions.wallet.coins_rewarded.schema',
        message:
          'implements Standard JSON Schema, but converting it to JSON Schema (draft 2020-12) failed: its Standard JSON Schema converter returned empty array, not a JSON Schema',
      })
    })

    it('a converter that throws only for the input: jsonSchema({ io: "input" }) says so at `name`', () => {
      const failure = new Error('input types are not supported')
      const schema = described({
        input: () => {
          throw failure
        },
        output: () => ({ type: 'object', properties: {} }),
      })
      const error = thrown(() => catalogOf(schema, {}).jsonSchema('wallet.coins_rewarded', { io: 'input' }))
      expect(error.issues).toEqual([
        {
          path: 'name',
          message:
            'the input of `wallet.coins_rewarded` cannot be described as JSON Schema: input types are not supported',
        },
      ])
      expect(error.cause).toBe(failure)
    })
  })
})

describe('EventRouter with a catalog of valibot schemas', () => {
  function routerWith(schema: StandardSchemaV1) {
    const transport = new MockTransport()
    const router = new EventRouter({
      adapters: [webhookAdapter()],
      transport,
      retry: INSTANT_RETRY,
      catalog: catalogOf(schema),
    })
    router.integrations.add({
      id: 'hook',
      type: 'webhook',
      config: { url: 'https://hooks.example/in', signing: false },
    })
    return { router, transport }
  }

  it('emit() refuses a bad payload and changes nothing; the same id is accepted once fixed', async () => {
    const { router, transport } = routerWith(validators[2].schema)
    router.subscriptions.create({ id: 'sub', event: 'wallet.coins_rewarded', integrationId: 'hook' })

    const error = thrown(() => router.emit('wallet.coins_rewarded', BAD_COINS, { id: 'evt_1' }))
    expect(error.issues).toEqual([{ path: 'payload.coins', message: 'Invalid integer: Received 1.5' }])
    expect(router.pendingCount).toBe(0)

    const receipt = router.emit('wallet.coins_rewarded', SAMPLE, { id: 'evt_1' })
    expect(receipt.duplicate).toBe(false)
    await expect(receipt.settled).resolves.toMatchObject([{ status: 'succeeded' }])
    expect(transport.requests).toHaveLength(1)
    expect(transport.requests[0]?.json()).toMatchObject({ id: 'evt_1', data: SAMPLE })
  })

  it('delivers what the schema parsed: valibot defaults applied, unknown keys of v.object removed', async () => {
    const { router, transport } = routerWith(
      v.object({ coins: v.number(), reason: v.optional(v.string(), 'order') }),
    )
    router.subscriptions.create({ event: 'wallet.coins_rewarded', integrationId: 'hook' })
    await router.emit('wallet.coins_rewarded', { coins: 5, extra: true }).settled
    expect(transport.requests[0]?.json()).toMatchObject({ data: { coins: 5, reason: 'order' } })
    expect(transport.requests[0]?.json()).not.toHaveProperty('data.extra')
  })

  it('a subscription filter is checked against a valibot schema with Standard JSON Schema', () => {
    const { router } = routerWith(toStandardJsonSchema(validators[2].schema))
    const error = thrown(() =>
      router.subscriptions.create({
        event: 'wallet.coins_rewarded',
        integrationId: 'hook',
        filter: { 'customer.teir': 'gold' },
      }),
    )
    expect(error).toBeInstanceOf(InvalidFilterError)
    expect(error.field).toBe('filter.customer.teir')
    expect(router.subscriptions.list()).toEqual([])
    expect(router.catalog.list()[0]?.fields.map((field) => field.path)).toEqual([
      'coins',
      'customer.id',
      'customer.tier',
    ])
  })

  it('router.catalog of valibot on its own: no fields, and jsonSchema() says why', () => {
    const { router } = routerWith(validators[2].schema)
    expect(router.catalog.list()).toEqual([
      {
        name: 'wallet.coins_rewarded',
        title: 'Coins Rewarded',
        description: 'Coins were credited.',
        fields: [],
      },
    ])
    expect(() => router.catalog.jsonSchema('wallet.coins_rewarded')).toThrow(ValidationError)
  })
})
