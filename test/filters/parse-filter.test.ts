import { describe, expect, it } from 'vitest'
import { isEventRouterError } from '../../src/errors/event-router-error.js'
import { InvalidFilterError } from '../../src/errors/invalid-filter-error.js'
import { ValidationError } from '../../src/errors/validation-error.js'
import { FILTER_LIMITS } from '../../src/filters/filter-limits.js'
import { parseFilter } from '../../src/filters/parse-filter.js'

/** The error parseFilter throws for `input`. */
function rejection(input: unknown, field?: string): InvalidFilterError {
  try {
    parseFilter(input, field)
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidFilterError)
    return error as InvalidFilterError
  }
  throw new Error(`expected ${JSON.stringify(input)} to be rejected`)
}

function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: 1 }
  for (let level = 1; level < levels; level++) value = { a: value }
  return value
}

describe('parseFilter', () => {
  it('returns an equal, frozen deep copy', () => {
    const input = {
      coins: { $gte: 100 },
      'customer.tier': { $in: ['gold', 'silver'] },
      $or: [{ a: { b: [1] } }],
    }
    const filter = parseFilter(input)
    expect(filter).toEqual(input)
    expect(filter).not.toBe(input)
    expect(Object.isFrozen(filter)).toBe(true)
    expect(Object.isFrozen(filter['customer.tier'])).toBe(true)
    expect(Object.isFrozen((filter['customer.tier'] as { $in: unknown }).$in)).toBe(true)
  })

  it('is not affected by later changes to the input', () => {
    const input = { coins: { $gte: 100 }, tags: { $in: ['vip'] } }
    const filter = parseFilter(input)
    input.coins.$gte = 0
    input.tags.$in.push('other')
    expect(filter).toEqual({ coins: { $gte: 100 }, tags: { $in: ['vip'] } })
  })

  it('normalizes -0 to 0', () => {
    expect(Object.is((parseFilter({ a: -0 }) as { a: number }).a, 0)).toBe(true)
  })

  it('accepts objects without a prototype', () => {
    const input = Object.assign(Object.create(null) as object, { status: 'active' })
    expect(parseFilter(input)).toEqual({ status: 'active' })
  })

  it.each([
    {},
    { status: 'active', coins: 100, verified: true, deleted: null },
    { 'customer.address': { city: 'Lyon', zip: '69001' }, tags: ['a', 'b'], 'items.0.sku': 'A1' },
    { a: { $eq: { b: [1, { c: null }] } }, b: { $ne: null } },
    { a: { $gt: 1, $lt: 'z' }, b: { $gte: false, $lte: true } },
    { a: { $in: [1, 'x', null, [1], { b: 2 }] }, b: { $nin: [] } },
    { a: { $exists: true }, b: { $exists: false } },
    { a: { $regex: '^a+$' }, b: { $regex: 'x', $options: 'imsu' }, c: { $regex: '\\p{L}', $options: 'u' } },
    // RE2 syntax, including what JavaScript's `u` mode refuses (`\-`) or lacks (`(?i)`, `\z`).
    {
      a: { $regex: '\\-', $options: 'u' },
      b: { $regex: '(?i)^ann\\z' },
      c: { $regex: '(?<name>a)(?P<n>b)' },
    },
    { a: { $size: 0 }, b: { $size: 3 } },
    { a: { $all: [] }, b: { $all: [1, [2], { c: 3 }] }, c: { $all: [{ $elemMatch: { d: 1 } }] } },
    {
      a: { $elemMatch: { b: 1, c: { $gt: 2 } } },
      d: { $elemMatch: { $gt: 1, $lt: 5 } },
      e: { $elemMatch: {} },
    },
    { a: { $elemMatch: { $or: [{ b: 1 }], c: 2 } } },
    { a: { $not: { $gt: 5 } }, b: { $not: '^x' }, c: { $not: { $regex: 'x', $options: 'i' } } },
    { $and: [{ a: 1 }], $or: [{ b: 1 }, { $nor: [{ c: 1 }] }], $nor: [{}] },
    { 'a-b': 1, 'a b': 2, a$b: 3, 'é.ü': 4 },
    nested(FILTER_LIMITS.maxDepth),
    { a: { $in: Array.from({ length: FILTER_LIMITS.maxNodes - 3 }, (_, index) => index) } },
    { a: { $regex: 'x'.repeat(FILTER_LIMITS.maxRegexLength) } },
  ])('accepts %j', (input) => {
    expect(parseFilter(input)).toEqual(input)
  })
})

