import { describe, expect, it } from 'vitest'
import { EventRouter, ValidationError, webhookAdapter } from '../../src/index.js'
import { MockTransport } from '../../src/testing/index.js'
import { createRouter } from '../factories.js'

class Money {
  constructor(readonly cents: number) {}
}

function cyclic(): Record<string, unknown> {
  const customer: Record<string, unknown> = { id: 'c_1' }
  customer.self = customer
  return { customer }
}

function deep(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true }
  for (let index = 0; index < levels; index++) value = { next: value }
  return value
}

const throwingGetter = {
  customer: {
    get balance(): number {
      throw new Error('balance is not loaded')
    },
  },
}

// Each payload, and the path and words its ValidationError must carry.
const NOT_JSON: [string, () => Record<string, unknown>, string, RegExp][] = [
  ['NaN', () => ({ customer: { balance: Number.NaN } }), 'payload.customer.balance', /NaN is not JSON/],
  ['Infinity', () => ({ coins: Number.POSITIVE_INFINITY }), 'payload.coins', /Infinity is not JSON/],
  ['-Infinity', () => ({ coins: Number.NEGATIVE_INFINITY }), 'payload.coins', /-Infinity is not JSON/],
  ['a BigInt', () => ({ coins: 10n }), 'payload.coins', /BigInt/],
  ['a function', () => ({ format: () => 'x' }), 'payload.format', /function/],
  ['a Symbol', () => ({ tag: Symbol('t') }), 'payload.tag', /Symbol/],
  ['a Symbol key', () => ({ [Symbol('k')]: 1, coins: 1 }), 'payload', /Symbol keys/],
  ['a Map', () => ({ tiers: new Map([['gold', 1]]) }), 'payload.tiers', /Map is not JSON/],
  ['a Set', () => ({ tags: new Set(['a']) }), 'payload.tags', /Set is not JSON/],
  ['a Date', () => ({ at: new Date(0) }), 'payload.at', /Date is not JSON; pass date.toISOString\(\)/],
  ['a RegExp', () => ({ pattern: /a/ }), 'payload.pattern', /RegExp/],
  ['a class instance', () => ({ amount: new Money(5) }), 'payload.amount', /Money is not JSON/],
  ['a typed array', () => ({ bytes: new Uint8Array(2) }), 'payload.bytes', /Uint8Array/],
  ['a boxed string', () => ({ name: new String('a') }), 'payload.name', /String is not JSON/],
  ['undefined in an array', () => ({ list: [1, undefined] }), 'payload.list.1', /undefined in an array/],
  // biome-ignore lint/suspicious/noSparseArray: the hole is what is tested
  ['an empty array slot', () => ({ list: [1, , 3] }), 'payload.list.1', /empty array slot/],
  ['a cycle', cyclic, 'payload.customer.self', /cycle/],
  ['a throwing getter', () => throwingGetter, 'payload.customer.balance', /could not be read/],
  ['100,000 levels', () => deep(100_000), 'payload', /nested more than 64 levels/],
  [
    'a `__proto__` own key',
    () => JSON.parse('{"__proto__": {"coins": 1}}'),
    'payload.__proto__',
    /not allowed/,
  ],
  ['a `constructor` key', () => ({ constructor: 'x' }), 'payload.constructor', /not allowed/],
  [
    'an object literal `__proto__`',
    () => ({ customer: { __proto__: { tier: 'gold' } } }),
    'payload.customer',
    /prototype was set/,
  ],
]

function routerWithSubscription() {
  const { router, transport } = createRouter()
  const subscription = router.subscriptions.create({ event: 'wallet.coins_rewarded', integrationId: 'crm' })
  return { router, transport, subscription }
}

function expectRefusal(error: unknown, path: string, words: RegExp): void {
  expect(error).toBeInstanceOf(ValidationError)
  const issue = (error as ValidationError).issues.find((item) => item.path.startsWith(path))
  expect(issue, JSON.stringify((error as ValidationError).issues)).toBeDefined()
  expect(issue?.path.startsWith(path)).toBe(true)
  expect(issue?.message).toMatch(words)
}

describe('payloads are JSON or refused', () => {
  it.each(NOT_JSON)(
    'emit() refuses %s, naming the path, and dispatches nothing',
    (_label, payload, path, words) => {
      const { router, transport } = routerWithSubscription()
      let error: unknown
      try {
        router.emit('wallet.coins_rewarded', payload())
      } catch (thrown) {
        error = thrown
      }
      expectRefusal(error, path, words)
      expect(router.pendingCount).toBe(0)
      expect(transport.requests).toEqual([])
    },
  )

  it.each(NOT_JSON)(
    'emitAsync(), explain() and test sends refuse %s too',
    async (_label, payload, path, words) => {
      const { router, transport, subscription } = routerWithSubscription()
      expectRefusal(
        await router.emitAsync('wallet.coins_rewarded', payload()).catch((e: unknown) => e),
        path,
        words,
      )
      expectRefusal(
        catching(() => router.explain('wallet.coins_rewarded', payload())),
        path,
        words,
      )
      expectRefusal(
        await router.subscriptions.test(subscription.id, payload()).catch((e: unknown) => e),
        path,
        words,
      )
      expect(transport.requests).toEqual([])
    },
  )

  it('accepts 64 levels, -0, null, and drops undefined properties the way JSON.stringify does', async () => {
    const { router, transport } = routerWithSubscription()
    const receipt = router.emit('wallet.coins_rewarded', {
      nested: deep(62),
      zero: -0,
      none: null,
      missing: undefined,
      shared: [{ a: 1 }, { a: 1 }],
    })
    expect(await receipt.settled).toMatchObject([{ status: 'succeeded' }])
    const body = JSON.parse(transport.requests[0]?.body ?? '{}')
    expect(body.data).not.toHaveProperty('missing')
    expect(body.data.none).toBeNull()
    expect(catching(() => router.emit('wallet.coins_rewarded', { nested: deep(63) }))).toBeInstanceOf(
      ValidationError,
    )
  })
})

