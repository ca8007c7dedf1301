import fc from 'fast-check'

/*
 * Inputs for the public API fuzz suite (public-api-fuzz.test.ts). Arbitraries generate plain
 * data in which hostile values (functions, Proxies, cycles, throwing getters...) appear as
 * `Nasty` markers; `build()` turns a generated value into the real input just before a call.
 * So every call gets fresh objects, and counterexamples print as readable data instead of
 * running a Proxy's traps or a getter inside fast-check's printer.
 */

/** A hostile value to build at call time. `inner` is the generated value it wraps, if any. */
export class Nasty {
  readonly kind: NastyKind
  readonly inner: unknown

  constructor(kind: NastyKind, inner?: unknown) {
    this.kind = kind
    this.inner = inner
  }

  [fc.toStringMethod](): string {
    return this.inner === undefined
      ? `Nasty(${this.kind})`
      : `Nasty(${this.kind}, ${fc.stringify(this.inner)})`
  }
}

/** Hostile leaves: values that are not JSON, or JSON past the documented limits. */
const LEAVES = [
  'undefined',
  'function',
  'symbol',
  'bigint',
  'NaN',
  'Infinity',
  '-Infinity',
  '-0',
  'sparseArray',
  'throwingGetter',
  'throwingProxy',
  'revokedProxy',
  'cyclicObject',
  'cyclicArray',
  'nullPrototype',
  'date',
  'invalidDate',
  'regexp',
  'map',
  'classInstance',
  'boxedString',
  'error',
  'deepObject',
  'deepArray',
  'hugeArray',
  'hugeObject',
  'longString',
  'protoKey',
  'constructorKey',
  'symbolKey',
  'nonEnumerable',
  'throwingToPrimitive',
] as const

/** Wrappers: the generated `inner` value, served in a hostile way. */
const WRAPPERS = ['transparentProxy', 'getters', 'throwingKey', 'frozen', 'nullPrototypeCopy'] as const

export type NastyKind = (typeof LEAVES)[number] | (typeof WRAPPERS)[number]

class Point {
  x = 1
}

function nested(levels: number, make: (inner: unknown) => unknown): unknown {
  let value: unknown = 1
  for (let level = 0; level < levels; level++) value = make(value)
  return value
}

function boom(): never {
  throw new Error('fuzz: hostile getter')
}

const throwingHandler: ProxyHandler<object> = {
  get: boom,
  has: boom,
  ownKeys: boom,
  getOwnPropertyDescriptor: boom,
  getPrototypeOf: boom,
  set: boom,
  defineProperty: boom,
  deleteProperty: boom,
}

function makeLeaf(kind: NastyKind): unknown {
  switch (kind) {
    case 'undefined':
      return undefined
    case 'function':
      return () => 1
    case 'symbol':
      return Symbol('fuzz')
    case 'bigint':
      return 10n
    case 'NaN':
      return Number.NaN
    case 'Infinity':
      return Number.POSITIVE_INFINITY
    case '-Infinity':
      return Number.NEGATIVE_INFINITY
    case '-0':
      return -0
    case 'sparseArray':
      // biome-ignore lint/suspicious/noSparseArray: a hole is the point
      return [1, , 3]
    case 'throwingGetter':
      return Object.defineProperty({}, 'coins', { get: boom, enumerable: true })
    case 'throwingProxy':
      return new Proxy({}, throwingHandler)
    case 'revokedProxy': {
      const { proxy, revoke } = Proxy.revocable({}, {})
      revoke()
      return proxy
    }
    case 'cyclicObject': {
      const object: Record<string, unknown> = { a: 1 }
      object.self = object
      return object
    }
    case 'cyclicArray': {
      const array: unknown[] = [1]
      array.push(array)
      return array
    }
    case 'nullPrototype':
      return Object.assign(Object.create(null) as object, { status: 'active' })
    case 'date':
      return new Date(0)
    case 'invalidDate':
      return new Date(Number.NaN)
    case 'regexp':
      return /a+/
    case 'map':
      return new Map([['a', 1]])
    case 'classInstance':
      return new Point()
    case 'boxedString':
      return Object('gold')
    case 'error':
      return new Error('fuzz')
    case 'deepObject':
      return nested(40, (inner) => ({ a: inner }))
    case 'deepArray':
      return nested(40, (inner) => [inner])
    case 'hugeArray':
      return Array.from({ length: 10_001 }, (_, index) => index)
    case 'hugeObject':
      return Object.fromEntries(Array.from({ length: 10_001 }, (_, index) => [`k${index}`, index]))
    case 'longString':
      return 'x'.repeat(100_000)
    case 'protoKey':
      return JSON.parse('{"__proto__": {"$gt": 1}, "coins": 1}')
    case 'constructorKey':
      return { constructor: { $exists: true }, toString: 'x' }
    case 'symbolKey':
      return { [Symbol('fuzz')]: 1, status: 'active' }
    case 'nonEnumerable':
      return Object.defineProperty({ status: 'active' }, 'hidden', { value: { $where: 'x' } })
    case 'throwingToPrimitive':
      return { [Symbol.toPrimitive]: boom, toString: boom, valueOf: boom }
    default:
      throw new Error(`not a leaf: ${kind}`)
  }
}

