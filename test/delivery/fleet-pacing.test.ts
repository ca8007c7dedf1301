import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  EventRouter,
  memoryStore,
  type ReleaseSlot,
  type Store,
  type Transport,
  type TransportResponse,
  webhookAdapter,
} from '../../src/index.js'
import { INSTANT_RETRY } from '../factories.js'

/** A transport that answers 200 when told to, and counts what it was sent. */
function gatedTransport() {
  const waiting: (() => void)[] = []
  const stats = { sent: 0 }
  const transport: Transport = {
    send() {
      stats.sent++
      return new Promise<TransportResponse>((resolve) => {
        waiting.push(() => resolve({ status: 200, headers: {}, body: '' }))
      })
    },
  }
  const releaseAll = () => {
    for (const release of waiting.splice(0)) release()
  }
  return { transport, stats, releaseAll }
}

interface FleetFake {
  /** Slots held in the fake fleet (by this router or, when preset, by "another process"). */
  held: number
  maxHeld: number
  /** Every `takeSlot` call: `[key, limit, holdMs]`. */
  readonly asked: [string, number, number][]
  refused: number
}

/**
 * A memory store that also plays a fleet's `takeSlot` (and `takeStart` when given): `limit`
 * slots in all, refused with a 5 ms wait when every one is held.
 */
