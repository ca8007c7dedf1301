import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  BackpressureError,
  EventRouter,
  type EventRouterOptions,
  NotFoundError,
  QuotaExceededError,
  ValidationError,
  webhookAdapter,
} from '../../src/index.js'
import { sqliteStore } from '../../src/stores/sqlite/index.js'
import { MockTransport } from '../../src/testing/index.js'
import { envInt } from '../support/escaped-errors.js'
import { tempDirectory } from '../support/temp-directory.js'

const hook = (name: string) => ({ url: `https://${name}.example/hooks`, signing: false })

function createRouter(options: Partial<EventRouterOptions> = {}) {
  const transport = options.transport instanceof MockTransport ? options.transport : new MockTransport()
  const router = new EventRouter({
    adapters: [webhookAdapter()],
    transport,
    retry: { retries: 2, minTimeout: 0, maxTimeout: 0, randomize: false },
    ...options,
  })
  return { router, transport }
}

/** Which destination hosts received a request. */
const hosts = (transport: MockTransport) => transport.requests.map((request) => new URL(request.url).hostname)

describe('tenants', () => {
  it("routes a tenant's event to its own subscriptions and the platform's, never to another tenant's", async () => {
    const { router, transport } = createRouter()
    const acme = router.tenant('acme')
    const globex = router.tenant('globex')
    acme.integrations.add({ id: 'klaviyo', type: 'webhook', config: hook('acme') })
    acme.subscriptions.create({ event: 'wallet.coins_rewarded', integrationId: 'klaviyo' })
    // The same ids in another tenant are another tenant's records.
    globex.integrations.add({ id: 'klaviyo', type: 'webhook', config: hook('globex') })
    globex.subscriptions.create({ event: 'wallet.coins_rewarded', integrationId: 'klaviyo' })
    router.integrations.add({ id: 'analytics', type: 'webhook', config: hook('platform') })
    router.subscriptions.create({ event: '*', integrationId: 'analytics' })

    const receipt = acme.emit('wallet.coins_rewarded', { coins: 1 })
    await receipt.settled
    expect(hosts(transport).sort()).toEqual(['acme.example', 'platform.example'])
    expect(receipt.deliveries.map((delivery) => delivery.tenant).sort()).toEqual([null, 'acme'].sort())
    // Through the root router with the tenant option: the same routing.
    await router.emit('wallet.coins_rewarded', { coins: 1 }, { tenant: 'globex' }).settled
    expect(hosts(transport).slice(2).sort()).toEqual(['globex.example', 'platform.example'])
    // A platform event reaches the platform's subscriptions only.
    await router.emit('wallet.coins_rewarded', { coins: 1 }).settled
    expect(hosts(transport).slice(4)).toEqual(['platform.example'])
    expect(acme.integrations.list().map((integration) => integration.config.url)).toEqual([
      'https://acme.example/hooks',
    ])
    expect(router.integrations.list().map((integration) => integration.id)).toEqual(['analytics'])
    await router.close()
  })

  it("refuses a subscription to another tenant's integration as if it did not exist", () => {
    const { router } = createRouter()
    router.tenant('globex').integrations.add({ id: 'crm', type: 'webhook', config: hook('globex') })
    router.integrations.add({ id: 'shared', type: 'webhook', config: hook('platform') })
    const acme = router.tenant('acme')
    const other = catching(() => acme.subscriptions.create({ event: 'a.b', integrationId: 'crm' }))
    const missing = catching(() => acme.subscriptions.create({ event: 'a.b', integrationId: 'nothing' }))
    expect(other).toBeInstanceOf(NotFoundError)
    expect(shape(other)).toEqual(shape(missing, 'nothing', 'crm'))
    expect(
      catching(() => acme.subscriptions.create({ event: 'a.b', integrationId: 'shared' })),
    ).toBeInstanceOf(NotFoundError)
    acme.integrations.add({ id: 'own', type: 'webhook', config: hook('acme') })
    const subscription = acme.subscriptions.create({ event: 'a.b', integrationId: 'own' })
    expect(
      catching(() => acme.subscriptions.update(subscription.id, { integrationId: 'crm' })),
    ).toBeInstanceOf(NotFoundError)
    expect(acme.subscriptions.get(subscription.id)?.integrationId).toBe('own')
  })

  it("answers for another tenant's ids exactly as for ids that do not exist", async () => {
    const { router, transport } = createRouter()
    transport.respondWith(400)
    const globex = router.tenant('globex')
    globex.integrations.add({ id: 'crm', type: 'webhook', config: hook('globex') })
    const theirs = globex.subscriptions.create({ id: 'sub', event: 'a.b', integrationId: 'crm' })
    const [failed] = await globex.emit('a.b', {}).settled
    const letterId = failed?.delivery.id as string
    const acme = router.tenant('acme')

    expect(acme.integrations.get('crm')).toBeUndefined()
    expect(acme.subscriptions.get(theirs.id)).toBeUndefined()
    const integrationCalls = [
      () => acme.integrations.update('crm', { name: 'x' }),
      () => acme.integrations.remove('crm'),
      () => acme.integrations.enable('crm'),
      () => acme.integrations.disable('crm'),
    ]
    for (const call of integrationCalls) {
      expect(shape(catching(call))).toEqual(
        shape(
          catching(() => acme.integrations.update('none', {})),
          'none',
          'crm',
        ),
      )
    }
    for (const call of [
      () => acme.subscriptions.update('sub', {}),
      () => acme.subscriptions.remove('sub'),
      () => acme.subscriptions.disable('sub'),
    ]) {
      expect(shape(catching(call))).toEqual(
        shape(
          catching(() => acme.subscriptions.remove('none')),
          'none',
          'sub',
        ),
      )
    }
    const tested = await acme.subscriptions.test('sub').catch((error: unknown) => error)
    expect(shape(tested)).toEqual(
      shape(await acme.subscriptions.test('none').catch((e: unknown) => e), 'none', 'sub'),
    )
    expect(await acme.deadLetters.list()).toEqual([])
    const redeliver = await acme.deadLetters.redeliver([letterId]).catch((error: unknown) => error)
    const discard = await acme.deadLetters.discard([letterId]).catch((error: unknown) => error)
    const unknown = await acme.deadLetters.discard(['nope']).catch((error: unknown) => error)
    expect(shape(redeliver)).toEqual(shape(unknown, 'nope', letterId))
    expect(shape(discard)).toEqual(shape(unknown, 'nope', letterId))
    // Nothing of theirs changed.
    expect(globex.integrations.get('crm')?.name).toBeNull()
    expect((await globex.deadLetters.list()).map((letter) => letter.id)).toEqual([letterId])
    await router.close()
  })

  it('switches an event type off for one tenant, or for everyone from the platform', async () => {
    const { router, transport } = createRouter()
    for (const tenant of ['acme', 'globex']) {
      const view = router.tenant(tenant)
      view.integrations.add({ id: 'crm', type: 'webhook', config: hook(tenant) })
      view.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
    }
    router.integrations.add({ id: 'analytics', type: 'webhook', config: hook('platform') })
    router.subscriptions.create({ event: 'a.b', integrationId: 'analytics' })
    router.tenant('acme').events.disable('a.b')
    expect(router.tenant('acme').events.isEnabled('a.b')).toBe(false)
    expect(router.tenant('globex').events.isEnabled('a.b')).toBe(true)
    await router.tenant('acme').emit('a.b', {}).settled
    await router.tenant('globex').emit('a.b', {}).settled
    // acme's own subscription is off; the platform still hears of acme's event.
    expect(hosts(transport).sort()).toEqual(['globex.example', 'platform.example', 'platform.example'])
    router.events.disable('a.b')
    expect(router.tenant('globex').emit('a.b', {}).deliveries).toEqual([])
    expect(router.toJSON().disabledEvents).toEqual(
      expect.arrayContaining(['a.b', { tenant: 'acme', name: 'a.b' }]),
    )
    await router.close()
  })

  it('gives each tenant a share of maxPending, so that one burst leaves room for the others', async () => {
    const transport = new MockTransport().respondWith({ hang: true })
    const { router } = createRouter({ transport, maxPending: 100, tenants: { maxPending: 30 } })
    for (const tenant of ['acme', 'globex']) {
      const view = router.tenant(tenant)
      view.integrations.add({ id: 'crm', type: 'webhook', config: hook(tenant) })
      view.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
    }
    const acme = router.tenant('acme')
    for (let index = 0; index < 30; index++) acme.emit('a.b', {})
    const refused = catching(() => acme.emit('a.b', {}))
    expect(refused).toBeInstanceOf(BackpressureError)
    expect(refused).toMatchObject({ tenant: 'acme', pending: 30, maxPending: 30 })
    expect(router.tenant('globex').emit('a.b', {}).deliveries).toHaveLength(1)
    await router.close({ timeoutMs: 0 })
  })

  it("takes a platform integration's deliveries in turns: one tenant's backlog does not hold up another's event", async () => {
    // A slow shared destination: one attempt at a time, each answered after 10 ms (fake of nothing: real time, short).
    const transport = new MockTransport().respondWith({ status: 200, delayMs: 5 })
    const { router } = createRouter({ transport, maxPending: 100_000, tenants: { maxPending: 50_000 } })
    router.integrations.add({
      id: 'analytics',
      type: 'webhook',
      config: hook('platform'),
      pacing: { concurrency: 1 },
    })
    router.subscriptions.create({ event: 'a.b', integrationId: 'analytics' })
    const backlog = 2000
    for (let index = 0; index < backlog; index++) router.tenant('acme').emit('a.b', { index })
    await until(() => transport.requests.length >= 5)
    router.tenant('globex').emit('a.b', { from: 'globex' })
    await until(() =>
      transport.requests.some(
        (request) => request.json<{ data: { from?: string } }>().data.from === 'globex',
      ),
    )
    const position = transport.requests.findIndex(
      (request) => request.json<{ data: { from?: string } }>().data.from === 'globex',
    )
    // Attempted within one window of acme's claimed deliveries, long before acme's backlog drained.
    expect(position).toBeLessThan(100)
    expect(router.pendingCount).toBeGreaterThan(backlog / 2)
    await router.close({ timeoutMs: 0 })
  })

  it('refuses what is over a tenant quota with QuotaExceededError, and takes per-tenant limits', () => {
    const { router } = createRouter({
      tenants: {
        maxIntegrations: 1,
        limits: (tenant) => (tenant === 'big' ? { maxIntegrations: 2 } : undefined),
      },
    })
    router.tenant('small').integrations.add({ type: 'webhook', config: hook('a') })
    const over = catching(() =>
      router.tenant('small').integrations.add({ type: 'webhook', config: hook('b') }),
    )
    expect(over).toBeInstanceOf(QuotaExceededError)
    expect(over).toMatchObject({ code: 'ERR_QUOTA_EXCEEDED', resource: 'integrations', limit: 1 })
    expect(router.tenant('small').integrations.list()).toHaveLength(1)
    router.tenant('big').integrations.add({ type: 'webhook', config: hook('a') })
    router.tenant('big').integrations.add({ type: 'webhook', config: hook('b') })
    // The platform has no quota.
    for (let index = 0; index < 3; index++) router.integrations.add({ type: 'webhook', config: hook('p') })
  })

  it('refuses tenant ids that are not ids', () => {
    const { router } = createRouter()
    for (const id of ['', 'a/b', 'x'.repeat(200), 'has space']) {
      expect(catching(() => router.tenant(id))).toBeInstanceOf(ValidationError)
    }
    expect(catching(() => router.emit('a.b', {}, { tenant: 'a/b' }))).toMatchObject({
      field: 'options.tenant',
    })
    expect(
      catching(() => router.tenant('acme').emit('a.b', {}, { tenant: 'globex' } as never)),
    ).toMatchObject({
      field: 'options.tenant',
    })
  })

  it('keeps every tenant in toJSON() and fromJSON()', () => {
    const { router } = createRouter()
    router.tenant('acme').integrations.add({ id: 'crm', type: 'webhook', config: hook('acme') })
    router.tenant('acme').subscriptions.create({ id: 's', event: 'a.b', integrationId: 'crm' })
    router.tenant('globex').integrations.add({ id: 'crm', type: 'webhook', config: hook('globex') })
    router.tenant('acme').events.disable('a.c')
    const snapshot = router.toJSON({ includeSecrets: true })
    const copy = EventRouter.fromJSON(JSON.parse(JSON.stringify(snapshot)), {
      adapters: [webhookAdapter()],
      transport: new MockTransport(),
    })
    expect(copy.toJSON({ includeSecrets: true })).toEqual(snapshot)
    expect(copy.tenant('globex').integrations.get('crm')?.config.url).toBe('https://globex.example/hooks')
    expect(copy.tenant('acme').events.isEnabled('a.c')).toBe(false)
  })
})