/** The real value for a generated one: `Nasty` markers are built, objects and arrays copied. */
export function build(value: unknown): unknown {
  if (value instanceof Nasty) {
    if (!(WRAPPERS as readonly string[]).includes(value.kind)) return makeLeaf(value.kind)
    const inner = build(value.inner)
    if (typeof inner !== 'object' || inner === null) return inner
    switch (value.kind) {
      case 'transparentProxy':
        return new Proxy(inner, {})
      case 'getters': {
        const result: Record<string, unknown> = {}
        for (const [key, item] of Object.entries(inner)) {
          Object.defineProperty(result, key, { get: () => item, enumerable: true })
        }
        return result
      }
      case 'throwingKey':
        return Object.defineProperty({ ...inner }, 'enabled', { get: boom, enumerable: true })
      case 'frozen':
        return Object.freeze(inner)
      default:
        return Object.assign(Object.create(null) as object, inner)
    }
  }
  if (Array.isArray(value)) return value.map(build)
  if (typeof value === 'object' && value !== null) {
    const result: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) {
      // defineProperty, so that a generated `__proto__` key stays an own key.
      Object.defineProperty(result, key, {
        value: build(item),
        enumerable: true,
        writable: true,
        configurable: true,
      })
    }
    return result
  }
  return value
}

/** Any hostile leaf. */
export const nastyLeaf: fc.Arbitrary<Nasty> = fc.constantFrom(...LEAVES).map((kind) => new Nasty(kind))

/** `inner`, sometimes served through a Proxy, getters, a throwing key, frozen or without prototype. */
export function wrapped<T>(inner: fc.Arbitrary<T>): fc.Arbitrary<T | Nasty> {
  return fc.oneof(
    { weight: 6, arbitrary: inner },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.constantFrom(...WRAPPERS), inner).map(([kind, value]) => new Nasty(kind, value)),
    },
  )
}

/** Mostly `valid`, sometimes `invalid`, sometimes hostile. */
export function validOr<T, U>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<U>): fc.Arbitrary<T | U | Nasty> {
  return fc.oneof(
    { weight: 6, arbitrary: valid },
    { weight: 3, arbitrary: invalid },
    { weight: 1, arbitrary: nastyLeaf },
  )
}

/** JSON scalars biased toward the edges, plus hostile leaves now and then. */
export const scalar: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('gold', 'Gold', 'active', '', '10', 'a.b', '$gt', 'é', '😀') },
  { weight: 3, arbitrary: fc.constantFrom(0, 1, 100, -1, 99.5, 1e308, Number.MAX_SAFE_INTEGER, 2 ** 53 + 2) },
  { weight: 2, arbitrary: fc.oneof(fc.boolean(), fc.constant(null)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
  { weight: 1, arbitrary: nastyLeaf },
)

/** JSON-ish values: scalars, small arrays and objects. */
export const value: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 5, arbitrary: scalar },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 3 }) },
    {
      weight: 1,
      arbitrary: fc.dictionary(fc.constantFrom('a', 'b', 'tier', '$in', '__proto__'), tie('value'), {
        maxKeys: 3,
      }),
    },
  ),
})).value

/** How to generate one field of an input: valid values and invalid ones. */
export interface FieldArbitraries {
  readonly valid: fc.Arbitrary<unknown>
  readonly invalid: fc.Arbitrary<unknown>
}

/**
 * Inputs with at most one fault each, so that both the accepting and every rejecting path
 * are reached. `valid`: valid inputs; `invalid`: a valid input with one field made invalid or
 * hostile, a required field dropped or an unknown field added, or no object at all; `any`:
 * either, half and half, valid ones sometimes served through a wrapper.
 */
export function inputWithOneFault(
  fields: Readonly<Record<string, FieldArbitraries>>,
  required: readonly string[],
  unknownFields: Readonly<Record<string, unknown>>,
): FieldArbitraries & { readonly any: fc.Arbitrary<unknown> } {
  const names = Object.keys(fields)
  const valid = fc.record(
    Object.fromEntries(names.map((name) => [name, (fields[name] as FieldArbitraries).valid])),
    { requiredKeys: [...required] },
  )
  type Fault = { readonly set: string; readonly to: unknown } | { readonly drop: string }
  const faults: fc.Arbitrary<Fault>[] = names.map((name) =>
    fc
      .oneof(
        { weight: 4, arbitrary: (fields[name] as FieldArbitraries).invalid },
        { weight: 1, arbitrary: nastyLeaf },
      )
      .map((to) => ({ set: name, to })),
  )
  if (required.length > 0) faults.push(fc.constantFrom(...required).map((drop) => ({ drop })))
  const extra = Object.keys(unknownFields)
  if (extra.length > 0) faults.push(fc.constantFrom(...extra).map((set) => ({ set, to: unknownFields[set] })))
  const faulty = fc.tuple(valid, fc.oneof(...faults)).map(([input, fault]) => {
    const copy: Record<string, unknown> = { ...input }
    if ('drop' in fault) delete copy[fault.drop]
    else copy[fault.set] = fault.to
    return copy
  })
  const invalid = fc.oneof(
    { weight: 5, arbitrary: faulty },
    { weight: 1, arbitrary: fc.oneof(nastyLeaf, value) },
  )
  return { valid, invalid, any: fc.oneof(wrapped(valid), invalid) }
}
