import fc from 'fast-check'
import sift from 'sift'
import { describe, expect, it } from 'vitest'
import { compileFilter } from '../../src/filters/compile-filter.js'
import type { Filter, FilterValue } from '../../src/filters/filter.js'
import { parseFilter } from '../../src/filters/parse-filter.js'
import { envInt } from '../support/escaped-errors.js'

/*
 * compileFilter must agree with sift, a widely used MongoDB query engine for JavaScript, on
 * random filters and loyalty-like payloads. Where sift departs from MongoDB the generators
 * stay away from the corner, each time with the reason (docs/filters.md, "Differences from
 * sift"); everything else is compared as is.
 *
 * - No array directly inside an array, in payloads or literals: sift searches nested arrays
 *   (`{ a: 1 }` matches `{ a: [[1]] }`, `$size` and `$elemMatch` look inside them), MongoDB
 *   does not.
 * - Arrays that a path goes through (`customer`, `items`, `history` in `items.sku`...) are
 *   never empty: MongoDB >= 9.0 reads `items.sku` on `items: []` as missing, so it equals
 *   `null`; sift finds nothing there. Arrays only found at the end of a path (`tags`) may be
 *   empty. For the same reason positional paths (`items.0`) only index non-empty arrays.
 * - `$all` holds one to three scalars: sift matches everything with `$all: []` (MongoDB
 *   nothing) and reads objects inside `$all` as sub-queries instead of values.
 * - `$elemMatch` over fields (`{ sku: 'gold' }`) is only applied to `customer` and `items`,
 *   whose arrays hold objects only: MongoDB skips elements that are not objects, sift tests
 *   them as documents with no fields (so `{ sku: null }` matches the element `5`).
 * - Field names avoid `length`, numeric names other than the `items.0` index, and names from
 *   Object.prototype, and `items` is never a string: sift reads `'abc'.length`, `'abc'[0]`
 *   (so `items.0` on `'gold'` is `'g'`) and inherited properties.
 * - Strings are ASCII: sift orders strings by UTF-16 code unit, MongoDB (and we) by code point.
 * - `$not: 'pattern'` is our JSON spelling of MongoDB's `$not: /pattern/`; sift reads a string
 *   there as a value to compare, so it gets the RegExp instead (see toSift).
 * - Patterns stay within what RE2 accepts (no lookaround, no backreferences) and where it reads
 *   them as JavaScript's RegExp, which sift uses, does: ASCII strings without line breaks, so
 *   that `.`, `\s`, `^`/`$` with `m` and case folding agree (docs/filters.md, "Regular
 *   expressions").
 */

// sift is CommonJS whose typings declare an ES default export: under NodeNext, TypeScript types
// the default import as the module object, whose `default` is the same function at runtime.
const siftTester = sift.default

// FILTER_DIFF_RUNS (default 500; `npm run test:stress` runs 5000) filters per property.
// FILTER_DIFF_RUNS=20000 FILTER_DIFF_SEED=<n> npx vitest run test/filters/filter-differential.test.ts
// compares more (or other) filters locally, e.g. after a change to the compiler.
const SEED = Number(process.env.FILTER_DIFF_SEED ?? 20_240_611)
const RUNS = envInt('FILTER_DIFF_RUNS', 500)
/** A deadline that grows with the size (20,000 runs take minutes), never asserted on. */
const TIMEOUT_MS = 20_000 + RUNS * 20

type Json = FilterValue

// Small domains, so that payloads often hold exactly a filter's operand.
const word = fc.constantFrom('gold', 'silver', 'Gold', 'active', '', 'a', '10', '9', 'x y')
const number = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(0, 10, 99.5, 100) },
  { weight: 1, arbitrary: fc.integer({ min: -3, max: 300 }) },
)
const scalar: fc.Arbitrary<Json> = fc.oneof(word, number, fc.boolean(), fc.constant(null))
// Any key may be missing. fc.record also builds some objects without a prototype, on purpose.
const optional = { requiredKeys: [] as never[] }

