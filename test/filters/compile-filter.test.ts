import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { InvalidFilterError } from '../../src/errors/invalid-filter-error.js'
import { compileFilter } from '../../src/filters/compile-filter.js'
import { compileFastPath, type FastTest, rangeOf } from '../../src/filters/fast-paths.js'
import type { Filter } from '../../src/filters/filter.js'
import { parseFilter } from '../../src/filters/parse-filter.js'
import { compilePath } from '../../src/filters/path.js'
import { comparisonTest, equalsTest, existsTest, inTest } from '../../src/filters/value-tests.js'

type Case = readonly [filter: Record<string, unknown>, payload: unknown, expected: boolean]

function matches(filter: Record<string, unknown>, payload: unknown): boolean {
  return compileFilter(parseFilter(filter))(payload)
}

function cases(table: readonly Case[]): void {
  it.each(table)('%j on %j is %s', (filter, payload, expected) => {
    expect(matches(filter, payload)).toBe(expected)
  })
}

const order = {
  id: 'evt_1',
  status: 'active',
  coins: 150,
  verified: true,
  tags: ['vip', 'beta'],
  customer: { id: 'c1', tier: 'gold', address: { city: 'Lyon', zip: '69001' } },
  items: [
    { sku: 'A1', qty: 2, tags: ['red'] },
    { sku: 'B2', qty: 5, tags: [] },
  ],
}

describe('compileFilter', () => {
  it('matches every payload with the empty filter, even odd ones', () => {
    const predicate = compileFilter(parseFilter({}))
    for (const payload of [order, {}, null, undefined, 0, 'text', [], [1]])
      expect(predicate(payload)).toBe(true)
  })

  it('compiles once into a predicate that can be reused on many payloads', () => {
    const predicate = compileFilter(
      parseFilter({ coins: { $gte: 100 }, 'customer.tier': { $in: ['gold', 'silver'] } }),
    )
    expect(predicate(order)).toBe(true)
    expect(predicate({ ...order, coins: 99 })).toBe(false)
    expect(predicate({ ...order, customer: { tier: 'silver' } })).toBe(true)
    expect(predicate(order)).toBe(true)
  })

  it('matches the loyalty example of the docs', () => {
    const filter = { coins: { $gte: 100 }, 'customer.tier': { $in: ['gold', 'silver'] }, status: 'active' }
    expect(matches(filter, order)).toBe(true)
    expect(matches(filter, { ...order, status: 'paused' })).toBe(false)
  })

  it('does not modify the payload', () => {
    const payload = structuredClone(order)
    const frozen = deepFreeze(structuredClone(order))
    const predicate = compileFilter(
      parseFilter({
        $or: [{ 'items.sku': 'A1' }, { tags: { $all: ['vip'] } }],
        items: { $elemMatch: { qty: { $gt: 1 } } },
      }),
    )
    expect(predicate(frozen)).toBe(true)
    expect(frozen).toEqual(payload)
  })

  it('never throws, whatever the payload', () => {
    const filters: Filter[] = [
      { coins: { $gte: 100 }, 'customer.tier': { $in: ['gold', null] }, status: 'active' },
      { 'a.b.c': null, 'a.0.b': { $exists: false }, hasOwnProperty: { $exists: true } },
      { a: { $elemMatch: { b: { $regex: '^x', $options: 'i' } } }, 'a.length': { $size: 1 } },
      { $nor: [{ a: { $all: [1, [2]] } }, { 'a.b': { $not: { $gt: 'm' } } }], toString: { $ne: 1 } },
      { a: { $eq: { b: [1, { c: null }] } }, b: { $nin: [{}, []] }, c: { $lte: true } },
    ]
    const predicates = filters.map((filter) => compileFilter(parseFilter(filter)))
    fc.assert(
      fc.property(
        fc.anything({ withNullPrototype: true, withBoxedValues: true, withMap: true, withSet: true }),
        (payload) => {
          for (const predicate of predicates) expect(typeof predicate(payload)).toBe('boolean')
        },
      ),
      { seed: 7, numRuns: 500 },
    )
  })

  it('refuses an operator that parseFilter would have rejected', () => {
    expect(() => compileFilter({ a: { $where: 'true' } })).toThrow(InvalidFilterError)
    expect(() => compileFilter({ $expr: { $gt: ['$a', 1] } })).toThrow(/unknown operator `\$expr`/)
  })
})