describe('results, dead letters and lifecycle payloads are plain JSON', () => {
  it('round-trips every one through JSON.stringify and JSON.parse, error messages and causes included', async () => {
    const transport = new MockTransport()
    transport.enqueue({ networkError: true }, 500, 500)
    const router = new EventRouter({
      adapters: [webhookAdapter()],
      transport,
      retry: { retries: 2, minTimeout: 0, maxTimeout: 0, randomize: false },
    })
    const seen: unknown[] = []
    for (const name of [
      'attemptFailed',
      'deliveryFailed',
      'deliveryDeadLettered',
      'deliverySucceeded',
    ] as const) {
      router.on(name, (payload: unknown) => {
        seen.push(payload)
      })
    }
    router.integrations.add({
      id: 'crm',
      type: 'webhook',
      config: { url: 'https://crm.example/hooks', signing: false },
    })
    router.subscriptions.create({ event: 'wallet.coins_rewarded', integrationId: 'crm' })
    const results = await router.emit('wallet.coins_rewarded', { coins: 1 }).settled
    await router.onIdle()
    const letters = await router.deadLetters.list()
    expect(letters).toHaveLength(1)
    for (const value of [...seen, results, letters]) {
      const copy = JSON.parse(JSON.stringify(value))
      expect(copy).toBeTypeOf('object')
    }
    const [failed] = JSON.parse(JSON.stringify(results))
    expect(failed.error).toMatchObject({
      name: 'DeliveryError',
      code: 'ERR_HTTP_STATUS',
      status: 500,
      retryable: true,
      message: expect.stringContaining('answered 500'),
    })
    const firstFailure = JSON.parse(JSON.stringify(seen[0]))
    expect(firstFailure.error).toMatchObject({
      code: 'ERR_NETWORK',
      cause: { name: expect.any(String), message: expect.any(String) },
    })
    expect(JSON.parse(JSON.stringify(letters[0]))).toEqual(letters[0])
  })
})

describe('`__proto__`, `constructor` and `prototype` keys are refused, not dropped', () => {
  it('in an integration config (object literal form): the integration is unchanged', () => {
    const { router } = createRouter()
    const before = router.integrations.get('crm')
    const error = catching(() =>
      router.integrations.update('crm', { config: { __proto__: { url: 'https://evil.example/' } } as never }),
    )
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as ValidationError).field).toBe('config')
    expect((error as ValidationError).message).toMatch(/prototype was set/)
    expect(router.integrations.get('crm')).toEqual(before)
  })

  it('in an integration config and its headers (JSON.parse form)', () => {
    const { router } = createRouter()
    const before = router.integrations.get('crm')
    const patch = JSON.parse('{"config": {"__proto__": {"url": "https://evil.example/"}}}')
    expect((catching(() => router.integrations.update('crm', patch)) as ValidationError).field).toBe(
      'config.__proto__',
    )
    const headers = JSON.parse(
      '{"url": "https://crm.example/h", "signing": false, "headers": {"constructor": "x"}}',
    )
    expect(
      (catching(() => router.integrations.update('crm', { config: headers })) as ValidationError).field,
    ).toBe('config.headers.constructor')
    expect(
      (catching(() => router.integrations.add({ type: 'webhook', config: headers })) as ValidationError)
        .field,
    ).toBe('config.headers.constructor')
    expect(router.integrations.get('crm')).toEqual(before)
    expect(router.integrations.list()).toHaveLength(1)
  })

  it('in emit(), close() and router options', async () => {
    const { router, transport } = routerWithSubscription()
    const emitError = catching(() =>
      router.emit('wallet.coins_rewarded', { coins: 1 }, JSON.parse('{"__proto__": {"id": "evt_1"}}')),
    )
    expect((emitError as ValidationError).field).toBe('options.__proto__')
    expect(transport.requests).toEqual([])
    expect((catching(() => router.close(JSON.parse('{"prototype": 1}'))) as ValidationError).field).toBe(
      'options.prototype',
    )
    const options = JSON.parse('{"__proto__": {"maxPending": 1}}')
    const constructed = catching(() => new EventRouter({ adapters: [webhookAdapter()], ...options }))
    expect((constructed as ValidationError).field).toBe('__proto__')
    await router.close()
  })
})

function catching(action: () => unknown): unknown {
  try {
    action()
  } catch (error) {
    return error
  }
  return undefined
}