// Arrays found only at the end of a path: they may be empty.
const tags = fc.array(word, { maxLength: 3 })
const address = fc.record({ city: fc.oneof(word, scalar), zip: fc.oneof(word, number) }, optional)
const customer = fc.record(
  {
    tier: fc.oneof(word, scalar),
    country: word,
    tags: fc.oneof(tags, scalar),
    address: fc.oneof(address, scalar),
  },
  optional,
)
const item = fc.record(
  { sku: fc.oneof(word, scalar), qty: fc.oneof(number, scalar), tags: fc.oneof(tags, scalar) },
  optional,
)
const entry = fc.record({ kind: fc.oneof(word, scalar), amount: fc.oneof(number, scalar) }, optional)
// Arrays that paths go through: never empty (see above).
const crossed = <T>(arbitrary: fc.Arbitrary<T>) => fc.array(arbitrary, { minLength: 1, maxLength: 3 })

const payload = fc.record(
  {
    status: fc.oneof(word, scalar),
    coins: fc.oneof(number, scalar),
    tier: scalar,
    verified: fc.oneof(fc.boolean(), scalar),
    tags: fc.oneof(tags, scalar),
    customer: fc.oneof(customer, crossed(customer), scalar),
    // Never a string: sift reads `items.0` on `'gold'` as `'g'`.
    items: fc.oneof(crossed(item), item, number, fc.boolean(), fc.constant(null)),
    // Mixed objects and scalars: paths through it meet elements that are not objects.
    history: fc.oneof(crossed(fc.oneof(entry, scalar)), scalar),
  },
  optional,
)

const literal: fc.Arbitrary<Json> = fc.oneof(
  { weight: 8, arbitrary: scalar },
  { weight: 1, arbitrary: tags },
  { weight: 1, arbitrary: item },
  { weight: 1, arbitrary: address },
)
const comparable = fc.oneof(number, word, fc.boolean())
const pattern = fc.constantFrom(
  '^g',
  'ld$',
  'o',
  '^$',
  'L',
  '[0-9]',
  '^(gold|silver)$',
  'a|b',
  '^.$',
  'x y',
  '^\\d+$',
  '^\\w+$',
  '\\bx\\b',
  'x\\sy',
  '^[^a-f]',
  'l{1,2}',
  '(?:il|o)(?:ve|l)',
  '^(a+)+$',
)
const flags = fc.constantFrom(undefined, 'i', 'm', 's', 'u', 'im')

const PATHS = [
  'status',
  'coins',
  'tier',
  'verified',
  'tags',
  'customer',
  'customer.tier',
  'customer.tags',
  'customer.address',
  'customer.address.city',
  'items',
  'items.sku',
  'items.qty',
  'items.tags',
  'items.0',
  'items.0.sku',
  'history',
  'history.kind',
  'history.amount',
  'absent',
  'absent.deeper',
] as const
/** Paths whose arrays hold objects only, where `$elemMatch` over fields is compared. */
const DOCUMENT_ARRAYS: Readonly<Record<string, readonly string[]>> = {
  customer: ['tier', 'country', 'tags', 'address.city'],
  items: ['sku', 'qty', 'tags'],
}

type Entry = readonly [string, Json]

const NUMERIC_PATHS: ReadonlySet<string> = new Set(['coins', 'items.qty', 'history.amount', 'qty'])
/** Mostly values of the kind `path` holds, so that comparisons and equalities are often decisive. */
function operandFor(path: string, any: fc.Arbitrary<Json>): fc.Arbitrary<Json> {
  const typical = NUMERIC_PATHS.has(path) ? number : path === 'verified' ? fc.boolean() : word
  return fc.oneof({ weight: 3, arbitrary: typical }, { weight: 2, arbitrary: any })
}

