import { describe, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import type {
  Catalog,
  CatalogEventName,
  CatalogField,
  CatalogParsedPayload,
  CatalogPayload,
  EventDefinition,
} from '../../src/catalog/catalog.js'
import { defineCatalog } from '../../src/catalog/define-catalog.js'
import { defineEvent } from '../../src/catalog/define-event.js'

const catalog = defineCatalog({
  'wallet.coins_rewarded': {
    title: 'Wallet Coins Rewarded',
    description: 'Coins were credited.',
    schema: z.strictObject({ coins: z.int(), note: z.string().optional() }),
    sample: { coins: 150 },
  },
  'profile.seen': defineEvent({
    title: 'Profile Seen',
    description: 'A profile was viewed.',
    schema: z.object({ page: z.string().default('home'), at: z.iso.datetime() }),
    sample: { at: '2025-01-31T09:30:00Z' },
  }),
})
type Demo = typeof catalog

describe('catalog types', () => {
  it('infers the event names', () => {
    expectTypeOf<CatalogEventName<Demo>>().toEqualTypeOf<'wallet.coins_rewarded' | 'profile.seen'>()
    expectTypeOf(catalog.names()).toEqualTypeOf<('wallet.coins_rewarded' | 'profile.seen')[]>()
  })

  it('types payloads as the schema’s input, parsed payloads as its output', () => {
    expectTypeOf<CatalogPayload<Demo, 'wallet.coins_rewarded'>>().toEqualTypeOf<{
      coins: number
      note?: string | undefined
    }>()
    expectTypeOf<CatalogPayload<Demo, 'profile.seen'>>().toEqualTypeOf<{
      page?: string | undefined
      at: string
    }>()
    expectTypeOf<CatalogParsedPayload<Demo, 'profile.seen'>>().toEqualTypeOf<{ page: string; at: string }>()
    // @ts-expect-error: not an event of the catalog
    expectTypeOf<CatalogPayload<Demo, 'wallet.coins_reward'>>()
  })

  it('types validatePayload and get by event name, and accepts any string too', () => {
    expectTypeOf(catalog.validatePayload('profile.seen', {})).toEqualTypeOf<{ page: string; at: string }>()
    expectTypeOf(catalog.validatePayload('other' as string, {})).toEqualTypeOf<Record<string, unknown>>()
    expectTypeOf(catalog.get('wallet.coins_rewarded').sample).toEqualTypeOf<{
      coins: number
      note?: string | undefined
    }>()
    expectTypeOf(catalog.get('other' as string)).toEqualTypeOf<EventDefinition | undefined>()
    expectTypeOf(catalog.fields('anything')).toEqualTypeOf<CatalogField[]>()
  })

  it('narrows a string with has()', () => {
    const name: string = 'profile.seen'
    if (catalog.has(name)) expectTypeOf(name).toEqualTypeOf<'wallet.coins_rewarded' | 'profile.seen'>()
  })

  it('is assignable to the generic Catalog type', () => {
    expectTypeOf(catalog).toExtend<Catalog>()
  })

  it('checks each sample against its own schema', () => {
    defineCatalog({
      'wallet.coins_rewarded': {
        title: 'T',
        description: 'D',
        schema: z.strictObject({ coins: z.int() }),
        // @ts-expect-error: coins is a number
        sample: { coins: '150' },
      },
    })
    defineEvent({
      title: 'T',
      description: 'D',
      schema: z.strictObject({ coins: z.int() }),
      // @ts-expect-error: unknown key
      sample: { coins: 1, extra: true },
    })
  })
})