describe('parseFilter: InvalidFilterError', () => {
  it('has the shape hosts rely on', () => {
    const error = rejection({ coins: { $gte: {} } })
    expect(error).toBeInstanceOf(ValidationError)
    expect(error.name).toBe('InvalidFilterError')
    expect(error.code).toBe('ERR_INVALID_FILTER')
    expect(isEventRouterError(error, 'ERR_INVALID_FILTER')).toBe(true)
    expect(error.field).toBe('filter.coins.$gte')
    expect(error.operator).toBe('$gte')
    expect(error.issues).toEqual([
      { path: 'filter.coins.$gte', message: '`$gte` expects a number, string or boolean, got object' },
    ])
    expect(error.message).toBe(
      'Invalid filter: filter.coins.$gte: `$gte` expects a number, string or boolean, got object',
    )
  })

  it('locates issues from the `field` argument', () => {
    const error = rejection({ $or: [{ a: { $foo: 1 } }] }, 'subscriptions.2.filter')
    expect(error.field).toBe('subscriptions.2.filter.$or.0.a.$foo')
  })

  it('reports every problem found, naming the operator of the first', () => {
    const error = rejection({ a: { $size: -1 }, b: { $foo: 1 }, c: { $regex: '(' } })
    expect(error.issues.map((issue) => issue.path)).toEqual([
      'filter.a.$size',
      'filter.b.$foo',
      'filter.c.$regex',
    ])
    expect(error.operator).toBe('$size')
  })

  it(`stops after ${FILTER_LIMITS.maxIssues} issues`, () => {
    const input = Object.fromEntries(Array.from({ length: 50 }, (_, index) => [`f${index}`, { $foo: 1 }]))
    expect(rejection(input).issues).toHaveLength(FILTER_LIMITS.maxIssues)
  })

  it.each<[string, unknown, string, string, string | undefined]>([
    // Root
    [
      'a null root',
      null,
      'filter',
      "expects a filter object such as { status: 'active' }, got null",
      undefined,
    ],
    ['an array root', [{ a: 1 }], 'filter', 'got array', undefined],
    ['a string root', 'status = active', 'filter', 'got string "status = active"', undefined],
    ['an undefined root', undefined, 'filter', 'got undefined', undefined],
    ['a Date root', new Date(0), 'filter', 'got Date', undefined],
    // Unknown operators
    ['an unknown field operator', { a: { $foo: 1 } }, 'filter.a.$foo', 'unknown operator `$foo`', '$foo'],
    ['$where', { $where: 'this.a > 1' }, 'filter.$where', 'unknown operator `$where`', '$where'],
    ['$expr', { $expr: { $gt: ['$a', 1] } }, 'filter.$expr', 'unknown operator `$expr`', '$expr'],
    ['$type', { a: { $type: 'string' } }, 'filter.a.$type', 'unknown operator `$type`', '$type'],
    ['$mod', { a: { $mod: [2, 0] } }, 'filter.a.$mod', 'unknown operator `$mod`', '$mod'],
    ['a field operator at the top', { $gt: 1 }, 'filter.$gt', '`$gt` must be applied to a field', '$gt'],
    ['$not at the top', { $not: { a: 1 } }, 'filter.$not', '`$not` must be applied to a field', '$not'],
    [
      'a logical operator on a field',
      { a: { $or: [{ b: 1 }] } },
      'filter.a.$or',
      '`$or` combines whole filters',
      '$or',
    ],
    [
      'an unknown operator in $elemMatch',
      { a: { $elemMatch: { $foo: 1 } } },
      'filter.a.$elemMatch.$foo',
      'unknown operator',
      '$foo',
    ],
    [
      'an unknown operator in $not',
      { a: { $not: { $foo: 1 } } },
      'filter.a.$not.$foo',
      'unknown operator',
      '$foo',
    ],
    [
      'an unknown operator in $and',
      { $and: [{ a: { $foo: 1 } }] },
      'filter.$and.0.a.$foo',
      'unknown operator',
      '$foo',
    ],
    // Operand shapes
    [
      '$gt with an object',
      { a: { $gt: {} } },
      'filter.a.$gt',
      '`$gt` expects a number, string or boolean, got object',
      '$gt',
    ],
    ['$lte with null', { a: { $lte: null } }, 'filter.a.$lte', 'got null', '$lte'],
    ['$lt with an array', { a: { $lt: [1] } }, 'filter.a.$lt', 'got array', '$lt'],
    [
      '$in with a string',
      { a: { $in: 'gold' } },
      'filter.a.$in',
      '`$in` expects an array, got string "gold"',
      '$in',
    ],
    ['$nin with null', { a: { $nin: null } }, 'filter.a.$nin', '`$nin` expects an array, got null', '$nin'],
    [
      '$all with an object',
      { a: { $all: { b: 1 } } },
      'filter.a.$all',
      '`$all` expects an array, got object',
      '$all',
    ],
    [
      '$exists with 1',
      { a: { $exists: 1 } },
      'filter.a.$exists',
      '`$exists` expects a boolean, got number 1',
      '$exists',
    ],
    [
      '$size with -1',
      { a: { $size: -1 } },
      'filter.a.$size',
      '`$size` expects a non-negative integer, got number -1',
      '$size',
    ],
    ['$size with 1.5', { a: { $size: 1.5 } }, 'filter.a.$size', 'got number 1.5', '$size'],
    ['$size with a string', { a: { $size: '2' } }, 'filter.a.$size', 'got string "2"', '$size'],
    [
      '$regex with a number',
      { a: { $regex: 1 } },
      'filter.a.$regex',
      '`$regex` expects a string, got number 1',
      '$regex',
    ],
    [
      '$elemMatch with an array',
      { a: { $elemMatch: [1] } },
      'filter.a.$elemMatch',
      '`$elemMatch` expects an object, got array',
      '$elemMatch',
    ],
    [
      '$not with a number',
      { a: { $not: 5 } },
      'filter.a.$not',
      '`$not` expects an operator object or a regular expression string',
      '$not',
    ],
    [
      '$not with a literal object',
      { a: { $not: { b: 1 } } },
      'filter.a.$not',
      'operator object such as { $gt: 5 }',
      '$not',
    ],
    [
      '$not with an empty object',
      { a: { $not: {} } },
      'filter.a.$not',
      'operator object such as { $gt: 5 }',
      '$not',
    ],
    [
      '$and with an object',
      { $and: { a: 1 } },
      'filter.$and',
      '`$and` expects a non-empty array of filters, got object',
      '$and',
    ],
    ['an empty $or', { $or: [] }, 'filter.$or', 'non-empty array of filters, got empty array', '$or'],
    [
      '$nor with a scalar branch',
      { $nor: [{ a: 1 }, 2] },
      'filter.$nor.1',
      '`$nor` expects filter objects, got number 2',
      '$nor',
    ],
    [
      '$all mixing values and $elemMatch',
      { a: { $all: [1, { $elemMatch: { b: 1 } }] } },
      'filter.a.$all',
      'only values or only { $elemMatch',
      '$all',
    ],
    [
      '$all with another operator',
      { a: { $all: [{ $gt: 1 }] } },
      'filter.a.$all.0',
      'exactly { $elemMatch: ... }',
      '$all',
    ],
    [
      '$all with a bad $elemMatch',
      { a: { $all: [{ $elemMatch: 1 }] } },
      'filter.a.$all.0.$elemMatch',
      'expects an object',
      '$elemMatch',
    ],
    // Regular expressions
    [
      'an invalid $regex',
      { a: { $regex: '(' } },
      'filter.a.$regex',
      '`$regex` at `a`: not a valid regular expression: missing closing ): `(`',
      '$regex',
    ],
    [
      'an invalid $not regex',
      { a: { $not: '[' } },
      'filter.a.$not',
      '`$not` at `a`: not a valid regular expression',
      '$not',
    ],
    [
      'a long $regex',
      { a: { $regex: 'x'.repeat(1001) } },
      'filter.a.$regex',
      '`$regex` at `a`: the pattern is 1001 characters long; the limit is 1000',
      '$regex',
    ],
    ['a long $not regex', { a: { $not: 'x'.repeat(1001) } }, 'filter.a.$not', 'the limit is 1000', '$not'],
    [
      'the g flag',
      { a: { $regex: 'x', $options: 'g' } },
      'filter.a.$options',
      'expects distinct regular expression flags among i, m, s and u',
      '$options',
    ],
    ['the x flag', { a: { $regex: 'x', $options: 'x' } }, 'filter.a.$options', 'got string "x"', '$options'],
    ['a repeated flag', { a: { $regex: 'x', $options: 'ii' } }, 'filter.a.$options', 'distinct', '$options'],
    [
      '$options alone',
      { a: { $options: 'i' } },
      'filter.a.$options',
      '`$options` needs a `$regex` beside it',
      '$options',
    ],
    // Structure
    [
      'operators mixed with fields',
      { a: { $gt: 1, b: 2 } },
      'filter.a',
      'cannot mix operators (`$gt`) and field names (`b`)',
      '$gt',
    ],
    ['fields mixed with operators', { a: { b: 2, $gt: 1 } }, 'filter.a', 'cannot mix operators', '$gt'],
    [
      'mixing inside $elemMatch',
      { a: { $elemMatch: { $gt: 1, b: 2 } } },
      'filter.a.$elemMatch',
      'cannot mix',
      '$gt',
    ],
    [
      'an operator inside a literal',
      { customer: { tier: { $in: ['gold'] } } },
      'filter.customer.tier.$in',
      'use a dotted path',
      '$in',
    ],
    [
      'an operator inside a literal array',
      { a: [{ $gt: 1 }] },
      'filter.a.0.$gt',
      'cannot appear inside a value',
      '$gt',
    ],
    [
      'an operator inside an $eq value',
      { a: { $eq: { $gt: 1 } } },
      'filter.a.$eq.$gt',
      'cannot appear inside a value',
      '$gt',
    ],
    [
      'an operator inside an $in value',
      { a: { $in: [{ b: { $gt: 1 } }] } },
      'filter.a.$in.0.b.$gt',
      'cannot appear inside a value',
      '$gt',
    ],
    ['an empty field name', { '': 1 }, 'filter.', 'field names must not be empty', undefined],
    [
      'an empty path segment',
      { 'a..b': 1 },
      'filter.a..b',
      'field path `a..b` has an empty segment',
      undefined,
    ],
    ['a trailing dot', { 'a.': 1 }, 'filter.a.', 'has an empty segment', undefined],
    [
      'an empty field in $elemMatch',
      { a: { $elemMatch: { '.b': 1 } } },
      'filter.a.$elemMatch..b',
      'empty segment',
      undefined,
    ],
    // Not JSON
    ['a function', { a: () => true }, 'filter.a', 'expects a JSON value, got function', undefined],
    ['undefined', { a: undefined }, 'filter.a', 'got undefined', undefined],
    ['NaN', { a: { $gt: Number.NaN } }, 'filter.a.$gt', 'expects a finite number, got NaN', undefined],
    ['Infinity', { a: { $lt: Number.POSITIVE_INFINITY } }, 'filter.a.$lt', 'got Infinity', undefined],
    ['a Date', { a: { $gte: new Date(0) } }, 'filter.a.$gte', 'got Date; use an ISO 8601 string', undefined],
    ['a RegExp', { a: /x/ }, 'filter.a', "got RegExp; use { $regex: '...' }", undefined],
    ['a Map', { a: { $in: new Map() } }, 'filter.a.$in', 'got Map', undefined],
    ['a class instance', { a: new (class Tier {})() }, 'filter.a', 'got Tier', undefined],
    ['a symbol', { a: Symbol('x') }, 'filter.a', 'got symbol', undefined],
    ['a bigint', { a: 1n }, 'filter.a', 'got bigint', undefined],
    [
      'a getter',
      Object.defineProperty({}, 'a', { get: () => 1, enumerable: true }),
      'filter.a',
      'got a getter or setter',
      undefined,
    ],
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point
    ['an array hole', { a: { $in: [1, , 3] } }, 'filter.a.$in.1', 'got an empty array slot', undefined],
  ])('rejects %s', (_name, input, path, message, operator) => {
    const error = rejection(input)
    expect(error.issues[0]?.path).toBe(path)
    expect(error.issues[0]?.message).toContain(message)
    expect(error.operator).toBe(operator)
    expect(error.code).toBe('ERR_INVALID_FILTER')
  })
})