describe('tenants on a durable store', () => {
  let directory = ''
  beforeAll(async () => {
    directory = await tempDirectory('eventrouter-tenants-')
  })
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true })
  })

  it("keeps each tenant's records apart across a restart, same ids included", async () => {
    const path = join(directory, 'tenants.db')
    const make = (transport = new MockTransport()) =>
      new EventRouter({
        adapters: [webhookAdapter()],
        transport,
        store: sqliteStore({ path }),
        secrets: 'plaintext',
      })
    const first = make()
    await first.start()
    for (const tenant of ['acme', 'globex']) {
      const view = first.tenant(tenant)
      view.integrations.add({ id: 'crm', type: 'webhook', config: hook(tenant) })
      view.subscriptions.create({ id: 'sub', event: 'a.b', integrationId: 'crm' })
    }
    first.tenant('globex').events.disable('a.b')
    await first.close()
    const transport = new MockTransport()
    const second = make(transport)
    await second.start()
    expect(second.tenant('acme').integrations.get('crm')?.config.url).toBe('https://acme.example/hooks')
    expect(second.tenant('globex').integrations.get('crm')?.config.url).toBe('https://globex.example/hooks')
    expect(second.tenant('globex').events.isEnabled('a.b')).toBe(false)
    await second.tenant('acme').emit('a.b', {}).settled
    expect(hosts(transport)).toEqual(['acme.example'])
    await second.close()
  })
})

