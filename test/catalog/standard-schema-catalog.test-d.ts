import { toStandardJsonSchema } from '@valibot/to-json-schema'
import {
  type Catalog,
  type CatalogParsedPayload,
  type CatalogPayload,
  defineCatalog,
  defineEvent,
  EventRouter,
  webhookAdapter,
} from 'eventrouter'
import * as v from 'valibot'
import { describe, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { z as z3 } from 'zod3'

const catalog = defineCatalog({
  'wallet.coins_rewarded': {
    title: 'Coins Rewarded',
    description: 'Coins were credited.',
    schema: z3.object({ coins: z3.number().int(), reason: z3.string().default('order') }).strict(),
    sample: { coins: 150 },
  },
  'coupon.created': {
    title: 'Coupon Created',
    description: 'A coupon was created.',
    schema: v.strictObject({
      code: v.string(),
      percent: v.optional(v.number(), 10),
      tier: v.nullable(v.picklist(['silver', 'gold'])),
    }),
    sample: { code: 'WELCOME', tier: null },
  },
  'profile.seen': defineEvent({
    title: 'Profile Seen',
    description: 'A profile was viewed.',
    schema: toStandardJsonSchema(v.object({ page: v.string() })),
    sample: { page: 'home' },
  }),
  'order.paid': {
    title: 'Order Paid',
    description: 'An order was paid.',
    schema: z.strictObject({ total: z.number() }),
    sample: { total: 9.5 },
  },
})
type Demo = typeof catalog

describe('catalog types from Standard Schema validators', () => {
  it('payloads are the schema’s input, parsed payloads its output: zod 3', () => {
    expectTypeOf<CatalogPayload<Demo, 'wallet.coins_rewarded'>>().toEqualTypeOf<{
      coins: number
      reason?: string | undefined
    }>()
    expectTypeOf<CatalogParsedPayload<Demo, 'wallet.coins_rewarded'>>().toEqualTypeOf<{
      coins: number
      reason: string
    }>()
  })

  it('payloads are the schema’s input, parsed payloads its output: valibot, with and without Standard JSON Schema', () => {
    expectTypeOf<CatalogPayload<Demo, 'coupon.created'>>().toEqualTypeOf<{
      code: string
      percent?: number | undefined
      tier: 'silver' | 'gold' | null
    }>()
    expectTypeOf<CatalogParsedPayload<Demo, 'coupon.created'>>().toEqualTypeOf<{
      code: string
      percent: number
      tier: 'silver' | 'gold' | null
    }>()
    expectTypeOf<CatalogPayload<Demo, 'profile.seen'>>().toEqualTypeOf<{ page: string }>()
    expectTypeOf(catalog.validatePayload('coupon.created', {})).toEqualTypeOf<{
      code: string
      percent: number
      tier: 'silver' | 'gold' | null
    }>()
    expectTypeOf(catalog.get('coupon.created').sample).toEqualTypeOf<{
      code: string
      percent?: number | undefined
      tier: 'silver' | 'gold' | null
    }>()
  })

  it('is assignable to the generic Catalog type', () => {
    expectTypeOf(catalog).toExtend<Catalog>()
  })

  it('checks each sample against its own schema', () => {
    defineCatalog({
      'a.zod3': {
        title: 'T',
        description: 'D',
        schema: z3.object({ coins: z3.number() }),
        // @ts-expect-error: coins is a number
        sample: { coins: '150' },
      },
    })
    defineCatalog({
      'a.valibot': {
        title: 'T',
        description: 'D',
        schema: v.object({ coins: v.number() }),
        // @ts-expect-error: coins is required
        sample: {},
      },
    })
    defineCatalog({
      'a.not_a_schema': {
        title: 'T',
        description: 'D',
        // @ts-expect-error: not a Standard Schema
        schema: { parse: (value: unknown) => value },
        sample: {},
      },
    })
  })
})

describe('EventRouter.emit with a catalog of zod 3 and valibot schemas', () => {
  const router = new EventRouter({ adapters: [webhookAdapter()], catalog })

  it('types payloads by event name', () => {
    router.emit('wallet.coins_rewarded', { coins: 5 })
    router.emit('coupon.created', { code: 'WELCOME', percent: 20, tier: 'gold' })
    // @ts-expect-error: zod 3 schema: coins is a number
    router.emit('wallet.coins_rewarded', { coins: 'five' })
    // @ts-expect-error: valibot schema: not one of the picklist's tiers
    router.emit('coupon.created', { code: 'WELCOME', tier: 'bronze' })
    // @ts-expect-error: valibot schema: code is required
    router.emit('coupon.created', { tier: null })
    // @ts-expect-error: not an event of the catalog
    router.emit('coupon.creatd', { code: 'WELCOME', tier: null })
    expectTypeOf(router.emit<'coupon.created'>)
      .parameter(1)
      .toEqualTypeOf<{
        code: string
        percent?: number | undefined
        tier: 'silver' | 'gold' | null
      }>()
  })
})
