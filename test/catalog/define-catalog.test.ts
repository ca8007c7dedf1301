import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import type { EventDefinition } from '../../src/catalog/catalog.js'
import { defineCatalog } from '../../src/catalog/define-catalog.js'
import { defineEvent } from '../../src/catalog/define-event.js'
import { isEventRouterError } from '../../src/errors/event-router-error.js'
import { InvalidFilterError } from '../../src/errors/invalid-filter-error.js'
import { ValidationError } from '../../src/errors/validation-error.js'
import { shopSchema, thrown } from './fixtures.js'

const rewarded = defineEvent({
  title: 'Coins Rewarded',
  description: 'Coins were credited.',
  schema: z.strictObject({ coins: z.int().positive(), tier: z.enum(['silver', 'gold']).optional() }),
  sample: { coins: 150, tier: 'gold' },
})

const shopSample: z.input<typeof shopSchema> = {
  coins: 10,
  total: 19.99,
  status: 'paid',
  paidAt: '2025-01-31T09:30:00Z',
  vip: false,
  customer: { id: 'c1', tier: null, email: 'ana@example.com' },
  tags: [],
  scores: [],
  channels: ['email'],
  items: [{ sku: 'A1', qty: 1, price: 19.99 }],
}

function createCatalog() {
  return defineCatalog({
    'wallet.coins_rewarded': rewarded,
    'shop.order': { title: 'Order', description: 'An order.', schema: shopSchema, sample: shopSample },
    'profile.seen': {
      title: 'Profile Seen',
      description: 'A profile was viewed (loose schema: unknown keys are removed).',
      schema: z.object({ page: z.string().default('home') }),
      sample: {},
    },
  })
}