describe('compileFilter: field paths', () => {
  cases([
    [{ 'customer.address.city': 'Lyon' }, order, true],
    [{ 'customer.address.city': 'Paris' }, order, false],
    [{ 'customer.address.country': null }, order, true],
    [{ 'customer.phone.number': { $exists: false } }, order, true],
    // A path through an array looks into each element.
    [{ 'items.sku': 'B2' }, order, true],
    [{ 'items.tags': 'red' }, order, true],
    // A numeric component picks an element by position.
    [{ 'items.0.sku': 'A1' }, order, true],
    [{ 'items.1.sku': 'A1' }, order, false],
    [{ 'tags.1': 'beta' }, order, true],
    [{ 'items.5.sku': { $exists: true } }, order, false],
    // On an object, a numeric component is an ordinary key.
    [{ 'codes.0': 'x' }, { codes: { '0': 'x' } }, true],
    // Scalars and null along the way end the path: the value is missing.
    [{ 'status.length': 6 }, order, false],
    [{ 'customer.tier.0': 'g' }, order, false],
    [{ 'a.b': { $exists: true } }, { a: null }, false],
    [{ 'a.b': null }, { a: 5 }, true],
  ])

  describe('reads own properties only', () => {
    cases([
      [{ hasOwnProperty: { $exists: true } }, {}, false],
      [{ toString: { $exists: false } }, {}, true],
      [{ 'tags.length': 2 }, order, false],
      [{ 'tags.length': { $exists: true } }, order, false],
      [{ hasOwnProperty: 'x' }, { hasOwnProperty: 'x' }, true],
      [{ 'a.valueOf': { $exists: true } }, { a: 1 }, false],
    ])

    // parseFilter refuses `__proto__` and `constructor` (reserved-keys.test.ts); the path reader
    // still reads them as own properties only, for filters that did not go through it.
    it.each<[string, unknown, boolean]>([
      ['constructor', {}, false],
      ['__proto__', {}, false],
      // An object literal's `__proto__` sets the prototype: JSON.parse makes it a key, like storage does.
      ['__proto__', JSON.parse('{"__proto__":"x"}'), true],
      ['a.__proto__', { a: {} }, false],
    ])('reads `%s` on %j as an own property only: %s', (path, payload, exists) => {
      expect(compilePath(path, existsTest, false)(payload)).toBe(exists)
    })

    it('reads objects without a prototype', () => {
      const payload = Object.assign(Object.create(null) as object, {
        status: 'active',
        customer: { tier: 'gold' },
      })
      expect(matches({ status: 'active', 'customer.tier': 'gold' }, payload)).toBe(true)
    })

    it('treats a property holding undefined as missing', () => {
      expect(matches({ a: { $exists: false } }, { a: undefined })).toBe(true)
      expect(matches({ a: null }, { a: undefined })).toBe(true)
    })
  })
})

