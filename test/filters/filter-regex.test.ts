import { describe, expect, it } from 'vitest'
import { type Filter, InvalidFilterError } from '../../src/index.js'
import { useRouters } from './routers.js'

/*
 * Issue 10: `$regex` and `$not` patterns come from merchants' dashboards. They run on RE2
 * (re2js), whose matching time is linear in the input, and what RE2 cannot run is refused when
 * the subscription is saved.
 */

const createRouter = useRouters()

/** A router with one subscription to `x` filtered by `filter`; `matches` emits and tells. */
function subscribed(filter: Filter) {
  const router = createRouter()
  const subscription = router.subscriptions.create({ event: 'x', integrationId: 'crm', filter })
  const matches = (payload: Record<string, unknown>) => router.emit('x', payload).deliveries.length === 1
  return { router, subscription, matches }
}

function thrown(action: () => unknown): InvalidFilterError {
  try {
    action()
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidFilterError)
    return error as InvalidFilterError
  }
  throw new Error('expected an InvalidFilterError')
}

describe('$regex and $not: linear time on hostile patterns', () => {
  // Inputs on which a backtracking engine (JavaScript's RegExp) takes exponential time, or for
  // `(.*a){12}` polynomial time of a high degree, and inputs that match; `expected` is worked
  // out by hand.
  const CASES: readonly {
    pattern: string
    hostile: (n: number) => string
    expected: (n: number) => boolean
  }[] = [
    { pattern: '^(a+)+$', hostile: (n) => `${'a'.repeat(n)}!`, expected: () => false },
    { pattern: '(a|a)*$', hostile: (n) => `${'a'.repeat(n)}!`, expected: () => true },
    { pattern: '(a+a+)+b', hostile: (n) => `${'a'.repeat(n)}!`, expected: () => false },
    { pattern: '(.*a){12}', hostile: (n) => `${'a'.repeat(n)}!`, expected: (n) => n >= 12 },
    // Eleven `a`s, too few, spread out.
    {
      pattern: '(.*a){12}',
      hostile: (n) => `a${'!'.repeat(Math.floor(n / 11))}`.repeat(11),
      expected: () => false,
    },
    { pattern: '(x+x+)+y', hostile: (n) => `${'x'.repeat(n)}!`, expected: () => false },
    { pattern: '(x+x+)+y', hostile: (n) => `${'x'.repeat(n)}y`, expected: () => true },
  ]
  const SIZES = [30, 100, 1_000, 10_000]
  // No clock here: the gap under test is exponential. A backtracking engine takes seconds on the
  // 30-character inputs and would not finish the 10,000-character ones in a lifetime, so a
  // regression fails these tests by their timeout, whatever the machine's load.

  for (const operator of ['$regex', '$not'] as const) {
    it.each(CASES)(
      `${operator} $pattern answers promptly and correctly`,
      ({ pattern, hostile, expected }) => {
        const { matches } = subscribed({
          'customer.name': operator === '$regex' ? { $regex: pattern } : { $not: pattern },
        })
        for (const size of SIZES) {
          const name = hostile(size)
          const matched = matches({ customer: { name } })
          expect({ size, matched }).toEqual({
            size,
            matched: operator === '$regex' ? expected(size) : !expected(size),
          })
        }
      },
    )
  }

  it('searches arrays of strings element by element, in linear time too', () => {
    const { matches } = subscribed({ tags: { $regex: '^(a+)+$' } })
    expect(matches({ tags: [`${'a'.repeat(5_000)}!`, `${'a'.repeat(5_000)}!`] })).toBe(false)
    expect(matches({ tags: [`${'a'.repeat(5_000)}!`, 'aaa'] })).toBe(true)
  })
})