describe('parseFilter: limits', () => {
  it(`rejects nesting deeper than ${FILTER_LIMITS.maxDepth} levels`, () => {
    const error = rejection(nested(FILTER_LIMITS.maxDepth + 1))
    expect(error.issues).toHaveLength(1)
    expect(error.issues[0]?.message).toBe('is nested more than 32 levels deep')
    expect(error.field).toBe(`filter${'.a'.repeat(FILTER_LIMITS.maxDepth)}`)
  })

  it('rejects a cycle as too deep instead of overflowing the stack', () => {
    const cycle: Record<string, unknown> = {}
    cycle.self = { $in: [cycle] }
    expect(rejection(cycle).issues[0]?.message).toContain('nested more than 32 levels deep')
  })

  it(`rejects more than ${FILTER_LIMITS.maxNodes} values`, () => {
    const error = rejection({
      a: { $in: Array.from({ length: FILTER_LIMITS.maxNodes - 2 }, (_, index) => index) },
    })
    expect(error.issues).toEqual([
      { path: 'filter', message: 'has more than 10000 values; split it into smaller filters' },
    ])
  })

  it(`rejects more than ${FILTER_LIMITS.maxRegexTotalLength} characters of patterns in one filter`, () => {
    const patterns = (count: number) =>
      Object.fromEntries(
        Array.from({ length: count }, (_, index) => [
          `f${index}`,
          index % 2 === 0
            ? { $regex: 'x'.repeat(FILTER_LIMITS.maxRegexLength) }
            : { $not: 'x'.repeat(1_000) },
        ]),
      )
    const count = FILTER_LIMITS.maxRegexTotalLength / FILTER_LIMITS.maxRegexLength
    expect(parseFilter(patterns(count))).toEqual(patterns(count))
    expect(rejection(patterns(count + 1)).issues).toEqual([
      {
        path: 'filter',
        message: 'has more than 10000 characters of regular expressions; split it into smaller filters',
      },
    ])
  })

  it('counts values in $or branches and literals too', () => {
    const branches = Array.from({ length: 2_500 }, (_, index) => ({ a: { b: index, c: [index] } }))
    expect(rejection({ $or: branches }).field).toBe('filter')
  })
})