describe('compileFilter: equality ($eq and implicit)', () => {
  cases([
    [{ status: 'active' }, order, true],
    [{ status: { $eq: 'active' } }, order, true],
    [{ status: 'Active' }, order, false],
    [{ coins: 150 }, order, true],
    [{ coins: '150' }, order, false],
    [{ verified: true }, order, true],
    [{ verified: 1 }, order, false],
    [{ zero: 0 }, { zero: -0 }, true],
    // An array matches when one element equals, or the whole array does (in order).
    [{ tags: 'vip' }, order, true],
    [{ tags: ['vip', 'beta'] }, order, true],
    [{ tags: ['beta', 'vip'] }, order, false],
    [{ tags: { $eq: ['vip'] } }, order, false],
    [{ tags: [] }, { tags: [] }, true],
    // Objects: deep equality, whatever the key order.
    [{ 'customer.address': { zip: '69001', city: 'Lyon' } }, order, true],
    [{ 'customer.address': { city: 'Lyon' } }, order, false],
    [{ items: { sku: 'B2', qty: 5, tags: [] } }, order, true],
    [{ items: { sku: 'B2', qty: 5 } }, order, false],
    [{ a: {} }, { a: {} }, true],
    [{ a: {} }, { a: [] }, false],
    [{ a: [] }, { a: {} }, false],
    // Nested arrays are not searched (MongoDB).
    [{ a: 1 }, { a: [[1]] }, false],
    [{ a: [1] }, { a: [[1]] }, true],
    [{ 'a.b': 1 }, { a: [[{ b: 1 }]] }, false],
  ])

  describe('null matches null and missing fields', () => {
    cases([
      [{ a: null }, {}, true],
      [{ a: null }, { a: null }, true],
      [{ a: null }, { a: 0 }, false],
      [{ a: null }, { a: [1, null] }, true],
      [{ a: null }, { a: [] }, false],
      [{ 'a.b': null }, { a: [{ b: 1 }, {}] }, true],
      [{ 'a.b': null }, { a: [{ b: 1 }, { b: 2 }] }, false],
      // MongoDB >= 9.0 (SERVER-36681): elements that are not objects, and empty arrays, have no `b`.
      [{ 'a.b': null }, { a: [5, { b: 5 }] }, true],
      [{ 'a.b': null }, { a: [] }, true],
      [{ 'a.b': null }, { a: [[]] }, true],
      [{ 'a.1': null }, { a: [5] }, true],
    ])
  })
})

describe('compileFilter: $ne', () => {
  cases([
    [{ status: { $ne: 'paused' } }, order, true],
    [{ status: { $ne: 'active' } }, order, false],
    [{ missing: { $ne: 'x' } }, order, true],
    [{ tags: { $ne: 'vip' } }, order, false],
    [{ tags: { $ne: 'gold' } }, order, true],
    [{ 'items.sku': { $ne: 'A1' } }, order, false],
    [{ a: { $ne: null } }, { a: 0 }, true],
    [{ a: { $ne: null } }, {}, false],
    [{ 'a.b': { $ne: null } }, { a: [{ b: 1 }, {}] }, false],
    [{ 'customer.address': { $ne: { city: 'Lyon', zip: '69001' } } }, order, false],
  ])
})

describe('compileFilter: $gt, $gte, $lt, $lte', () => {
  cases([
    [{ coins: { $gt: 100 } }, order, true],
    [{ coins: { $gt: 150 } }, order, false],
    [{ coins: { $gte: 150 } }, order, true],
    [{ coins: { $lt: 150 } }, order, false],
    [{ coins: { $lte: 150 } }, order, true],
    [{ coins: { $gte: 100.5 } }, { coins: 100.25 }, false],
    // Type brackets: numbers only compare with numbers, strings with strings.
    [{ coins: { $gte: 100 } }, { coins: '150' }, false],
    [{ coins: { $lt: '200' } }, { coins: 150 }, false],
    [{ coins: { $gt: 0 } }, { coins: true }, false],
    [{ coins: { $gt: 0 } }, { coins: null }, false],
    [{ coins: { $lt: 1 } }, {}, false],
    [{ 'customer.tier': { $gte: 'gold' } }, order, true],
    [{ 'customer.tier': { $gt: 'gold' } }, order, false],
    [{ 'customer.tier': { $lt: 'h' } }, order, true],
    [{ 'customer.tier': { $gt: 'G' } }, order, true],
    [{ verified: { $gt: false } }, order, true],
    [{ verified: { $lt: true } }, order, false],
    [{ verified: { $lte: true } }, { verified: false }, true],
    // Arrays: one element is enough.
    [{ 'items.qty': { $gt: 4 } }, order, true],
    [{ 'items.qty': { $gt: 5 } }, order, false],
    [{ scores: { $lt: 0 } }, { scores: [3, -1] }, true],
    // Each operator looks for its own element.
    [{ scores: { $gt: 1, $lt: 5 } }, { scores: [0, 10] }, true],
    [{ scores: { $elemMatch: { $gt: 1, $lt: 5 } } }, { scores: [0, 10] }, false],
  ])

  it('orders strings by code point, as MongoDB does', () => {
    // JavaScript's `<` puts '😀' (a surrogate pair) before '\uFF01'; code points put it after.
    expect(matches({ s: { $gt: '\uFF01' } }, { s: '😀' })).toBe(true)
    expect(matches({ s: { $lt: '😀' } }, { s: '\uFF01' })).toBe(true)
    expect(matches({ s: { $gte: '😀' } }, { s: '😀' })).toBe(true)
    expect(matches({ s: { $lt: '😀' } }, { s: '😀!' })).toBe(false)
    expect(matches({ s: { $gt: 'a' } }, { s: '😀' })).toBe(true)
  })
})