/** One operator of an operator object, possibly two keys (`$regex` with `$options`). */
function operatorEntries(path: string, depth: number): fc.Arbitrary<readonly Entry[]> {
  const one = (weight: number, arbitrary: fc.Arbitrary<Entry>) => ({
    weight,
    arbitrary: arbitrary.map((pair): readonly Entry[] => [pair]),
  })
  const choices: fc.WeightedArbitrary<readonly Entry[]>[] = [
    one(3, fc.tuple(fc.constantFrom('$eq', '$ne'), operandFor(path, literal))),
    one(4, fc.tuple(fc.constantFrom('$gt', '$gte', '$lt', '$lte'), operandFor(path, comparable))),
    one(3, fc.tuple(fc.constantFrom('$in', '$nin'), fc.array(operandFor(path, literal), { maxLength: 4 }))),
    one(1, fc.tuple(fc.constant('$exists'), fc.boolean())),
    one(1, fc.tuple(fc.constant('$size'), fc.nat(3))),
    one(1, fc.tuple(fc.constant('$all'), fc.array(scalar, { minLength: 1, maxLength: 3 }))),
    {
      weight: 2,
      arbitrary: fc.tuple(pattern, flags).map(([source, options]): readonly Entry[] =>
        options === undefined
          ? [['$regex', source]]
          : [
              ['$regex', source],
              ['$options', options],
            ],
      ),
    },
    one(1, fc.tuple(fc.constant('$not'), pattern)),
  ]
  if (depth > 0) {
    choices.push(
      one(1, fc.tuple(fc.constant('$not'), operatorObject(path, depth - 1))),
      one(1, fc.tuple(fc.constant('$elemMatch'), operatorObject(path, depth - 1))),
    )
    const fields = DOCUMENT_ARRAYS[path]
    if (fields !== undefined) {
      const elemMatch = fieldFilter(fields, depth - 1)
      choices.push(
        one(2, fc.tuple(fc.constant('$elemMatch'), elemMatch)),
        one(
          1,
          fc.tuple(
            fc.constant('$all'),
            fc.array(
              elemMatch.map((filter) => ({ $elemMatch: filter })),
              { minLength: 1, maxLength: 2 },
            ),
          ),
        ),
      )
    }
  }
  return fc.oneof(...choices)
}

/** `{ $gt: 1, $lt: 5 }`: one or two distinct operators. */
function operatorObject(path: string, depth: number): fc.Arbitrary<Json> {
  return fc
    .uniqueArray(operatorEntries(path, depth), {
      minLength: 1,
      maxLength: 2,
      selector: (entries) => entries[0]![0],
    })
    .map((groups) => Object.fromEntries(groups.flat()))
}

/** A filter over `fields`: up to two conditions (literals or operator objects), maybe a logical operator. */
function fieldFilter(fields: readonly string[], depth: number): fc.Arbitrary<Json> {
  const condition = (field: string) =>
    fc.oneof(
      { weight: 1, arbitrary: operandFor(field, literal) },
      { weight: 2, arbitrary: operatorObject(field, depth) },
    )
  const conditions = fc
    .uniqueArray(fc.constantFrom(...fields), { maxLength: 2 })
    .chain((names) => fc.tuple(...names.map((name) => condition(name).map((value): Entry => [name, value]))))
  const none: fc.Arbitrary<readonly Entry[]> = fc.constant([])
  const logical: fc.Arbitrary<readonly Entry[]> =
    depth > 0
      ? fc.oneof(
          { weight: 2, arbitrary: none },
          {
            weight: 1,
            arbitrary: fc
              .tuple(
                fc.constantFrom('$and', '$or', '$nor'),
                fc.array(fieldFilter(fields, depth - 1), { minLength: 1, maxLength: 3 }),
              )
              .map((pair): readonly Entry[] => [pair]),
          },
        )
      : none
  return fc.tuple(conditions, logical).map(([pairs, extra]) => Object.fromEntries([...pairs, ...extra]))
}

