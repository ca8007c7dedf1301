import { type Adapter, defineAdapter, EventRouter, type TransportRequest } from 'eventrouter'
import * as v from 'valibot'
import { describe, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { z as z3 } from 'zod3'

const request = (url: string): TransportRequest => ({ method: 'POST', url, headers: {}, body: '' })

describe('defineAdapter types', () => {
  it('buildRequest and classifyResponse get the config type of a zod 3 schema', () => {
    const adapter = defineAdapter({
      type: 'zod3',
      configSchema: z3.object({ url: z3.string().url(), retries: z3.number().int().default(3) }),
      secretFields: ['url'],
      buildRequest: ({ config }) => {
        expectTypeOf(config).toEqualTypeOf<{ url: string; retries: number }>()
        return request(config.url)
      },
      classifyResponse: (_response, { config }) => {
        expectTypeOf(config.retries).toEqualTypeOf<number>()
        return { outcome: 'success' }
      },
    })
    expectTypeOf(adapter).toEqualTypeOf<Adapter<{ url: string; retries: number }>>()
  })

  it('buildRequest gets the config type of a valibot schema', () => {
    const adapter = defineAdapter({
      type: 'valibot',
      configSchema: v.object({
        url: v.pipe(v.string(), v.url()),
        region: v.optional(v.picklist(['eu', 'us']), 'eu'),
        apiKey: v.string(),
      }),
      secretFields: ['apiKey'],
      buildRequest: ({ config }) => {
        expectTypeOf(config).toEqualTypeOf<{ url: string; region: 'eu' | 'us'; apiKey: string }>()
        return request(config.url)
      },
    })
    expectTypeOf(adapter.configSchema.parse({})).toEqualTypeOf<{
      url: string
      region: 'eu' | 'us'
      apiKey: string
    }>()
    // Registered next to zod 4 adapters.
    new EventRouter({
      adapters: [
        adapter,
        defineAdapter({
          type: 'zod4',
          configSchema: z.object({ url: z.url() }),
          buildRequest: ({ config }) => request(config.url),
        }),
      ],
    })
  })

  it('secretFields are keys of the config, whatever the validator', () => {
    defineAdapter({
      type: 'valibot',
      configSchema: v.object({ url: v.string(), apiKey: v.string() }),
      // @ts-expect-error: not a config key
      secretFields: ['apikey'],
      buildRequest: ({ config }) => request(config.url),
    })
    defineAdapter({
      type: 'zod3',
      configSchema: z3.object({ url: z3.string() }),
      buildRequest: ({ config }) => {
        // @ts-expect-error: not a config key
        config.token
        return request(config.url)
      },
    })
  })

  it('configSchema must be a Standard Schema', () => {
    defineAdapter({
      type: 'nope',
      // @ts-expect-error: a parse function is not a schema
      configSchema: { parse: (value: unknown) => value },
      buildRequest: () => request('https://x.example/'),
    })
  })
})