describe('compileFilter: $in and $nin', () => {
  cases([
    [{ 'customer.tier': { $in: ['gold', 'silver'] } }, order, true],
    [{ 'customer.tier': { $in: ['bronze'] } }, order, false],
    [{ 'customer.tier': { $in: [] } }, order, false],
    [{ coins: { $in: ['150', 150] } }, order, true],
    [{ tags: { $in: ['beta', 'x'] } }, order, true],
    [{ tags: { $in: [['vip', 'beta']] } }, order, true],
    [{ 'customer.address': { $in: [{ city: 'Lyon', zip: '69001' }] } }, order, true],
    [{ missing: { $in: [null] } }, order, true],
    [{ missing: { $in: ['x'] } }, order, false],
    [{ 'customer.tier': { $nin: ['bronze'] } }, order, true],
    [{ 'customer.tier': { $nin: ['gold'] } }, order, false],
    [{ tags: { $nin: ['beta'] } }, order, false],
    [{ missing: { $nin: ['x'] } }, order, true],
    [{ missing: { $nin: [null] } }, order, false],
    [{ status: { $nin: [] } }, order, true],
  ])
})

describe('compileFilter: $exists', () => {
  cases([
    [{ status: { $exists: true } }, order, true],
    [{ missing: { $exists: true } }, order, false],
    [{ missing: { $exists: false } }, order, true],
    [{ a: { $exists: true } }, { a: null }, true],
    [{ a: { $exists: true } }, { a: [] }, true],
    [{ 'items.qty': { $exists: true } }, order, true],
    [{ 'a.b': { $exists: true } }, { a: [{}, { b: 1 }] }, true],
    [{ 'a.b': { $exists: false } }, { a: [{}, { b: 1 }] }, false],
    [{ 'a.b': { $exists: false } }, { a: [1, 2] }, true],
    [{ 'tags.0': { $exists: true } }, order, true],
    [{ 'tags.2': { $exists: true } }, order, false],
  ])
})