// `{}` is covered once in compile-filter.test.ts; here it would only dilute the runs.
const filter = fieldFilter(PATHS, 2).filter(
  (value) => Object.keys(value as Filter).length > 0,
) as fc.Arbitrary<Filter>

/**
 * Flat filters of the most common shape (`{ coins: { $gte: 100 }, 'customer.tier': 'gold' }`),
 * which compileFilter fuses into dedicated closures: the random filters above rarely put
 * exactly the payload's value on both sides of `$gte` at the same path.
 */
const SCALAR_PATHS = [
  'status',
  'coins',
  'verified',
  'customer.tier',
  'items.qty',
  'items.sku',
  'history.amount',
  'tags',
]
const flatFilter = fc
  .uniqueArray(fc.constantFrom(...SCALAR_PATHS), { minLength: 1, maxLength: 2 })
  .chain((paths) =>
    fc.tuple(
      ...paths.map((path) =>
        fc
          .oneof(
            operandFor(path, scalar),
            fc
              .tuple(
                fc.constantFrom('$eq', '$ne', '$gt', '$gte', '$lt', '$lte'),
                operandFor(path, comparable),
              )
              .map(([operator, operand]) => ({ [operator]: operand })),
            // Two bounds on one path, which compileFilter merges into one range test.
            fc
              .tuple(
                fc.constantFrom('$gt', '$gte'),
                operandFor(path, comparable),
                fc.constantFrom('$lt', '$lte'),
                operandFor(path, comparable),
              )
              .map(([low, lowOperand, high, highOperand]) => ({ [low]: lowOperand, [high]: highOperand })),
            fc
              .tuple(fc.constantFrom('$in', '$nin'), fc.array(operandFor(path, scalar), { maxLength: 3 }))
              .map(([operator, operand]) => ({ [operator]: operand })),
          )
          .map((condition): Entry => [path, condition]),
      ),
    ),
  )
  .map((entries) => Object.fromEntries(entries) as Filter)

/** The same filter for sift: our `$not: 'pattern'` is its `$not: /pattern/`. */
function toSift(value: Json): unknown {
  if (Array.isArray(value)) return value.map(toSift)
  if (typeof value !== 'object' || value === null) return value
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      key === '$not' && typeof inner === 'string' ? new RegExp(inner) : toSift(inner),
    ]),
  )
}

/** Runs `filters` against sift on several payloads each; returns the share of matches. */
function compareWithSift(filters: fc.Arbitrary<Filter>, runs: number): number {
  let matches = 0
  let evaluations = 0
  fc.assert(
    fc.property(filters, fc.array(payload, { minLength: 1, maxLength: 8 }), (generated, payloads) => {
      const ours = compileFilter(parseFilter(generated))
      const theirs = siftTester<unknown>(toSift(generated))
      for (const event of payloads) {
        const expected = theirs(event)
        expect({ filter: generated, payload: event, matches: ours(event) }).toEqual({
          filter: generated,
          payload: event,
          matches: expected,
        })
        evaluations++
        if (expected) matches++
      }
    }),
    { seed: SEED, numRuns: runs },
  )
  return matches / evaluations
}

describe('compileFilter against sift', () => {
  it(
    `agrees on ${RUNS} random filters, each with several payloads`,
    () => {
      const share = compareWithSift(filter, RUNS)
      // Guard against a vacuous comparison: both outcomes must be common.
      expect(share).toBeGreaterThan(0.1)
      expect(share).toBeLessThan(0.9)
    },
    TIMEOUT_MS,
  )

  it(
    `agrees on ${RUNS} flat filters of the common, fused shape`,
    () => {
      const share = compareWithSift(flatFilter, RUNS)
      expect(share).toBeGreaterThan(0.1)
      expect(share).toBeLessThan(0.9)
    },
    TIMEOUT_MS,
  )
})
