import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { checkFilterAgainstSchema } from '../../src/catalog/check-filter-against-schema.js'
import { isEventRouterError } from '../../src/errors/event-router-error.js'
import { InvalidFilterError } from '../../src/errors/invalid-filter-error.js'
import type { Filter } from '../../src/filters/filter.js'
import { parseFilter } from '../../src/filters/parse-filter.js'
import { filterIssues, shopSchema, thrown } from './fixtures.js'

const EVENT = 'shop.order'
const check =
  (filter: Filter, schema: z.ZodType = shopSchema) =>
  () =>
    checkFilterAgainstSchema(parseFilter(filter), schema, EVENT)

describe('checkFilterAgainstSchema', () => {
  it.each<[string, Filter]>([
    ['the empty filter', {}],
    [
      'equality with each kind',
      { coins: 5, total: 9.99, status: 'paid', vip: true, 'customer.tier': 'Gold' },
    ],
    [
      'operators of the right types',
      { coins: { $gte: 100, $lt: 500 }, note: { $regex: '^gift', $options: 'i' } },
    ],
    [
      'null and $exists on any field',
      { note: null, paidAt: { $ne: null }, 'customer.address': { $exists: false } },
    ],
    ['dates compared with ISO strings', { paidAt: { $gte: '2025-01-01', $lt: '2025-02-01T00:00:00Z' } }],
    ['a date compared with a year or a month', { birthday: { $gte: '1990', $lt: '1990-07' } }],
    ['enum values', { status: { $in: ['paid', 'refunded'] }, channels: 'sms' }],
    ['paths through arrays', { 'items.sku': 'A1', 'items.qty': { $gt: 1 }, 'items.0.price': { $lt: 10 } }],
    ['conditions on array elements', { tags: 'vip', scores: { $gt: 90 }, 'tags.0': { $regex: '^v' } }],
    ['whole-array equality', { tags: ['vip', 'beta'], scores: { $eq: [1, 2] } }],
    ['array operators', { tags: { $all: ['vip'], $size: 2 }, items: { $size: 0 } }],
    [
      '$elemMatch over fields',
      { items: { $elemMatch: { sku: 'A1', qty: { $gte: 2 }, $or: [{ price: 1 }] } } },
    ],
    ['$elemMatch over values', { scores: { $elemMatch: { $gte: 80, $lt: 90 } } }],
    ['$all of $elemMatch', { items: { $all: [{ $elemMatch: { sku: 'A1' } }, { $elemMatch: { qty: 2 } }] } }],
    ['$not', { coins: { $not: { $gt: 1000 } }, note: { $not: '^test' } }],
    ['logical operators, nested', { $and: [{ $or: [{ coins: 1 }, { $nor: [{ vip: false }] }] }] }],
    ['an object compared as is', { 'customer.address': { city: 'Lyon', zip: '69001' } }],
    ['free keys of a map', { 'metadata.campaign': 'spring', 'metadata.count': { $gt: 1 } }],
    ['a key of a record that looks like a position', { 'metadata.0': 'x' }],
  ])('accepts %s', (_, filter) => {
    expect(check(filter)).not.toThrow()
  })

  describe('unknown fields', () => {
    it('names the field and suggests the closest one', () => {
      expect(filterIssues(check({ 'customer.teir': 'Gold' }))).toEqual([
        'filter.customer.teir: `customer.teir` is not a field of `shop.order`; did you mean `customer.tier`?',
      ])
    })

    it('suggests the full path of a field written without its parent', () => {
      expect(filterIssues(check({ tier: 'Gold' }))).toEqual([
        'filter.tier: `tier` is not a field of `shop.order`; did you mean `customer.tier`?',
      ])
    })

    it('suggests nothing when nothing is close', () => {
      expect(filterIssues(check({ shippingCountry: 'FR' }))).toEqual([
        'filter.shippingCountry: `shippingCountry` is not a field of `shop.order`',
      ])
    })

    it('suggests a sibling of the unknown component, keeping the rest of the path', () => {
      expect(filterIssues(check({ 'customer.adress.city': 'Lyon', 'items.skus': 'A1' }))).toEqual([
        'filter.customer.adress.city: `customer.adress.city` is not a field of `shop.order`; did you mean `customer.address.city`?',
        'filter.items.skus: `items.skus` is not a field of `shop.order`; did you mean `items.sku`?',
      ])
    })

    it('explains a path that continues below a value without fields', () => {
      expect(filterIssues(check({ 'status.code': 1, 'tags.name': 'x', 'metadata.campaign.id': 1 }))).toEqual([
        'filter.status.code: `status.code` is not a field of `shop.order`: `status` is one of `pending`, `paid`, `refunded`',
        'filter.tags.name: `tags.name` is not a field of `shop.order`: `tags` is an array of strings',
        'filter.metadata.campaign.id: `metadata.campaign.id` is not a field of `shop.order`: `metadata.campaign` is a string or a number',
      ])
    })

    it('finds them in every logical branch and inside $elemMatch', () => {
      expect(
        filterIssues(
          check({
            $or: [{ coin: 1 }, { $and: [{ $nor: [{ 'items.skus': 'x' }] }] }],
            items: { $elemMatch: { skuu: 'A1' } },
          }),
        ),
      ).toEqual([
        'filter.$or.0.coin: `coin` is not a field of `shop.order`; did you mean `coins`?',
        'filter.$or.1.$and.0.$nor.0.items.skus: `items.skus` is not a field of `shop.order`; did you mean `items.sku`?',
        'filter.items.$elemMatch.skuu: `skuu` is not a field of the elements of `items` in `shop.order`; did you mean `sku`?',
      ])
    })

    it('rejects a field of an object compared as is that the object cannot have', () => {
      expect(filterIssues(check({ 'customer.address': { city: 'Lyon', country: 'FR' } }))).toEqual([
        'filter.customer.address: `customer.address` is an object, so comparing it with object never matches',
      ])
    })
  })

  describe('operands of the wrong type', () => {
    it.each<[string, Filter, string]>([
      [
        'implicit equality',
        { coins: '100' },
        'filter.coins: `coins` is an integer, so comparing it with string "100" never matches',
      ],
      [
        '$eq',
        { vip: { $eq: 'yes' } },
        'filter.vip.$eq: `vip` is a boolean, so `$eq` with string "yes" never matches',
      ],
      [
        '$ne',
        { total: { $ne: false } },
        'filter.total.$ne: `total` is a number, so `$ne` with boolean never matches',
      ],
      [
        'a fraction for an integer',
        { coins: 1.5 },
        'filter.coins: `coins` is an integer, so comparing it with number 1.5 never matches',
      ],
      [
        '$gt',
        { coins: { $gt: '100' } },
        'filter.coins.$gt: `coins` is an integer, so `$gt` with string "100" never matches',
      ],
      [
        '$lte on a string',
        { note: { $lte: 5 } },
        'filter.note.$lte: `note` is a string, so `$lte` with number 5 never matches',
      ],
      [
        '$gte with a non-ISO date',
        { paidAt: { $gte: 'yesterday' } },
        'filter.paidAt.$gte: `paidAt` is an ISO 8601 date-time string, so `$gte` needs an ISO 8601 date or date-time such as "2025-01-31" or "2025-01-31T09:30:00Z", got string "yesterday"',
      ],
      [
        '$lt on a date with a number',
        { paidAt: { $lt: 1735689600 } },
        'filter.paidAt.$lt: `paidAt` is an ISO 8601 date-time string, so `$lt` with number 1735689600 never matches',
      ],
      [
        '$in',
        { coins: { $in: [1, 'two', null] } },
        'filter.coins.$in.1: `coins` is an integer, so `$in` with string "two" never matches',
      ],
      [
        '$nin',
        { vip: { $nin: [0] } },
        'filter.vip.$nin.0: `vip` is a boolean, so `$nin` with number 0 never matches',
      ],
      [
        '$regex on a number',
        { coins: { $regex: '^1' } },
        'filter.coins.$regex: `$regex` matches strings only, and `coins` is an integer',
      ],
      [
        '$not with a pattern on a boolean',
        { vip: { $not: '^t' } },
        'filter.vip.$not: `$not` matches strings only, and `vip` is a boolean',
      ],
      [
        '$regex on an array of numbers',
        { scores: { $regex: '9' } },
        'filter.scores.$regex: `$regex` matches strings only, and `scores` is an array of integers',
      ],
      [
        '$size on a string',
        { note: { $size: 2 } },
        'filter.note.$size: `$size` counts the elements of an array, and `note` is a string',
      ],
      [
        '$all on a string',
        { note: { $all: ['a'] } },
        'filter.note.$all: `$all` tests the elements of an array, and `note` is a string; use `$in` or equality',
      ],
      [
        '$all with a wrong element',
        { scores: { $all: [1, 'x'] } },
        'filter.scores.$all.1: `scores` is an array of integers, so `$all` with string "x" never matches',
      ],
      [
        '$elemMatch on a number',
        { coins: { $elemMatch: { $gt: 1 } } },
        'filter.coins.$elemMatch: `$elemMatch` tests the elements of an array, and `coins` is an integer',
      ],
      [
        '$elemMatch with fields over strings',
        { tags: { $elemMatch: { name: 'vip' } } },
        'filter.tags.$elemMatch: each element of `tags` is a string, so it has no fields; apply operators to the elements instead, as in { "$elemMatch": { "$gte": 1 } }',
      ],
      [
        '$elemMatch operators on elements',
        { scores: { $elemMatch: { $gte: 'a' } } },
        'filter.scores.$elemMatch.$gte: each element of `scores` is an integer, so `$gte` with string "a" never matches',
      ],
      [
        'inside $not',
        { coins: { $not: { $lt: '5' } } },
        'filter.coins.$not.$lt: `coins` is an integer, so `$lt` with string "5" never matches',
      ],
      [
        'a whole array of the wrong elements',
        { tags: [1, 2] },
        'filter.tags: `tags` is an array of strings, so comparing it with array never matches',
      ],
      [
        'a path through an array',
        { 'items.qty': 'two' },
        'filter.items.qty: `items.qty` is an integer, so comparing it with string "two" never matches',
      ],
      [
        'a position in an array',
        { 'items.0.sku': 7 },
        'filter.items.0.sku: `items.0.sku` is a string, so comparing it with number 7 never matches',
      ],
    ])('%s', (_, filter, issue) => {
      expect(filterIssues(check(filter))).toEqual([issue])
    })
  })

  describe('enums', () => {
    it('rejects values outside the enum, with a suggestion', () => {
      expect(filterIssues(check({ status: 'payed', channels: { $in: ['email', 'push'] } }))).toEqual([
        'filter.status: `status` is one of `pending`, `paid`, `refunded`, so comparing it with string "payed" never matches; did you mean `paid`?',
        'filter.channels.$in.1: `channels` is an array of `email`, `sms` values, so `$in` with string "push" never matches',
      ])
    })

    it('allows comparisons and patterns on enum fields', () => {
      expect(check({ status: { $gte: 'p', $regex: '^p' } })).not.toThrow()
    })
  })

  it('throws one InvalidFilterError listing every problem, with the operator of the first', () => {
    const error = thrown<InvalidFilterError>(check({ coins: { $regex: 'x' }, 'customer.teir': 1, vip: 2 }))
    expect(error).toBeInstanceOf(InvalidFilterError)
    expect(isEventRouterError(error, 'ERR_INVALID_FILTER')).toBe(true)
    expect(error.field).toBe('filter.coins.$regex')
    expect(error.operator).toBe('$regex')
    expect(error.issues.map((issue) => issue.path)).toEqual([
      'filter.coins.$regex',
      'filter.customer.teir',
      'filter.vip',
    ])
    expect(error.message).toMatch(/^Invalid filter: filter\.coins\.\$regex: /)
  })

  it('starts issue paths at `field`', () => {
    const error = thrown(() =>
      checkFilterAgainstSchema({ coinz: 1 }, shopSchema, EVENT, 'subscriptions.3.filter'),
    )
    expect(error.field).toBe('subscriptions.3.filter.coinz')
  })

  it('checks nothing below fields of any type, loose objects’ extra keys, or recursive schemas', () => {
    interface Node {
      name: string
      children: Node[]
    }
    const node: z.ZodType<Node> = z.lazy(() => z.strictObject({ name: z.string(), children: z.array(node) }))
    const schema = z.strictObject({
      anything: z.unknown(),
      parsed: z.string().transform(Number),
      loose: z.looseObject({ known: z.boolean() }),
      tree: node,
    })
    expect(
      check(
        {
          'anything.a.b': { $regex: 'x' },
          parsed: { $gt: 1 },
          'loose.extra': 1,
          'tree.children.children.name': 'x',
        },
        schema,
      ),
    ).not.toThrow()
    expect(filterIssues(check({ 'loose.known': 'yes', 'tree.children.nam': 'x' }, schema))).toEqual([
      'filter.loose.known: `loose.known` is a boolean, so comparing it with string "yes" never matches',
      'filter.tree.children.nam: `tree.children.nam` is not a field of `shop.order`; did you mean `tree.children.name`?',
    ])
  })
})