describe('compileFilter: $regex and $options', () => {
  cases([
    [{ 'customer.tier': { $regex: '^go' } }, order, true],
    [{ 'customer.tier': { $regex: '^GO' } }, order, false],
    [{ 'customer.tier': { $regex: '^GO', $options: 'i' } }, order, true],
    [{ note: { $regex: '^b', $options: 'm' } }, { note: 'a\nb' }, true],
    [{ note: { $regex: 'a.b', $options: 's' } }, { note: 'a\nb' }, true],
    [{ note: { $regex: 'a.b' } }, { note: 'a\nb' }, false],
    [{ note: { $regex: '^\\p{Lu}', $options: 'u' } }, { note: 'Élan' }, true],
    [{ tags: { $regex: 'et' } }, order, true],
    [{ coins: { $regex: '150' } }, order, false],
    [{ missing: { $regex: '' } }, order, false],
    // The flags do not make the expression stateful: the same answer every time.
    [{ tags: { $regex: 'v', $options: 'i' } }, order, true],
  ])

  // Where RE2 reads a pattern differently from JavaScript's RegExp without `u`
  // (docs/filters.md, "Regular expressions").
  describe('RE2 semantics', () => {
    cases([
      // Code points, with or without `u`: an emoji is one character.
      [{ note: { $regex: '^.$' } }, { note: '😀' }, true],
      [{ note: { $regex: '^..$' } }, { note: '😀' }, false],
      [{ note: { $regex: '^[😀]$' } }, { note: '😀' }, true],
      [{ note: { $regex: '^\\x{1F600}$' } }, { note: '😀' }, true],
      // `.` stops at `\n` only.
      [{ note: { $regex: '^a.b$' } }, { note: 'a\rb' }, true],
      [{ note: { $regex: '^a.b$' } }, { note: 'a\u2028b' }, true],
      [{ note: { $regex: '^a.b$' } }, { note: 'a\nb' }, false],
      // `^` and `$` with `m` see `\n` only as a line break.
      [{ note: { $regex: '^b', $options: 'm' } }, { note: 'a\rb' }, false],
      [{ note: { $regex: 'a$', $options: 'm' } }, { note: 'a\r\nb' }, false],
      [{ note: { $regex: 'a$' } }, { note: 'a\n' }, false],
      // `\s` is ASCII whitespace without `\v`; `\d`, `\w`, `\b` are ASCII, as in JavaScript.
      [{ note: { $regex: '\\s' } }, { note: '\u00a0' }, false],
      [{ note: { $regex: '\\s' } }, { note: '\v' }, false],
      [{ note: { $regex: '\\s' } }, { note: 'a\tb' }, true],
      [{ note: { $regex: '\\d' } }, { note: '٣' }, false],
      [{ note: { $regex: '^\\w+$' } }, { note: 'café' }, false],
      [{ note: { $regex: '\\bcaf\\b' } }, { note: 'café' }, true],
      // Unicode case folding with `i`.
      [{ note: { $regex: '^s$', $options: 'i' } }, { note: 'ſ' }, true],
      [{ note: { $regex: '^k$', $options: 'i' } }, { note: '\u212a' }, true],
      [{ note: { $regex: '^é$', $options: 'i' } }, { note: 'É' }, true],
      // `\p{...}` without `u`, and RE2 syntax that JavaScript does not have.
      [{ note: { $regex: '^\\p{Lu}' } }, { note: 'Élan' }, true],
      [{ note: { $regex: '^\\p{Greek}+$' } }, { note: 'αβγ' }, true],
      [{ note: { $regex: '(?i)^élan$' } }, { note: 'ÉLAN' }, true],
      [{ note: { $regex: '\\Aa.c\\z' } }, { note: 'abc' }, true],
      [{ note: { $regex: '\\Q.*\\E' } }, { note: 'a.*b' }, true],
      [{ note: { $regex: '\\Q.*\\E' } }, { note: 'ab' }, false],
      [{ note: { $regex: '^[[:digit:]]+$' } }, { note: '2024' }, true],
      // A lone surrogate in the payload is one character, and matches nothing else.
      [{ note: { $regex: '^a.b$' } }, { note: 'a\uD83Db' }, true],
      [{ note: { $regex: '😀' } }, { note: '\uD83D' }, false],
    ])
  })

  it('gives the same answer on repeated evaluations', () => {
    const predicate = compileFilter(parseFilter({ tags: { $regex: 'v' } }))
    expect([predicate(order), predicate(order), predicate(order)]).toEqual([true, true, true])
  })
})

describe('compileFilter: $size', () => {
  cases([
    [{ tags: { $size: 2 } }, order, true],
    [{ tags: { $size: 1 } }, order, false],
    [{ 'items.tags': { $size: 0 } }, order, true],
    [{ status: { $size: 6 } }, order, false],
    [{ missing: { $size: 0 } }, order, false],
    // The array itself, not its elements: nested arrays are not searched.
    [{ a: { $size: 2 } }, { a: [[1, 2]] }, false],
    [{ a: { $size: 1 } }, { a: [[1, 2]] }, true],
  ])
})

describe('compileFilter: $all', () => {
  cases([
    [{ tags: { $all: ['beta', 'vip'] } }, order, true],
    [{ tags: { $all: ['vip', 'gold'] } }, order, false],
    [{ tags: { $all: ['vip'] } }, order, true],
    [{ 'customer.tier': { $all: ['gold'] } }, order, true],
    [{ 'items.sku': { $all: ['A1', 'B2'] } }, order, true],
    [{ tags: { $all: [['vip', 'beta']] } }, order, true],
    [{ items: { $all: [{ sku: 'A1', qty: 2, tags: ['red'] }] } }, order, true],
    [{ items: { $all: [{ sku: 'A1' }] } }, order, false],
    // MongoDB: an empty $all matches nothing.
    [{ tags: { $all: [] } }, order, false],
    [{ items: { $all: [{ $elemMatch: { qty: { $gt: 4 } } }, { $elemMatch: { sku: 'A1' } }] } }, order, true],
    [{ items: { $all: [{ $elemMatch: { qty: { $gt: 4 } } }, { $elemMatch: { sku: 'C3' } }] } }, order, false],
  ])
})