describe('defineCatalog', () => {
  it('lists, tests and returns its events', () => {
    const catalog = createCatalog()
    expect(catalog.names()).toEqual(['wallet.coins_rewarded', 'shop.order', 'profile.seen'])
    expect(catalog.has('shop.order')).toBe(true)
    expect(catalog.has('shop.orders')).toBe(false)
    expect(catalog.has('toString')).toBe(false)
    expect(catalog.get('wallet.coins_rewarded')).toBe(rewarded)
    expect(catalog.get('nope')).toBeUndefined()
    expect(Object.isFrozen(catalog)).toBe(true)
    expect(Object.isFrozen(catalog.definitions)).toBe(true)
  })

  it('is not changed by later changes to the definitions object', () => {
    const definitions: Record<string, EventDefinition> = { 'wallet.coins_rewarded': rewarded }
    const catalog = defineCatalog(definitions)
    definitions['other.event'] = rewarded
    expect(catalog.names()).toEqual(['wallet.coins_rewarded'])
  })

  describe('rejects bad definitions', () => {
    it('names every problem at definitions.<event>.<part>', () => {
      const error = thrown(() =>
        defineCatalog({
          'bad name!': rewarded,
          'a.untitled': { ...rewarded, title: '  ' },
          'a.long': { ...rewarded, title: 'x'.repeat(101), description: '' },
          'a.bad_sample': { ...rewarded, sample: { coins: 0, tier: 'bronze' } as never },
          'a.no_schema': { ...rewarded, schema: { parse: () => ({}) } as never },
          'a.not_object': { title: 'T', description: 'D', schema: z.string(), sample: 'x' },
        } as never),
      )
      expect(error).toBeInstanceOf(ValidationError)
      expect(error.code).toBe('ERR_VALIDATION')
      expect(error.issues.map((issue) => issue.path)).toEqual([
        'definitions.bad name!',
        'definitions.a.untitled.title',
        'definitions.a.long.title',
        'definitions.a.long.description',
        'definitions.a.bad_sample.sample.coins',
        'definitions.a.bad_sample.sample.tier',
        'definitions.a.no_schema.schema',
        'definitions.a.not_object.schema',
      ])
      expect(error.issues[4]?.message).toBe('expected a number > 0, got number 0')
      expect(error.issues[5]?.message).toBe('expected one of `silver`, `gold`, got string "bronze"')
      expect(error.message).toMatch(/^Invalid event catalog: definitions\.bad name!: expected an event name/)
    })

    it('rejects a definitions value that is not an object', () => {
      expect(thrown(() => defineCatalog(null as never)).field).toBe('definitions')
    })
  })

  describe('validatePayload', () => {
    it('returns the parsed payload', () => {
      const catalog = createCatalog()
      expect(catalog.validatePayload('wallet.coins_rewarded', { coins: 5 })).toEqual({ coins: 5 })
      // z.object() removes unknown keys and applies defaults; strict objects reject unknown keys.
      expect(catalog.validatePayload('profile.seen', { extra: 1 })).toEqual({ page: 'home' })
    })

    it('throws a ValidationError naming each bad field as payload.<path>', () => {
      const error = thrown(() =>
        createCatalog().validatePayload('shop.order', {
          ...shopSample,
          coins: '10',
          customer: { id: 'c1', teir: 'gold', email: 'nope' },
          items: [{ sku: 'A1', qty: 0, price: 1 }],
        }),
      )
      expect(isEventRouterError(error, 'ERR_VALIDATION')).toBe(true)
      expect(error.issues).toEqual([
        { path: 'payload.coins', message: 'expected an integer, got string "10"' },
        { path: 'payload.customer.tier', message: 'is required' },
        {
          path: 'payload.customer.email',
          message: 'expected an email address such as `ana@example.com`, got string "nope"',
        },
        { path: 'payload.customer.teir', message: 'unknown field; did you mean `tier`?' },
        { path: 'payload.items.0.qty', message: 'expected a number > 0, got number 0' },
      ])
      expect(error.field).toBe('payload.coins')
      expect(error.message).toMatch(/^Invalid payload of `shop\.order`: payload\.coins: /)
      expect(error.cause).toBeInstanceOf(z.ZodError)
    })

    // Found by the public API fuzz suite (issue #5): emit() with such payloads threw the host's error.
    it('rejects a payload whose getter throws, or holding a revoked Proxy, with a ValidationError', () => {
      const hostile = new Error('getter')
      const getter = Object.defineProperty({}, 'coins', {
        enumerable: true,
        get() {
          throw hostile
        },
      })
      const error = thrown(() => createCatalog().validatePayload('wallet.coins_rewarded', getter))
      expect(error.issues).toEqual([{ path: 'payload', message: expect.stringContaining('getter') }])
      expect(error.cause).toBe(hostile)
      const { proxy, revoke } = Proxy.revocable({}, {})
      revoke()
      expect(
        thrown(() => createCatalog().validatePayload('wallet.coins_rewarded', { coins: proxy })).field,
      ).toBe('payload.coins')
    })

    it('rejects a payload that is not an object', () => {
      expect(thrown(() => createCatalog().validatePayload('shop.order', 'x')).issues).toEqual([
        { path: 'payload', message: 'expected an object, got string "x"' },
      ])
    })

    it('rejects an unknown event name at `name`, with a suggestion', () => {
      const error = thrown(() => createCatalog().validatePayload('shop.ordr', {}))
      expect(error.issues).toEqual([
        { path: 'name', message: '`shop.ordr` is not an event of this catalog; did you mean `shop.order`?' },
      ])
      expect(thrown(() => createCatalog().fields('zzz')).message).toBe(
        'Invalid event name: name: `zzz` is not an event of this catalog; its events are ' +
          '`wallet.coins_rewarded`, `shop.order`, `profile.seen`',
      )
    })
  })

  describe('jsonSchema', () => {
    it('returns a draft 2020-12 JSON Schema with the event’s title and description', () => {
      const schema = createCatalog().jsonSchema('wallet.coins_rewarded')
      expect(schema).toEqual({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        title: 'Coins Rewarded',
        description: 'Coins were credited.',
        type: 'object',
        properties: {
          coins: { type: 'integer', exclusiveMinimum: 0, maximum: Number.MAX_SAFE_INTEGER },
          tier: { type: 'string', enum: ['silver', 'gold'] },
        },
        required: ['coins'],
        additionalProperties: false,
      })
    })

    it('describes the output by default and the input on request', () => {
      const catalog = createCatalog()
      expect(catalog.jsonSchema('profile.seen')).toMatchObject({
        required: ['page'],
        additionalProperties: false,
      })
      const input = catalog.jsonSchema('profile.seen', { io: 'input' })
      expect(input.required).toBeUndefined()
      expect(input.additionalProperties).toBeUndefined()
    })

    it('returns a fresh object on each call', () => {
      const catalog = createCatalog()
      const first = catalog.jsonSchema('shop.order')
      first.title = 'changed'
      expect(catalog.jsonSchema('shop.order').title).toBe('Order')
    })
  })

  it('lists fields and checks filters against the event’s schema', () => {
    const catalog = createCatalog()
    expect(catalog.fields('wallet.coins_rewarded')).toEqual([
      { path: 'coins', type: 'integer', optional: false, nullable: false },
      { path: 'tier', type: 'string', enum: ['silver', 'gold'], optional: true, nullable: false },
    ])
    expect(() =>
      catalog.checkFilter('wallet.coins_rewarded', { coins: { $gte: 100 }, tier: 'gold' }),
    ).not.toThrow()
    const error = thrown(() =>
      catalog.checkFilter('wallet.coins_rewarded', { tier: 'bronze' }, 'subscription.filter'),
    )
    expect(error).toBeInstanceOf(InvalidFilterError)
    expect(error.issues).toEqual([
      {
        path: 'subscription.filter.tier',
        message: '`tier` is one of `silver`, `gold`, so comparing it with string "bronze" never matches',
      },
    ])
  })
})