describe('$regex and $not: patterns RE2 cannot run are refused when saved', () => {
  const REFUSED: readonly [pattern: string, construct: string][] = [
    ['(a)\\1', 'backreferences (`\\1`)'],
    ['^(\\w+) \\1$', 'backreferences (`\\1`)'],
    ['(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)(l)\\12', 'backreferences (`\\12`)'],
    ['(?<word>a)\\k<word>', 'backreferences (`\\k<name>`)'],
    ['^(?=.*\\d)', 'lookahead assertions (`(?=`)'],
    ['^(?!test)', 'negative lookahead assertions (`(?!`)'],
    ['(?<=@)example', 'lookbehind assertions (`(?<=`)'],
    ['(?<!no-)reply', 'negative lookbehind assertions (`(?<!`)'],
    ['(?>a+)b', 'atomic groups (`(?>`)'],
    ['a++b', 'possessive quantifiers (`++`)'],
  ]
  const WHY = 'patterns run on a linear-time engine (RE2)'

  it.each(REFUSED)('refuses %s at create, naming the path and the construct', (pattern, construct) => {
    const router = createRouter()
    const error = thrown(() =>
      router.subscriptions.create({
        event: 'x',
        integrationId: 'crm',
        filter: { status: 'active', 'customer.name': { $regex: pattern, $options: 'i' } },
      }),
    )
    expect(error.code).toBe('ERR_INVALID_FILTER')
    expect(error.field).toBe('filter.customer.name.$regex')
    expect(error.operator).toBe('$regex')
    expect(error.issues).toEqual([
      {
        path: 'filter.customer.name.$regex',
        message: expect.stringContaining(
          `\`$regex\` at \`customer.name\`: ${construct} are not supported: ${WHY}`,
        ),
      },
    ])
    expect(router.subscriptions.list()).toEqual([])
  })

  it.each(REFUSED)(
    'refuses %s in $not at update, leaving the subscription as it was',
    (pattern, construct) => {
      const { router, subscription, matches } = subscribed({ 'customer.name': { $regex: '^ann' } })
      const error = thrown(() =>
        router.subscriptions.update(subscription.id, {
          filter: { $or: [{ 'customer.name': { $not: pattern } }] },
          enabled: false,
        }),
      )
      expect(error.field).toBe('filter.$or.0.customer.name.$not')
      expect(error.issues[0]?.message).toContain(
        `\`$not\` at \`customer.name\`: ${construct} are not supported`,
      )
      expect(router.subscriptions.get(subscription.id)).toEqual(subscription)
      expect(matches({ customer: { name: 'anna' } })).toBe(true)
      expect(matches({ customer: { name: 'bob' } })).toBe(false)
    },
  )

  it('names the field inside $elemMatch and $not objects', () => {
    const router = createRouter()
    const create = (filter: Filter) => () =>
      router.subscriptions.create({ event: 'x', integrationId: 'crm', filter })
    expect(thrown(create({ items: { $elemMatch: { sku: { $regex: '(?=A)' } } } })).issues[0]).toEqual({
      path: 'filter.items.$elemMatch.sku.$regex',
      message: `\`$regex\` at \`items.sku\`: lookahead assertions (\`(?=\`) are not supported: ${WHY}`,
    })
    expect(thrown(create({ tags: { $not: { $regex: '(a)\\1', $options: 'i' } } })).issues[0]?.message).toBe(
      `\`$regex\` at \`tags\`: backreferences (\`\\1\`) are not supported: ${WHY}`,
    )
  })

  it('reports syntax RE2 does not have with its own message, and a hint for JavaScript habits', () => {
    const router = createRouter()
    const message = (pattern: string) =>
      thrown(() =>
        router.subscriptions.create({ event: 'x', integrationId: 'crm', filter: { a: { $regex: pattern } } }),
      ).issues[0]?.message
    expect(message('\\u00e9')).toBe(
      '`$regex` at `a`: not a valid regular expression: invalid escape sequence: `\\u`; ' +
        'write a code point as `\\x{E9}` or `\\x{1F600}`',
    )
    expect(message('a{1001}')).toContain(
      'invalid repeat count: `{1001}`; RE2 allows at most 1000 repetitions',
    )
    expect(message('((a{100}){100}){100}')).toContain('invalid repeat count')
    expect(message('[a-')).toContain('`$regex` at `a`: not a valid regular expression: missing closing ]')
  })

  it('accepts what RE2 runs, with or without the u flag', () => {
    const router = createRouter()
    for (const $regex of [
      '^ann',
      '@example\\.com$',
      '(?i)^ann\\z',
      '\\p{Lu}',
      '(?<first>\\w+) (?P<last>\\w+)',
      '\\0',
    ]) {
      for (const $options of ['', 'u', 'imsu']) {
        router.subscriptions.create({ event: 'x', integrationId: 'crm', filter: { a: { $regex, $options } } })
      }
    }
    expect(router.subscriptions.list()).toHaveLength(18)
  })
})

describe('$options on RE2', () => {
  it.each<[options: string, pattern: string, payload: string, expected: boolean]>([
    ['', '^ANN', 'anna', false],
    ['i', '^ANN', 'anna', true],
    ['i', '^straße$', 'STRASSE', false],
    ['i', '^éLAN$', 'Élan', true],
    ['', '^b', 'a\nb', false],
    ['m', '^b', 'a\nb', true],
    ['m', 'a$', 'a\nb', true],
    ['', 'a$', 'a\nb', false],
    ['', 'a.b', 'a\nb', false],
    ['s', 'a.b', 'a\nb', true],
    ['ms', '^a.b$', 'x\na\nb\ny', true],
    ['u', '^.$', '😀', true],
    ['', '^.$', '😀', true],
    ['u', '^\\p{L}+$', 'Élan', true],
  ])('$options %j: %j on %j is %s', (options, pattern, payload, expected) => {
    const { matches } = subscribed({ note: { $regex: pattern, $options: options } })
    expect(matches({ note: payload })).toBe(expected)
    expect(matches({ note: [1, payload] })).toBe(expected)
  })

  it('gives the same answer on every evaluation: RE2 keeps no lastIndex', () => {
    const { matches } = subscribed({ note: { $regex: 'a', $options: 'imsu' } })
    expect([matches({ note: 'A' }), matches({ note: 'A' }), matches({ note: 'A' })]).toEqual([
      true,
      true,
      true,
    ])
  })

  it.each(['g', 'y', 'x', 'ii', 'I', 'imsux'])('still refuses $options %j', (options) => {
    const router = createRouter()
    const error = thrown(() =>
      router.subscriptions.create({
        event: 'x',
        integrationId: 'crm',
        filter: { a: { $regex: 'x', $options: options } },
      }),
    )
    expect(error.field).toBe('filter.a.$options')
  })

  it('refuses a long $options string of distinct characters', () => {
    const router = createRouter()
    // What the former duplicate check, a backtracking RegExp, took quadratic time on (seconds).
    const options = Array.from({ length: 50_000 }, (_, index) => String.fromCharCode(0x4e00 + index)).join('')
    const error = thrown(() =>
      router.subscriptions.create({
        event: 'x',
        integrationId: 'crm',
        filter: { a: { $regex: 'x', $options: options } },
      }),
    )
    expect(error.field).toBe('filter.a.$options')
  })
})