describe('tenant isolation under random operations', () => {
  it("never delivers to, returns or changes another tenant's records", async () => {
    const tenants = ['t1', 't2', 't3'] as const
    const ids = ['a', 'b'] as const
    const operation = fc.oneof(
      fc.record({
        op: fc.constant('addIntegration' as const),
        tenant: fc.constantFrom(...tenants),
        id: fc.constantFrom(...ids),
      }),
      fc.record({
        op: fc.constant('removeIntegration' as const),
        tenant: fc.constantFrom(...tenants),
        id: fc.constantFrom(...ids),
      }),
      fc.record({
        op: fc.constant('subscribe' as const),
        tenant: fc.constantFrom(...tenants),
        id: fc.constantFrom(...ids),
        target: fc.constantFrom(...ids),
      }),
      fc.record({
        op: fc.constant('unsubscribe' as const),
        tenant: fc.constantFrom(...tenants),
        id: fc.constantFrom(...ids),
      }),
      fc.record({ op: fc.constant('emit' as const), tenant: fc.constantFrom(...tenants) }),
      fc.record({
        op: fc.constant('disable' as const),
        tenant: fc.constantFrom(...tenants),
        id: fc.constantFrom(...ids),
      }),
    )
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { maxLength: 40 }), async (operations) => {
        const { router, transport } = createRouter()
        for (const step of operations) {
          const view = router.tenant(step.tenant)
          const before = snapshotOthers(router, tenants, step.tenant)
          try {
            switch (step.op) {
              case 'addIntegration':
                view.integrations.add({
                  id: step.id,
                  type: 'webhook',
                  config: hook(`${step.tenant}-${step.id}`),
                })
                break
              case 'removeIntegration':
                view.integrations.remove(step.id)
                break
              case 'subscribe':
                view.subscriptions.create({ id: step.id, event: 'a.b', integrationId: step.target })
                break
              case 'unsubscribe':
                view.subscriptions.remove(step.id)
                break
              case 'disable':
                view.integrations.disable(step.id)
                break
              case 'emit': {
                const sent = transport.requests.length
                await view.emit('a.b', {}).settled
                for (const request of transport.requests.slice(sent)) {
                  expect(new URL(request.url).hostname.startsWith(`${step.tenant}-`)).toBe(true)
                }
                break
              }
            }
          } catch (error) {
            expect((error as { code?: string }).code).toMatch(/^ERR_/)
          }
          // Whatever happened, the other tenants' records are as they were.
          expect(snapshotOthers(router, tenants, step.tenant)).toEqual(before)
          for (const integration of view.integrations.list()) expect(integration.tenant).toBe(step.tenant)
          for (const subscription of view.subscriptions.list()) expect(subscription.tenant).toBe(step.tenant)
        }
        await router.close()
      }),
      { numRuns: envInt('FUZZ_RUNS', 40) },
    )
  })
})

function snapshotOthers(router: EventRouter, tenants: readonly string[], except: string) {
  return tenants
    .filter((tenant) => tenant !== except)
    .map((tenant) => ({
      integrations: router.tenant(tenant).integrations.list(),
      subscriptions: router.tenant(tenant).subscriptions.list(),
    }))
}

/** What tells two refusals apart, with one id standing for the other. */
function shape(error: unknown, from?: string, to?: string): unknown {
  const { name, code, message, field } = error as {
    name: string
    code: string
    message: string
    field?: string
  }
  const text =
    from === undefined || to === undefined ? message : message.split(`\`${from}\``).join(`\`${to}\``)
  return { name, code, message: text, field }
}

function catching(action: () => unknown): unknown {
  try {
    action()
  } catch (error) {
    return error
  }
  return undefined
}

async function until(condition: () => boolean): Promise<void> {
  for (let tries = 0; tries < 1000 && !condition(); tries++)
    await new Promise((resolve) => setTimeout(resolve, 5))
  expect(condition()).toBe(true)
}