// Found by the public API fuzz suite (issue #5): these escaped parseFilter as TypeErrors.
describe('parseFilter: Proxies that cannot be read', () => {
  const revoked = () => {
    const { proxy, revoke } = Proxy.revocable({}, {})
    revoke()
    return proxy
  }
  const throwing = () =>
    new Proxy(
      {},
      {
        getPrototypeOf() {
          throw new Error('trap')
        },
        ownKeys() {
          throw new Error('trap')
        },
      },
    )

  it.each([
    ['a revoked Proxy', revoked],
    ['a Proxy whose traps throw', throwing],
  ])('rejects %s as the filter', (_, make) => {
    const error = rejection(make())
    expect(error.issues).toEqual([{ path: 'filter', message: expect.stringContaining('unreadable object') }])
  })

  it.each([
    ['a revoked Proxy', revoked],
    ['a Proxy whose traps throw', throwing],
  ])('rejects %s inside the filter, at its path', (_, make) => {
    const error = rejection({ tier: { $in: ['gold', make()] }, coins: { $gte: 1 } })
    expect(error.field).toBe('filter.tier.$in.1')
    expect(error.issues).toHaveLength(1)
  })

  it('still copies a transparent Proxy of a plain object', () => {
    expect(parseFilter(new Proxy({ tier: 'gold' }, {}))).toEqual({ tier: 'gold' })
  })
})

describe('parseFilter from the package entry', () => {
  it('is exported by eventrouter, for a dashboard to refuse a filter before saving it', async () => {
    const entry = await import('../../src/index.js')
    expect(entry.parseFilter).toBe(parseFilter)
    expect(entry.parseFilter({ 'customer.tier': { $in: ['gold'] } })).toEqual({
      'customer.tier': { $in: ['gold'] },
    })
    expect(() => entry.parseFilter({ coins: { $gte: {} } }, 'subscriptions.3.filter')).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_FILTER', field: 'subscriptions.3.filter.coins.$gte' }),
    )
  })
})