describe('compileFilter: $elemMatch', () => {
  cases([
    // Over fields: one element must satisfy every condition.
    [{ items: { $elemMatch: { sku: 'A1', qty: 2 } } }, order, true],
    [{ items: { $elemMatch: { sku: 'A1', qty: 5 } } }, order, false],
    [{ 'items.sku': 'A1', 'items.qty': 5 }, order, true],
    [{ items: { $elemMatch: { qty: { $gte: 5 }, tags: { $size: 0 } } } }, order, true],
    [{ items: { $elemMatch: { $or: [{ sku: 'Z' }, { qty: 5 }] } } }, order, true],
    [{ items: { $elemMatch: {} } }, order, true],
    // Only elements that are objects are tried.
    [{ a: { $elemMatch: {} } }, { a: [1, 'x'] }, false],
    [{ a: { $elemMatch: { b: null } } }, { a: [1, null] }, false],
    [{ a: { $elemMatch: { b: null } } }, { a: [1, {}] }, true],
    [{ a: { $elemMatch: { b: { $exists: false } } } }, { a: [1] }, false],
    // Over values: operators apply to each element as it is.
    [{ tags: { $elemMatch: { $regex: '^b', $ne: 'beta' } } }, order, false],
    [{ tags: { $elemMatch: { $in: ['x', 'beta'] } } }, order, true],
    [{ scores: { $elemMatch: { $gte: 80, $lt: 85 } } }, { scores: [70, 82, 90] }, true],
    [{ scores: { $elemMatch: { $not: { $gte: 50 } } } }, { scores: [70, 82, 90] }, false],
    [{ a: { $elemMatch: { $eq: null } } }, { a: [1, null] }, true],
    [{ a: { $elemMatch: { $ne: null } } }, { a: [null] }, false],
    // Only arrays match, and nested arrays are not searched.
    [{ status: { $elemMatch: { $eq: 'active' } } }, order, false],
    [{ 'customer.address': { $elemMatch: { city: 'Lyon' } } }, order, false],
    [{ a: { $elemMatch: { $gt: 1 } } }, { a: [[1, 2]] }, false],
    [{ 'items.tags': { $elemMatch: { $eq: 'red' } } }, order, true],
  ])
})

describe('compileFilter: $not', () => {
  cases([
    [{ coins: { $not: { $gt: 200 } } }, order, true],
    [{ coins: { $not: { $gt: 100 } } }, order, false],
    [{ missing: { $not: { $gt: 100 } } }, order, true],
    [{ coins: { $not: { $gt: 100, $lt: 120 } } }, order, true],
    [{ 'items.qty': { $not: { $gt: 4 } } }, order, false],
    [{ 'customer.tier': { $not: '^g' } }, order, false],
    [{ 'customer.tier': { $not: '^s' } }, order, true],
    [{ 'customer.tier': { $not: { $regex: '^G', $options: 'i' } } }, order, false],
    [{ tags: { $not: { $size: 3 } } }, order, true],
    [{ coins: { $not: { $not: { $gt: 100 } } } }, order, true],
  ])
})

describe('compileFilter: $and, $or, $nor', () => {
  cases([
    [{ $and: [{ status: 'active' }, { coins: { $gt: 100 } }] }, order, true],
    [{ $and: [{ status: 'active' }, { coins: { $gt: 200 } }] }, order, false],
    [{ $or: [{ status: 'paused' }, { coins: { $gt: 100 } }] }, order, true],
    [{ $or: [{ status: 'paused' }, { coins: { $gt: 200 } }] }, order, false],
    [{ $nor: [{ status: 'paused' }, { coins: { $gt: 200 } }] }, order, true],
    [{ $nor: [{ status: 'active' }] }, order, false],
    [{ $or: [{}] }, order, true],
    [{ $nor: [{}] }, order, false],
    [{ status: 'active', $or: [{ 'customer.tier': 'gold' }, { verified: false }] }, order, true],
    [{ $and: [{ $or: [{ a: 1 }, { b: 1 }] }, { $nor: [{ c: 1 }] }] }, { b: 1, c: 2 }, true],
  ])
})

