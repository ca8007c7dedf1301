import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { catalogFields } from '../../src/catalog/catalog-fields.js'
import { shopSchema } from './fixtures.js'

describe('catalogFields', () => {
  it('lists every leaf, array and map of a schema, dotted, with its type', () => {
    expect(catalogFields(shopSchema)).toEqual([
      { path: 'coins', type: 'integer', optional: false, nullable: false, description: 'Coins credited' },
      { path: 'total', type: 'number', optional: false, nullable: false, description: 'Order total' },
      {
        path: 'status',
        type: 'string',
        enum: ['pending', 'paid', 'refunded'],
        optional: false,
        nullable: false,
      },
      { path: 'note', type: 'string', optional: true, nullable: false },
      { path: 'paidAt', type: 'date', format: 'date-time', optional: false, nullable: true },
      { path: 'birthday', type: 'date', format: 'date', optional: true, nullable: false },
      { path: 'vip', type: 'boolean', optional: false, nullable: false },
      { path: 'customer.id', type: 'string', optional: false, nullable: false },
      { path: 'customer.tier', type: 'string', optional: false, nullable: true },
      { path: 'customer.email', type: 'string', format: 'email', optional: false, nullable: false },
      // Inside an optional object, every field may be missing.
      { path: 'customer.address.city', type: 'string', optional: true, nullable: false },
      { path: 'customer.address.zip', type: 'string', optional: true, nullable: false },
      { path: 'tags', type: 'array', itemType: 'string', optional: false, nullable: false },
      { path: 'scores', type: 'array', itemType: 'integer', optional: false, nullable: false },
      {
        path: 'channels',
        type: 'array',
        itemType: 'string',
        enum: ['email', 'sms'],
        optional: false,
        nullable: false,
      },
      { path: 'items', type: 'array', itemType: 'object', optional: false, nullable: false },
      { path: 'items.sku', type: 'string', optional: false, nullable: false },
      { path: 'items.qty', type: 'integer', optional: false, nullable: false },
      { path: 'items.price', type: 'number', optional: false, nullable: false },
      { path: 'metadata', type: 'object', optional: true, nullable: false },
    ])
  })

  it('returns a fresh array of frozen fields on each call', () => {
    const first = catalogFields(shopSchema)
    first.pop()
    expect(catalogFields(shopSchema)).toHaveLength(20)
    expect(Object.isFrozen(first[0])).toBe(true)
  })

  it('merges the variants of a discriminated union; a field missing from one is optional', () => {
    const schema = z.strictObject({
      reward: z.discriminatedUnion('kind', [
        z.strictObject({ kind: z.literal('coins'), coins: z.int() }),
        z.strictObject({ kind: z.literal('coupon'), code: z.string() }),
      ]),
    })
    expect(catalogFields(schema)).toEqual([
      { path: 'reward.kind', type: 'string', enum: ['coins', 'coupon'], optional: false, nullable: false },
      { path: 'reward.coins', type: 'integer', optional: true, nullable: false },
      { path: 'reward.code', type: 'string', optional: true, nullable: false },
    ])
  })

  it('reports nullable objects’ fields as optional, and nullable enums without null', () => {
    const schema = z.strictObject({
      coupon: z.strictObject({ code: z.string() }).nullable(),
      direction: z.enum(['up', 'down']).nullable(),
    })
    expect(catalogFields(schema)).toEqual([
      { path: 'coupon.code', type: 'string', optional: true, nullable: false },
      { path: 'direction', type: 'string', enum: ['up', 'down'], optional: false, nullable: true },
    ])
  })

  it('leaves out fields JSON Schema cannot type, and stops where a recursive schema repeats', () => {
    interface Category {
      name: string
      children: Category[]
    }
    const category: z.ZodType<Category> = z.lazy(() =>
      z.strictObject({ name: z.string(), children: z.array(category) }),
    )
    const schema = z.strictObject({
      parsed: z.string().transform(Number),
      anything: z.unknown(),
      loose: z.looseObject({ known: z.boolean() }),
      category,
    })
    expect(catalogFields(schema).map((field) => `${field.path}:${field.type}`)).toEqual([
      'loose.known:boolean',
      'category.name:string',
      'category.children:array', // its elements are categories again: not listed
    ])
  })

  it('types integer-or-number unions as numbers and literals as enums', () => {
    const schema = z.strictObject({
      amount: z.union([z.int(), z.number()]),
      version: z.literal(2),
      flag: z.literal(true).optional(),
    })
    expect(catalogFields(schema)).toEqual([
      { path: 'amount', type: 'number', optional: false, nullable: false },
      { path: 'version', type: 'number', enum: [2], optional: false, nullable: false },
      { path: 'flag', type: 'boolean', enum: [true], optional: true, nullable: false },
    ])
  })
})