function fleetStore(
  limit: number,
  options: { readonly held?: number; readonly takeStart?: (fake: FleetFake) => Promise<number> } = {},
) {
  const memory = memoryStore()
  const fake: FleetFake = { held: options.held ?? 0, maxHeld: 0, asked: [], refused: 0 }
  const takeSlot = async (
    key: string,
    concurrency: number,
    holdMs: number,
  ): Promise<ReleaseSlot | number> => {
    fake.asked.push([key, concurrency, holdMs])
    if (fake.held >= limit) {
      fake.refused++
      return 5
    }
    fake.held++
    fake.maxHeld = Math.max(fake.maxHeld, fake.held)
    let given = false
    return async () => {
      if (!given) fake.held--
      given = true
    }
  }
  const { takeStart } = options
  const store = new Proxy<Store>(memory, {
    get(target, property) {
      if (property === 'takeSlot') return takeSlot
      if (property === 'takeStart' && takeStart) return () => takeStart(fake)
      if (property === 'pauseStarts' && takeStart) return async () => {}
      const value: unknown = Reflect.get(target, property, target)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
  return { store, fake }
}

function routerOn(store: Store, transport: Transport, concurrency: number, retries = 0, timeoutMs?: number) {
  const router = new EventRouter({
    adapters: [webhookAdapter()],
    transport,
    store,
    retry: { ...INSTANT_RETRY, retries },
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  })
  router.integrations.add({
    id: 'crm',
    type: 'webhook',
    config: { url: 'https://crm.example/hooks', signing: false },
    pacing: { concurrency },
  })
  router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
  return router
}

describe('fleet slots (Store.takeSlot)', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('each attempt holds a fleet slot while in flight, under the fleet limit as well as its own, and gives it back when it settles', async () => {
    const { store, fake } = fleetStore(1)
    const { transport, stats, releaseAll } = gatedTransport()
    const router = routerOn(store, transport, 3)
    for (let i = 0; i < 5; i++) router.emit('a.b', {})
    await vi.waitFor(() => expect(stats.sent).toBe(1))
    // The other two attempts the process's own concurrency lets through wait for the fleet's slot.
    await vi.waitFor(() => expect(fake.refused).toBeGreaterThan(0))
    expect(fake.held).toBe(1)
    while (stats.sent < 5) {
      releaseAll()
      await new Promise((resolve) => setTimeout(resolve, 1))
    }
    releaseAll()
    await router.onIdle()
    expect(fake.maxHeld).toBe(1)
    expect(fake.held).toBe(0)
    // The integration's concurrency, held at most the attempt timeout (default 10 s) and a second.
    expect(fake.asked[0]?.slice(1)).toEqual([3, 11_000])
    await router.close()
  })

  it('a slot is held at most the configured attempt timeout and a second', async () => {
    const { store, fake } = fleetStore(1)
    const transport: Transport = { send: async () => ({ status: 200, headers: {}, body: '' }) }
    const router = routerOn(store, transport, 4, 0, 250)
    const [result] = await router.emit('a.b', {}).settled
    expect(result?.status).toBe('succeeded')
    expect(fake.asked.map(([, limit, holdMs]) => [limit, holdMs])).toEqual([[4, 1250]])
    await router.close()
  })

  it('a failed attempt gives its slot back too, and each retry takes one again', async () => {
    const { store, fake } = fleetStore(1)
    const transport: Transport = {
      send: () => Promise.reject(new Error('connection reset')),
    }
    const router = routerOn(store, transport, 2, 2)
    const [result] = await router.emit('a.b', {}).settled
    expect(result?.status).not.toBe('succeeded')
    expect(fake.asked).toHaveLength(3)
    expect(fake.held).toBe(0)
    await router.close()
  })

  it('takes the slot before the start, and gives it back while the fleet makes the start wait', async () => {
    const heldAtStart: number[] = []
    const heldDuringWait: number[] = []
    const { store, fake } = fleetStore(1, {
      takeStart: async (fleet) => {
        heldAtStart.push(fleet.held)
        if (heldAtStart.length > 1) return 0
        setImmediate(() => heldDuringWait.push(fleet.held))
        return 200
      },
    })
    const transport: Transport = { send: async () => ({ status: 200, headers: {}, body: '' }) }
    const router = routerOn(store, transport, 1)
    const [result] = await router.emit('a.b', {}).settled
    expect(result?.status).toBe('succeeded')
    expect(heldAtStart).toEqual([1, 1])
    expect(heldDuringWait).toEqual([0])
    expect(fake.asked).toHaveLength(2)
    expect(fake.held).toBe(0)
    await router.close()
  })

  it('close() parks an attempt waiting for a slot: it never takes one', async () => {
    // Every slot is held elsewhere in the fleet.
    const { store, fake } = fleetStore(1, { held: 1 })
    const { transport, stats } = gatedTransport()
    const router = routerOn(store, transport, 1)
    const settled = router.emit('a.b', {}).settled
    await vi.waitFor(() => expect(fake.refused).toBeGreaterThan(0))
    await router.close({ timeoutMs: 1000 })
    const [result] = await settled.catch(() => [undefined])
    expect(result?.status).not.toBe('succeeded')
    expect(stats.sent).toBe(0)
    expect(fake.held).toBe(1)
  })

  it('a slot granted to an attempt parked while it asked is given back at once', async () => {
    const memory = memoryStore()
    let grant!: (release: ReleaseSlot) => void
    let released = 0
    const store = new Proxy<Store>(memory, {
      get(target, property) {
        if (property === 'takeSlot') {
          return () =>
            new Promise<ReleaseSlot>((resolve) => {
              grant = resolve
            })
        }
        const value: unknown = Reflect.get(target, property, target)
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
    const { transport, stats } = gatedTransport()
    const router = routerOn(store, transport, 1)
    void router.emit('a.b', {}).settled.catch(() => {})
    await vi.waitFor(() => expect(grant).toBeTypeOf('function'))
    const closed = router.close({ timeoutMs: 1000 })
    grant(async () => {
      released++
    })
    await closed
    expect(released).toBe(1)
    expect(stats.sent).toBe(0)
  })

  it('a store that cannot answer never holds an attempt back', async () => {
    const memory = memoryStore()
    const store = new Proxy<Store>(memory, {
      get(target, property) {
        if (property === 'takeSlot') return () => Promise.reject(new Error('Redis unreachable'))
        const value: unknown = Reflect.get(target, property, target)
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
    const transport: Transport = { send: async () => ({ status: 200, headers: {}, body: '' }) }
    const router = routerOn(store, transport, 1)
    const [result] = await router.emit('a.b', {}).settled
    expect(result?.status).toBe('succeeded')
    await router.close()
  })
})