describe('compileFilter: fused closures for the common shapes', () => {
  const paths = ['a', 'a.b', 'customer.tier']
  const fast: readonly { fast: FastTest; test: ReturnType<typeof equalsTest> }[] = [
    { fast: { kind: 'equals', literal: 'x' }, test: equalsTest('x') },
    { fast: { kind: 'equals', literal: 1 }, test: equalsTest(1) },
    { fast: { kind: 'in', values: new Set(['x', 1, true]) }, test: inTest(['x', 1, true]) },
    { fast: { kind: 'range', range: rangeOf('$gte', 1) }, test: comparisonTest('$gte', 1) },
    { fast: { kind: 'range', range: rangeOf('$gt', 1) }, test: comparisonTest('$gt', 1) },
    { fast: { kind: 'range', range: rangeOf('$lt', 1) }, test: comparisonTest('$lt', 1) },
    { fast: { kind: 'range', range: rangeOf('$lte', 1) }, test: comparisonTest('$lte', 1) },
  ]
  const leaf = fc.oneof(
    fc.constantFrom('x', 'y', 0, 1, 2, true, false, null),
    fc.array(fc.constantFrom('x', 1, 2, null)),
  )
  const value = fc.oneof(leaf, fc.record({ b: leaf, tier: leaf }, { requiredKeys: [] }))
  const document = fc.oneof(
    fc.record(
      { a: fc.oneof(value, fc.array(value, { maxLength: 3 })), customer: value },
      { requiredKeys: [] },
    ),
    leaf,
  )

  it('agree with the general path walk on every payload', () => {
    for (const path of paths) {
      for (const { fast: spec, test } of fast) {
        const general = compilePath(path, test, true)
        const fused = compileFastPath(path, spec, general)
        expect(fused).toBeTypeOf('function')
        fc.assert(
          fc.property(document, (payload) => {
            expect(fused!(payload)).toBe(general(payload))
          }),
          { seed: 11, numRuns: 300 },
        )
      }
    }
  })

  it('negated ($ne, $nin), agree with the negated general path walk', () => {
    for (const path of paths) {
      for (const { fast: spec, test } of fast) {
        const general = compilePath(path, test, true)
        const fused = compileFastPath(path, spec, general, true)
        fc.assert(
          fc.property(document, (payload) => {
            expect(fused!(payload)).toBe(!general(payload))
          }),
          { seed: 12, numRuns: 300 },
        )
      }
    }
  })

  it('merge comparisons on one path into one range, and still search arrays per comparison', () => {
    const bounds = fc.constantFrom(0, 1, 2)
    const operator = fc.constantFrom('$gt', '$gte', '$lt', '$lte')
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(operator, bounds), { minLength: 2, maxLength: 4, selector: ([op]) => op }),
        document,
        (comparisons, payload) => {
          const operators = Object.fromEntries(comparisons)
          const separate = comparisons.map(([op, operand]) =>
            compilePath('a', comparisonTest(op, operand), true),
          )
          const expected = separate.every((predicate) => predicate(payload))
          expect(compileFilter(parseFilter({ a: operators }))(payload)).toBe(expected)
        },
      ),
      { seed: 13, numRuns: 500 },
    )
    // Each comparison finds its own element, as in MongoDB.
    expect(compileFilter(parseFilter({ coins: { $gte: 100, $lte: 200 } }))({ coins: [50, 300] })).toBe(true)
    expect(compileFilter(parseFilter({ coins: { $gte: 100, $lte: 200 } }))({ coins: 300 })).toBe(false)
    expect(compileFilter(parseFilter({ coins: { $gt: 1, $gte: 1 } }))({ coins: 1 })).toBe(false)
    expect(compileFilter(parseFilter({ coins: { $lt: 1, $lte: 1 } }))({ coins: 1 })).toBe(false)
  })

  it('are not used for paths with built-in or numeric names, or longer than two keys', () => {
    const general = compilePath('a', equalsTest('x'), true)
    for (const path of ['constructor', 'a.length', 'items.0', 'a.b.c']) {
      expect(compileFastPath(path, { kind: 'equals', literal: 'x' }, general)).toBeUndefined()
    }
  })
})

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner)
    Object.freeze(value)
  }
  return value
}
