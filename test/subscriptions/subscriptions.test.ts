import { describe, expect, it } from 'vitest'
import { ConflictError, InvalidFilterError, NotFoundError, ValidationError } from '../../src/index.js'
import { createRouter } from '../factories.js'

describe('router.subscriptions', () => {
  it('creates a subscription with defaults and timestamps', () => {
    const { router } = createRouter()
    const sub = router.subscriptions.create({ event: 'wallet.coins_rewarded', integrationId: 'crm' })
    expect(sub).toMatchObject({
      event: 'wallet.coins_rewarded',
      integrationId: 'crm',
      filter: {},
      eventNamePrefix: null,
      enabled: true,
    })
    expect(sub.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(Date.parse(sub.createdAt)).not.toBeNaN()
    expect(sub.updatedAt).toBe(sub.createdAt)
    expect(router.subscriptions.get(sub.id)).toEqual(sub)
    expect(Object.isFrozen(sub)).toBe(true)
  })

  it('edits integration, prefix and filter, and routing follows the edit', async () => {
    const { router, transport } = createRouter()
    router.integrations.add({
      id: 'other',
      type: 'webhook',
      config: { url: 'https://other.example/in', signing: false },
    })
    const sub = router.subscriptions.create({
      event: 'coupon.created',
      integrationId: 'crm',
      eventNamePrefix: 'Loyalty ',
      filter: { discount: { $gte: 10 } },
    })
    expect(router.emit('coupon.created', { discount: 5 }).deliveries).toHaveLength(0)

    const updated = router.subscriptions.update(sub.id, {
      integrationId: 'other',
      eventNamePrefix: null,
      filter: {},
    })
    expect(updated).toMatchObject({ integrationId: 'other', eventNamePrefix: null, filter: {} })
    expect(updated.createdAt).toBe(sub.createdAt)
    const receipt = router.emit('coupon.created', { discount: 5 })
    expect(receipt.deliveries).toMatchObject([{ integrationId: 'other', outgoingName: 'coupon.created' }])
    await receipt.settled
    expect(transport.requests[0]?.url).toBe('https://other.example/in')
  })

  it('moves a subscription to other event names', () => {
    const { router } = createRouter()
    const sub = router.subscriptions.create({ event: 'a.one', integrationId: 'crm' })
    router.subscriptions.update(sub.id, { event: ['a.two', 'a.three'] })
    expect(router.emit('a.one', {}).deliveries).toHaveLength(0)
    expect(router.emit('a.two', {}).deliveries).toHaveLength(1)
    expect(router.emit('a.three', {}).deliveries).toHaveLength(1)
    router.subscriptions.update(sub.id, { event: '*' })
    expect(router.emit('anything.else', {}).deliveries).toHaveLength(1)
  })

  it('removes a subscription', () => {
    const { router } = createRouter()
    const sub = router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
    router.subscriptions.remove(sub.id)
    expect(router.subscriptions.get(sub.id)).toBeUndefined()
    expect(router.emit('a.b', {}).deliveries).toHaveLength(0)
    expect(() => router.subscriptions.remove(sub.id)).toThrow(NotFoundError)
  })

  it('enables and disables', () => {
    const { router } = createRouter()
    const sub = router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
    expect(router.subscriptions.disable(sub.id).enabled).toBe(false)
    expect(router.emit('a.b', {}).deliveries).toHaveLength(0)
    expect(router.subscriptions.enable(sub.id).enabled).toBe(true)
    expect(router.emit('a.b', {}).deliveries).toHaveLength(1)
  })

  it('lists by event (wildcards included) and by integration, in creation order', () => {
    const { router } = createRouter()
    router.integrations.add({
      id: 'k',
      type: 'webhook',
      config: { url: 'https://k.example/', signing: false },
    })
    const a = router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
    const b = router.subscriptions.create({ event: ['a.b', 'c.d'], integrationId: 'k' })
    const c = router.subscriptions.create({ event: '*', integrationId: 'crm' })
    const d = router.subscriptions.create({ event: 'c.d', integrationId: 'crm' })
    const ids = (list: { id: string }[]) => list.map((s) => s.id)
    expect(ids(router.subscriptions.list())).toEqual([a.id, b.id, c.id, d.id])
    expect(ids(router.subscriptions.list({ event: 'a.b' }))).toEqual([a.id, b.id, c.id])
    expect(ids(router.subscriptions.list({ integrationId: 'k' }))).toEqual([b.id])
    expect(ids(router.subscriptions.list({ event: 'c.d', integrationId: 'crm' }))).toEqual([c.id, d.id])
  })

  // Found by the public API fuzz suite (issue #5): list(null) threw a TypeError once a
  // subscription existed, and a misspelt key listed everything.
  it('rejects a query that is not { event?, integrationId? } with a ValidationError', () => {
    const { router } = createRouter()
    router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
    for (const query of [null, 5, 'a.b', { integration: 'crm' }, { event: 5 }]) {
      expect(() => router.subscriptions.list(query as never)).toThrow(ValidationError)
    }
    expect(() => router.subscriptions.list({ integration: 'crm' } as never)).toThrow(
      /integration: unknown field/,
    )
  })

  it('keeps a copy of the filter: mutating the caller object changes nothing', () => {
    const { router } = createRouter()
    const filter = { coins: { $gte: 100 } }
    router.subscriptions.create({ event: 'a.b', integrationId: 'crm', filter })
    filter.coins.$gte = 0
    expect(router.emit('a.b', { coins: 50 }).deliveries).toHaveLength(0)
  })

  describe('rejects bad input with a typed error naming the field, and changes nothing', () => {
    const cases: [string, Record<string, unknown>, string, string][] = [
      ['unknown integration', { event: 'a.b', integrationId: 'nope' }, 'ERR_NOT_FOUND', 'integrationId'],
      ['bad event name', { event: 'a b', integrationId: 'crm' }, 'ERR_VALIDATION', 'event'],
      ['empty event list', { event: [], integrationId: 'crm' }, 'ERR_VALIDATION', 'event'],
      [
        'bad filter operator',
        { event: 'a.b', integrationId: 'crm', filter: { coins: { $gte: 1, $bogus: 2 } } },
        'ERR_INVALID_FILTER',
        'filter.coins.$bogus',
      ],
      [
        'empty prefix',
        { event: 'a.b', integrationId: 'crm', eventNamePrefix: '' },
        'ERR_VALIDATION',
        'eventNamePrefix',
      ],
      [
        'prefix with a newline',
        { event: 'a.b', integrationId: 'crm', eventNamePrefix: 'a\nb' },
        'ERR_VALIDATION',
        'eventNamePrefix',
      ],
      [
        'over-long prefix',
        { event: 'a.b', integrationId: 'crm', eventNamePrefix: 'x'.repeat(101) },
        'ERR_VALIDATION',
        'eventNamePrefix',
      ],
      ['unknown key', { event: 'a.b', integrationId: 'crm', filtr: {} }, 'ERR_VALIDATION', 'filtr'],
      ['bad enabled', { event: 'a.b', integrationId: 'crm', enabled: 'yes' }, 'ERR_VALIDATION', 'enabled'],
    ]
    it.each(cases)('%s', (_label, input, code, field) => {
      const { router } = createRouter()
      const before = router.toJSON()
      let thrown: unknown
      try {
        router.subscriptions.create(input as never)
      } catch (error) {
        thrown = error
      }
      expect(thrown).toMatchObject({ code })
      if (field) expect((thrown as { field: string }).field).toBe(field)
      expect(router.toJSON()).toEqual(before)
    })

    it('duplicate id', () => {
      const { router } = createRouter()
      router.subscriptions.create({ id: 'sub-1', event: 'a.b', integrationId: 'crm' })
      expect(() => router.subscriptions.create({ id: 'sub-1', event: 'c.d', integrationId: 'crm' })).toThrow(
        ConflictError,
      )
      expect(router.subscriptions.list()).toHaveLength(1)
      expect(router.emit('c.d', {}).deliveries).toHaveLength(0)
    })

    it('a rejected update leaves the subscription and routing as they were', () => {
      const { router } = createRouter()
      const sub = router.subscriptions.create({
        event: 'a.b',
        integrationId: 'crm',
        filter: { x: 1 },
        eventNamePrefix: 'P ',
      })
      const attempts: [Record<string, unknown>, new (...args: never[]) => Error][] = [
        [{ event: 'c.d', filter: { x: { $in: 3 } } }, InvalidFilterError],
        [{ event: 'c.d', integrationId: 'missing' }, NotFoundError],
        [{ event: 'c.d', eventNamePrefix: 7 }, ValidationError],
      ]
      for (const [patch, type] of attempts) {
        expect(() => router.subscriptions.update(sub.id, patch as never)).toThrow(type)
      }
      expect(router.subscriptions.get(sub.id)).toEqual(sub)
      expect(router.emit('a.b', { x: 1 }).deliveries).toHaveLength(1)
      expect(router.emit('c.d', { x: 1 }).deliveries).toHaveLength(0)
    })

    it('unknown id on update, enable and disable', () => {
      const { router } = createRouter()
      expect(() => router.subscriptions.update('nope', {})).toThrow(NotFoundError)
      expect(() => router.subscriptions.enable('nope')).toThrow(/Unknown subscription `nope`/)
    })

    // Found by the public API fuzz suite (issue #5): String(id) threw a TypeError.
    it('unknown id that cannot be turned into a string', () => {
      const { router } = createRouter()
      const ids = [Object.create(null), { [Symbol.toPrimitive]: () => ({}) }, Symbol('s')]
      for (const id of ids) {
        expect(() => router.subscriptions.remove(id as never)).toThrow(NotFoundError)
        expect(() => router.subscriptions.update(id as never, {})).toThrow(NotFoundError)
      }
    })
  })
})
