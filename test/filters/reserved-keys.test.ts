import { describe, expect, it } from 'vitest'
import { parseFilter } from '../../src/filters/parse-filter.js'
import { InvalidFilterError, ValidationError } from '../../src/index.js'
import { useRouters } from './routers.js'

/*
 * Issue 10: `__proto__`, `constructor` and `prototype` are refused anywhere in a filter, named,
 * rather than kept as data or dropped. A dashboard's JSON.parse makes `__proto__` an own key;
 * an object literal `{ __proto__: x }` makes `x` the prototype instead, with no key at all.
 */

const createRouter = useRouters()
const ADVICE = '`__proto__`, `constructor` and `prototype` cannot be keys or field names'

function rejection(action: () => unknown): InvalidFilterError {
  try {
    action()
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidFilterError)
    expect(error).toBeInstanceOf(ValidationError)
    return error as InvalidFilterError
  }
  throw new Error('expected an InvalidFilterError')
}

// [what, filter, issue path, message]
const REFUSED: readonly [string, unknown, string, string][] = [
  [
    'an own `__proto__` field',
    JSON.parse('{"__proto__": {"$gt": 1}}'),
    'filter.__proto__',
    `\`__proto__\` is reserved: ${ADVICE}`,
  ],
  [
    'a `constructor` field',
    { constructor: { $exists: true } },
    'filter.constructor',
    '`constructor` is reserved',
  ],
  ['a `prototype` field', { prototype: 'x' }, 'filter.prototype', '`prototype` is reserved'],
  [
    'a `__proto__` path segment',
    { 'a.__proto__.b': 1 },
    'filter.a.__proto__.b',
    `field path \`a.__proto__.b\` has the reserved segment \`__proto__\`: ${ADVICE}`,
  ],
  [
    'a `constructor` path segment',
    { 'customer.constructor.name': { $regex: 'x' } },
    'filter.customer.constructor.name',
    'has the reserved segment `constructor`',
  ],
  [
    'a `prototype` path segment',
    { 'a.prototype': { $in: [1] } },
    'filter.a.prototype',
    'has the reserved segment `prototype`',
  ],
  [
    'an own `__proto__` key in an operator object',
    JSON.parse('{"coins": {"$gt": 1, "__proto__": {"$lt": 0}}}'),
    'filter.coins.__proto__',
    '`__proto__` is reserved',
  ],
  [
    'a `constructor` key in $elemMatch',
    { items: { $elemMatch: { constructor: 'x' } } },
    'filter.items.$elemMatch.constructor',
    '`constructor` is reserved',
  ],
  [
    'an own `__proto__` key in a $or branch',
    JSON.parse('{"$or": [{"__proto__": 1}]}'),
    'filter.$or.0.__proto__',
    '`__proto__` is reserved',
  ],
  [
    'a `prototype` key inside a literal value',
    { a: { $in: [{ prototype: 1 }] } },
    'filter.a.$in.0.prototype',
    '`prototype` is reserved',
  ],
  [
    'a literal `__proto__` as the whole filter',
    { __proto__: { tier: 'gold' } },
    'filter',
    `expects a filter object of plain JSON, got an object whose prototype was set by a \`__proto__\` key (\`{ __proto__: ... }\` in an object literal): ${ADVICE}`,
  ],
  [
    'a literal `__proto__` in an operator object',
    { coins: { __proto__: { $gt: 1 } } },
    'filter.coins',
    'got an object whose prototype was set by a `__proto__` key',
  ],
  [
    'a literal `__proto__` inside a literal value',
    { customer: { $eq: { __proto__: { admin: true } } } },
    'filter.customer.$eq',
    'got an object whose prototype was set by a `__proto__` key',
  ],
  [
    'an object made with Object.create',
    { a: Object.create({ b: 1 }) },
    'filter.a',
    'got an object whose prototype was set by a `__proto__` key',
  ],
]

describe('reserved keys in filters', () => {
  it.each(REFUSED)('refuses %s at create, naming it', (_what, filter, path, message) => {
    const router = createRouter()
    const error = rejection(() =>
      router.subscriptions.create({ event: 'x', integrationId: 'crm', filter: filter as never }),
    )
    expect(error.code).toBe('ERR_INVALID_FILTER')
    expect(error.field).toBe(path)
    expect(error.issues[0]?.message).toContain(message)
    expect(router.subscriptions.list()).toEqual([])
  })

  it.each(REFUSED)('refuses %s at update, leaving the subscription as it was', (_what, filter, path) => {
    const router = createRouter()
    const subscription = router.subscriptions.create({
      event: 'x',
      integrationId: 'crm',
      filter: { tier: 'gold' },
    })
    const error = rejection(() => router.subscriptions.update(subscription.id, { filter: filter as never }))
    expect(error.field).toBe(path)
    expect(router.subscriptions.get(subscription.id)).toEqual(subscription)
    expect(router.emit('x', { tier: 'gold' }).deliveries).toHaveLength(1)
    expect(router.emit('x', { tier: 'silver' }).deliveries).toHaveLength(0)
  })

  it('reports every reserved key of a filter, and nothing else about it', () => {
    const error = rejection(() =>
      parseFilter({ ok: 1, constructor: 1, 'a.prototype': 2, b: { $in: [JSON.parse('{"__proto__": 3}')] } }),
    )
    expect(error.issues.map((issue) => issue.path)).toEqual([
      'filter.constructor',
      'filter.a.prototype',
      'filter.b.$in.0.__proto__',
    ])
  })

  it('keeps names that merely contain a reserved word, and an object literal setting a null prototype', () => {
    const filter = { constructors: 1, 'a.__proto': 2, my_prototype: 3, 'proto.b': 4 }
    expect(parseFilter(filter)).toEqual(filter)
    expect(parseFilter({ __proto__: null, tier: 'gold' })).toEqual({ tier: 'gold' })
  })

  it('still rejects class instances as such, not as reserved keys', () => {
    expect(rejection(() => parseFilter({ a: new Date(0) })).issues[0]?.message).toBe(
      'expects a JSON value, got Date; use an ISO 8601 string',
    )
    expect(rejection(() => parseFilter(new (class Tier {})())).issues[0]?.message).toContain('got Tier')
  })
})
