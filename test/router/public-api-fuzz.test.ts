import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LoyaltyCatalog } from '../../src/catalogs/loyalty/index.js'
import { loyaltyCatalog } from '../../src/catalogs/loyalty/index.js'
import {
  type EmitReceipt,
  EventRouter,
  EventRouterError,
  type EventRouterOptions,
  type Explanation,
  isEventRouterError,
  type RouterSnapshot,
  ValidationError,
  webhookAdapter,
} from '../../src/index.js'
import { sqliteStore } from '../../src/stores/sqlite/index.js'
import { MockTransport } from '../../src/testing/index.js'
import { envInt } from '../support/escaped-errors.js'
import { SEALING_KEY, STORES, type StoreUnderTest, storeFiles } from '../support/stores-under-test.js'
import { build, inputWithOneFault, Nasty, nastyLeaf, validOr, value, wrapped } from './fuzz-inputs.js'

/*
 * Issue #5: random subscriptions, filters, integration configs and payloads, valid and
 * invalid, thrown at the public API. For every call, whatever the input:
 * - a rejection is an EventRouterError with a stable `ERR_` code and a message naming the field;
 * - a rejected call leaves `router.toJSON({ includeSecrets: true })` exactly as it was;
 * - an accepted call makes the change it announces, and nothing else;
 * - routing agrees with the configuration (explain() and emit() see every subscription
 *   of an event, and only those);
 * - nothing crashes the process (no uncaught exception, no unhandled rejection).
 * Each run applies a random sequence of calls to one router, so state accumulates, and ends
 * with a toJSON/fromJSON round trip, onIdle() and close().
 *
 * FUZZ_RUNS sets the number of runs per property (default 50; `npm run test:stress` runs 300;
 * e.g. FUZZ_RUNS=5000 for a long soak). FUZZ_SEED replays a failure with the seed fast-check printed.
 */
const RUNS = envInt('FUZZ_RUNS', 50)
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED)
/** A deadline that grows with FUZZ_RUNS (a soak takes many minutes), never asserted on. */
const TIMEOUT_MS = 60_000 + RUNS * 1_000

// ---------------------------------------------------------------------------------------------
// Arbitraries

const catalogNames = loyaltyCatalog.names()
const catalogPaths = [
  ...new Set(catalogNames.flatMap((name) => loyaltyCatalog.fields(name).map((f) => f.path))),
]

const validEventName = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...catalogNames) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('order.placed', 'a', 'constructor', 'toString', 'x:y/z-1_2', 'A'.repeat(200)),
  },
)
const invalidEventName = fc.constantFrom(
  '',
  '*',
  '.wallet',
  'has space',
  'é.vent',
  '__proto__',
  'A'.repeat(201),
  5,
)
const eventName = validOr(validEventName, invalidEventName)

const validSelector = fc.oneof(
  { weight: 6, arbitrary: validEventName },
  { weight: 1, arbitrary: fc.constant('*') },
  { weight: 2, arbitrary: fc.uniqueArray(validEventName, { minLength: 1, maxLength: 3 }) },
)
const invalidSelector = fc.oneof(
  invalidEventName,
  fc.constantFrom([], ['*'], ['a', 'a'], [[]], [5]),
  fc.array(fc.oneof(validEventName, invalidEventName), { minLength: 1, maxLength: 3 }),
)

// `crm` always exists; the others exist once added.
const validIntegrationId = fc.constantFrom('crm', 'crm', 'hooks-1', 'constructor', 'toString')
const invalidIntegrationId = fc.constantFrom('missing', '__proto__', '', ' crm', 'x'.repeat(129), 5, null)

/* Filters. `validFilter` follows docs/filters.md; `anyFilter` mixes in every mistake it lists. */
const genericPaths = ['coins', 'status', 'customer.tier', 'items.sku', 'items.0.qty', 'tags', 'a.b.c', 'é.ü']
const validPath = fc.constantFrom(...genericPaths, ...catalogPaths.slice(0, 30))
const badPath = fc.constantFrom(
  '',
  'a..b',
  'a.',
  '.a',
  '$where',
  '$foo',
  '__proto__',
  'constructor',
  'x.__proto__.y',
)
const jsonScalar = fc.oneof(
  fc.constantFrom('gold', 'Gold', 'active', '', '10', 'é', '😀'),
  fc.constantFrom(0, 1, 100, -1, 99.5, 1e308, Number.MAX_SAFE_INTEGER),
  fc.boolean(),
  fc.constant(null),
)
const jsonLiteral = fc.oneof(
  { weight: 4, arbitrary: jsonScalar },
  { weight: 1, arbitrary: fc.array(jsonScalar, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom('a', 'b', 'city'), jsonScalar, { maxKeys: 2 }) },
)
const validRegex = fc.constantFrom('^gold$', 'a|b', '\\d+', '', '^ann', '@example\\.com$', '(?<n>a)b')
const badRegex = fc.constantFrom('(', '[', 'a{2,1}', '\\k<x>', '*', '\\', 'x'.repeat(1001))
const comparableValue = fc.oneof(fc.integer(), fc.string({ maxLength: 4 }), fc.boolean())

type Entries = [string, unknown][]
const fromEntries = (entries: Entries) => Object.fromEntries(entries)

const { filter: validFilter } = fc.letrec<{
  filter: Record<string, unknown>
  operators: Record<string, unknown>
}>((tie) => ({
  filter: fc
    .array(
      fc.oneof(
        { depthSize: 'small' },
        { weight: 6, arbitrary: fc.tuple(validPath, fc.oneof(jsonLiteral, tie('operators'))) },
        {
          weight: 1,
          arbitrary: fc.tuple(
            fc.constantFrom('$and', '$or', '$nor'),
            fc.array(tie('filter'), { minLength: 1, maxLength: 2 }),
          ),
        },
      ),
      { maxLength: 3 },
    )
    .map(fromEntries),
  operators: fc
    .oneof(
      { depthSize: 'small' },
      fc.record({ $eq: jsonLiteral }),
      fc.record({ $ne: jsonLiteral }),
      fc.record({ $gte: comparableValue, $lt: comparableValue }, { requiredKeys: ['$gte'] }),
      fc.record({ $in: fc.array(jsonScalar, { maxLength: 4 }) }),
      fc.record({ $nin: fc.array(jsonScalar, { maxLength: 4 }) }),
      fc.record({ $exists: fc.boolean() }),
      fc.record(
        { $regex: validRegex, $options: fc.constantFrom('i', 'imsu', 'ms') },
        { requiredKeys: ['$regex'] },
      ),
      fc.record({ $size: fc.nat(3) }),
      fc.record({ $all: fc.array(jsonScalar, { maxLength: 3 }) }),
      fc.record({ $elemMatch: tie('filter') }),
      fc.record({ $not: fc.oneof(validRegex, fc.record({ $gt: fc.integer() })) }),
    )
    .map((operators) => operators as Record<string, unknown>),
}))

const anyValue = fc.oneof({ weight: 3, arbitrary: jsonLiteral }, { weight: 1, arbitrary: value })
const { filter: anyFilter } = fc.letrec<{
  filter: Record<string, unknown>
  operators: Record<string, unknown>
}>((tie) => {
  const operatorEntry: fc.Arbitrary<[string, unknown]> = fc.oneof(
    { depthSize: 'small' },
    fc.tuple(fc.constantFrom('$eq', '$ne'), anyValue),
    fc.tuple(fc.constantFrom('$gt', '$gte', '$lt', '$lte'), fc.oneof(comparableValue, anyValue)),
    fc.tuple(
      fc.constantFrom('$in', '$nin', '$all'),
      fc.oneof(fc.array(anyValue, { maxLength: 3 }), anyValue),
    ),
    fc.tuple(
      fc.constant('$all'),
      fc.array(
        tie('filter').map(($elemMatch) => ({ $elemMatch })),
        { maxLength: 2 },
      ),
    ),
    fc.tuple(fc.constant('$exists'), fc.oneof(fc.boolean(), fc.constantFrom(1, 0, 'true', null))),
    fc.tuple(fc.constant('$regex'), fc.oneof(validRegex, badRegex, anyValue)),
    fc.tuple(fc.constant('$options'), fc.constantFrom('i', 'imsu', 'g', 'y', 'x', 'ii', 'I', 1)),
    fc.tuple(fc.constant('$size'), fc.oneof(fc.nat(3), fc.constantFrom(-1, 1.5, '2', null))),
    fc.tuple(fc.constant('$elemMatch'), fc.oneof(tie('filter'), tie('operators'), anyValue)),
    fc.tuple(fc.constant('$not'), fc.oneof(tie('operators'), validRegex, badRegex, anyValue)),
    fc.tuple(fc.constantFrom('$where', '$expr', '$type', '$mod', '$foo', '$', '$and', '$or'), anyValue),
    fc.tuple(fc.constantFrom('tier', 'name'), anyValue),
  )
  return {
    filter: fc
      .array(
        fc.oneof(
          { depthSize: 'small' },
          {
            weight: 6,
            arbitrary: fc.tuple(fc.oneof(validPath, badPath), fc.oneof(anyValue, tie('operators'))),
          },
          {
            weight: 2,
            arbitrary: fc.tuple(
              fc.constantFrom('$and', '$or', '$nor'),
              fc.oneof(fc.array(tie('filter'), { maxLength: 3 }), anyValue),
            ),
          },
          { weight: 1, arbitrary: fc.tuple(fc.constantFrom('$gt', '$in', '$where'), anyValue) },
        ),
        { maxLength: 3 },
      )
      .map(fromEntries),
    operators: fc.array(operatorEntry, { minLength: 1, maxLength: 3 }).map(fromEntries),
  }
})

/** A filter that the catalog accepts for `name`: one condition on one of its fields, by type. */
function catalogFilter(name: string): fc.Arbitrary<Record<string, unknown>> {
  const conditions = loyaltyCatalog.fields(name).map((field) => {
    const values: fc.Arbitrary<unknown> = field.enum
      ? fc.constantFrom(...field.enum)
      : field.type === 'string'
        ? fc.oneof(fc.constantFrom('Gold', 'ana.silva@example.com'), fc.record({ $regex: validRegex }))
        : field.type === 'integer' || field.type === 'number'
          ? fc.oneof(
              fc.integer({ min: -5, max: 2000 }),
              fc.record({ $gte: fc.integer({ min: 0, max: 2000 }) }),
            )
          : field.type === 'boolean'
            ? fc.boolean()
            : field.type === 'date'
              ? fc.record({ $gte: fc.constant('2024-01-01T00:00:00Z') })
              : field.type === 'array'
                ? fc.record({ $size: fc.nat(3) })
                : fc.record({ $exists: fc.boolean() })
    return values.map((condition) => ({
      [field.path]: field.nullable && condition === 'Gold' ? null : condition,
    }))
  })
  return fc.oneof(fc.constant({}), ...conditions)
}

const invalidFilter = fc.oneof(
  { weight: 6, arbitrary: anyFilter },
  { weight: 1, arbitrary: wrapped(validFilter) },
  { weight: 1, arbitrary: fc.oneof(jsonScalar, fc.array(jsonScalar)) },
)

const validPrefix = fc.constantFrom('Loyalty ', null, 'x'.repeat(100), 'é ')
const invalidPrefix = fc.constantFrom('', 'x'.repeat(101), 'a\nb', '\u007f', 5, false)
const invalidBoolean = fc.constantFrom('true', 1, null, 0)
const validSubscriptionId = fc.constantFrom('s1', 's2', 'constructor', 'x'.repeat(128))
const invalidSubscriptionId = fc.constantFrom('', '-s', '__proto__', 'x'.repeat(129), 7)

const subscriptionFields = {
  id: { valid: validSubscriptionId, invalid: invalidSubscriptionId },
  event: { valid: validSelector, invalid: invalidSelector },
  integrationId: { valid: validIntegrationId, invalid: invalidIntegrationId },
  filter: { valid: validFilter, invalid: invalidFilter },
  eventNamePrefix: { valid: validPrefix, invalid: invalidPrefix },
  enabled: { valid: fc.boolean(), invalid: invalidBoolean },
}
// JSON.parse: an own `__proto__` key, as a dashboard's request body would have it.
const subscriptionTypos = {
  prefix: 'Loyalty ',
  filters: {},
  integration: 'crm',
  ...JSON.parse('{"__proto__": {"x": 1}}'),
}
/** Against a catalog: an event of it with a filter on its fields (and one fault, maybe). */
const catalogSubscription = fc.constantFrom(...catalogNames).chain(
  (name) =>
    inputWithOneFault(
      {
        ...subscriptionFields,
        event: { valid: fc.constant(name), invalid: invalidSelector },
        filter: { valid: catalogFilter(name), invalid: invalidFilter },
      },
      ['event', 'integrationId'],
      subscriptionTypos,
    ).any,
)
const subscriptionInput = fc.oneof(
  inputWithOneFault(subscriptionFields, ['event', 'integrationId'], subscriptionTypos).any,
  catalogSubscription,
)
const { id: _id, ...patchFields } = subscriptionFields
const subscriptionPatch = fc.oneof(
  inputWithOneFault(patchFields, [], { id: 's9', createdAt: '2024-01-01T00:00:00Z' }).any,
  fc.constantFrom(...catalogNames).chain(
    (name) =>
      inputWithOneFault(
        {
          ...patchFields,
          event: { valid: fc.constant(name), invalid: invalidSelector },
          filter: { valid: catalogFilter(name), invalid: invalidFilter },
        },
        [],
        {},
      ).any,
  ),
)

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const OTHER_SECRET = 'whsec_u5ymbSDqpUaKt+FzKrFb8TNJ4F25hcCcMvfeYCnZ2j8='
const webhookFields = {
  url: {
    valid: fc.constantFrom(
      'https://crm.example/hooks',
      'http://hooks.example:8080/in?x=1',
      'https://例え.jp/',
      'HTTPS://UPPER.EXAMPLE/',
      'http://169.254.169.254/latest',
    ),
    invalid: fc.constantFrom(
      'ftp://x.example',
      'https://u:p@x.example',
      'https://exa mple.com',
      'https://x.example/\u0000',
      'https://[::1',
      'javascript:alert(1)',
      '//x.example',
      '',
      'https://',
      5,
    ),
  },
  secret: {
    valid: fc.constantFrom(SECRET, OTHER_SECRET, [SECRET, OTHER_SECRET]),
    invalid: fc.constantFrom('whsec_', 'whsec_c2hvcnQ=', 'nope', [], ['nope'], 'whsec_!!!!', [SECRET, 5]),
  },
  headers: {
    valid: fc.constantFrom({ 'x-tenant': 'acme' }, { authorization: 'Bearer t0ken-value' }, {}),
    invalid: fc.constantFrom(
      { 'content-type': 'text/plain' },
      { 'bad name': 'x' },
      { 'x-a': 'a\r\nb' },
      { 'X-A': '1', 'x-a': '2' },
      { 'x-a': 1 },
      { 'x-a': '€' },
      JSON.parse('{"__proto__": "x"}') as Record<string, string>,
      'x-a: 1',
    ),
  },
}
// Signing is explicit: a valid config is signed (a `secret`) or opts out (`signing: false`).
const configUnknownFields = {
  timeout: 5,
  ...JSON.parse('{"__proto__": {"url": "https://x.example"}}'),
}
const signedConfig = inputWithOneFault(webhookFields, ['url', 'secret'], configUnknownFields)
const unsignedConfig = inputWithOneFault(
  {
    url: webhookFields.url,
    signing: { valid: fc.constant(false), invalid: fc.constantFrom(true, 'false', 0, null) },
    headers: webhookFields.headers,
  },
  ['url', 'signing'],
  configUnknownFields,
)
const config = {
  valid: fc.oneof(signedConfig.valid, unsignedConfig.valid),
  invalid: fc.oneof(signedConfig.invalid, unsignedConfig.invalid),
}
const configPatch = inputWithOneFault(
  {
    ...webhookFields,
    secret: {
      valid: fc.oneof(webhookFields.secret.valid, fc.constant(undefined)),
      invalid: webhookFields.secret.invalid,
    },
    headers: {
      valid: fc.oneof(webhookFields.headers.valid, fc.constant(undefined)),
      invalid: webhookFields.headers.invalid,
    },
  },
  [],
  { timeout: 5, url: undefined },
)
const integrationInput = inputWithOneFault(
  {
    id: {
      valid: fc.constantFrom('hooks-1', 'constructor', 'toString', 'crm', 'x'.repeat(128)),
      invalid: invalidIntegrationId,
    },
    type: {
      valid: fc.constantFrom('webhook', 'webhook', 'webhook-https'),
      invalid: fc.constantFrom('klaviyo', '', 'Webhook', 'constructor', '__proto__'),
    },
    config: { valid: config.valid, invalid: fc.oneof(config.invalid, jsonScalar) },
    name: {
      valid: fc.constantFrom('CRM', null, 'x'.repeat(200)),
      invalid: fc.constantFrom('x'.repeat(201), 5),
    },
    enabled: { valid: fc.boolean(), invalid: invalidBoolean },
  },
  ['type', 'config'],
  { secret: SECRET, createdAt: '2024-01-01T00:00:00Z' },
).any
const integrationPatch = inputWithOneFault(
  {
    config: { valid: configPatch.valid, invalid: fc.oneof(configPatch.invalid, jsonScalar) },
    name: { valid: fc.constantFrom('CRM 2', null), invalid: fc.constantFrom('x'.repeat(201), 5) },
    enabled: { valid: fc.boolean(), invalid: invalidBoolean },
  },
  [],
  { type: 'webhook', id: 'other' },
).any

/** A loyalty sample payload, possibly with one field set to another value or deleted. */
class FromSample {
  readonly name: string
  readonly path: readonly string[]
  readonly change: { readonly set: unknown } | 'delete' | undefined

  constructor(name: string, path: readonly string[], change: FromSample['change']) {
    this.name = name
    this.path = path
    this.change = change
  }

  [fc.toStringMethod](): string {
    return `FromSample(${this.name}, ${this.path.join('.')}, ${fc.stringify(this.change)})`
  }

  build(): unknown {
    const payload = structuredClone(loyaltyCatalog.get(this.name)?.sample) as Record<string, unknown>
    if (this.change === undefined) return payload
    let target: Record<string, unknown> = payload
    for (const key of this.path.slice(0, -1)) {
      const next = target[key]
      if (typeof next !== 'object' || next === null) return payload
      target = next as Record<string, unknown>
    }
    const last = this.path.at(-1) ?? 'extra'
    if (this.change === 'delete') delete target[last]
    else target[last] = build(this.change.set)
    return payload
  }
}

const samplePayload = fc.constantFrom(...catalogNames).chain((name) =>
  fc
    .tuple(
      fc.oneof(
        fc.constantFrom(...loyaltyCatalog.fields(name).map((field) => field.path.split('.'))),
        fc.constant(['customer', 'teir']),
        fc.constant(['__proto__']),
      ),
      fc.option(
        fc.oneof(
          fc.constant('delete' as const),
          value.map((set) => ({ set })),
        ),
        { freq: 2 },
      ),
    )
    .map(([path, change]) => new FromSample(name, path, change ?? undefined)),
)
const payload = fc.oneof(
  { weight: 4, arbitrary: samplePayload },
  {
    weight: 3,
    arbitrary: wrapped(
      fc.dictionary(fc.constantFrom(...catalogPaths.slice(0, 20), 'coins', 'tier'), value, { maxKeys: 4 }),
    ),
  },
  { weight: 1, arbitrary: fc.oneof(nastyLeaf, value) },
)

const occurredAt = validOr(
  fc.oneof(
    fc.constantFrom('2024-05-01T10:00:00Z', '2024-05-01T10:00:00.123+02:00', 0, 1.7e12),
    fc.constant(new Nasty('date')),
  ),
  fc.constantFrom(
    '2024-05-01',
    'yesterday',
    8.64e15 + 1,
    -8.64e15 - 1,
    '2024-13-45T99:99:99Z',
    new Nasty('invalidDate'),
  ),
)
const emitOptions = fc.oneof(
  { weight: 2, arbitrary: fc.constant(undefined) },
  {
    weight: 6,
    arbitrary: wrapped(
      fc.record(
        {
          id: validOr(
            fc.constantFrom('evt_1', 'order:1042', 'x'.repeat(128)),
            fc.constantFrom('', 'x'.repeat(129), ' a', 5),
          ),
          occurredAt,
        },
        { requiredKeys: [] },
      ),
    ),
  },
  { weight: 1, arbitrary: fc.oneof(nastyLeaf, value) },
)

/** A subscription or integration id: one that exists (by position, at run time) or a literal. */
class Existing {
  readonly index: number
  constructor(index: number) {
    this.index = index
  }
  [fc.toStringMethod](): string {
    return `Existing(${this.index})`
  }
}
const idRef = (literal: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.nat(9).map((index) => new Existing(index)) },
    { weight: 1, arbitrary: literal },
  )

const operation = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ op: fc.constant('subscriptions.create' as const), input: subscriptionInput }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('subscriptions.update' as const),
      id: idRef(fc.oneof(validSubscriptionId, invalidSubscriptionId, nastyLeaf)),
      patch: subscriptionPatch,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constantFrom(
        'subscriptions.remove' as const,
        'subscriptions.enable' as const,
        'subscriptions.disable' as const,
      ),
      id: idRef(fc.oneof(validSubscriptionId, invalidSubscriptionId, nastyLeaf)),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('subscriptions.list' as const),
      query: fc.oneof(
        fc.constant(undefined),
        fc.record({ event: eventName, integrationId: validIntegrationId }, { requiredKeys: [] }),
        nastyLeaf,
        value,
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('subscriptions.test' as const),
      id: idRef(fc.oneof(validSubscriptionId, invalidSubscriptionId, nastyLeaf)),
      payload: fc.oneof(fc.constant(undefined), payload),
      options: fc.oneof(
        fc.constant(undefined),
        fc.record(
          { event: eventName, retries: validOr(fc.constantFrom(0, 1), fc.constantFrom(-1, 1.5, 100, '1')) },
          { requiredKeys: [] },
        ),
        nastyLeaf,
      ),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant('integrations.add' as const), input: integrationInput }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('integrations.update' as const),
      id: idRef(fc.oneof(validIntegrationId, invalidIntegrationId, nastyLeaf)),
      patch: integrationPatch,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constantFrom(
        'integrations.remove' as const,
        'integrations.enable' as const,
        'integrations.disable' as const,
      ),
      id: idRef(fc.oneof(validIntegrationId, invalidIntegrationId, nastyLeaf)),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constantFrom('events.disable' as const, 'events.enable' as const),
      name: eventName,
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('emit' as const),
      name: eventName,
      payload,
      options: emitOptions,
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('explain' as const), name: eventName, payload }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('catalog.jsonSchema' as const), name: eventName }) },
)
type Operation = typeof operation extends fc.Arbitrary<infer O> ? O : never

/** Valid calls that start each run, so that later calls meet existing subscriptions. */
const seedOperations: fc.Arbitrary<Operation[]> = fc
  .tuple(
    fc.option(fc.record({ id: fc.constant('hooks-1'), type: fc.constant('webhook'), config: config.valid }), {
      nil: undefined,
    }),
    fc.array(
      fc.constantFrom(...catalogNames).chain((name) =>
        fc.record(
          {
            event: fc.constant(name),
            integrationId: fc.constantFrom('crm', 'hooks-1'),
            filter: catalogFilter(name),
            eventNamePrefix: validPrefix,
            enabled: fc.boolean(),
          },
          { requiredKeys: ['event', 'integrationId'] },
        ),
      ),
      { minLength: 1, maxLength: 4 },
    ),
  )
  .map(([integration, subscriptions]) => [
    ...(integration ? [{ op: 'integrations.add' as const, input: integration }] : []),
    ...subscriptions.map((input) => ({ op: 'subscriptions.create' as const, input })),
  ])

const routerSetup = fc.record({
  catalog: fc.boolean(),
  outgoingName: fc.constantFrom('title' as const, 'name' as const),
  // Some deliveries fail and are retried (without waiting), so retries and failures run too.
  failures: fc.nat(3),
})
const closeOptions = fc.oneof(
  { weight: 4, arbitrary: fc.constant(undefined) },
  {
    weight: 2,
    arbitrary: fc.record({
      timeoutMs: validOr(fc.constantFrom(0, 1000), fc.constantFrom(-1, Number.NaN, '5')),
    }),
  },
  { weight: 1, arbitrary: nastyLeaf },
)

// ---------------------------------------------------------------------------------------------
// Calls and checks

/** The router, typed loosely: the fuzz suite passes what TypeScript would refuse. */
interface LooseRouter {
  emit(name: unknown, payload: unknown, options?: unknown): EmitReceipt
  explain(name: unknown, payload: unknown): Explanation
  close(options?: unknown): Promise<void>
  toJSON(options?: unknown): RouterSnapshot
  onIdle(): Promise<void>
  readonly subscriptions: Record<string, (...args: unknown[]) => unknown>
  readonly integrations: Record<string, (...args: unknown[]) => unknown>
  readonly events: Record<string, (...args: unknown[]) => unknown>
  readonly catalog: Record<string, (...args: unknown[]) => unknown>
}

interface Run {
  readonly router: EventRouter<LoyaltyCatalog | undefined>
  readonly loose: LooseRouter
  /** The router's options but its store: what fromJSON() builds a (memory) router with. */
  readonly options: EventRouterOptions<LoyaltyCatalog | undefined>
  /** The router's SQLite file, or `undefined` on the memory store. */
  readonly path: string | undefined
  readonly withCatalog: boolean
  readonly reported: unknown[]
  closed: boolean
}

const files = storeFiles('eventrouter-fuzz-')

async function createRun(
  setup: { catalog: boolean; outgoingName: 'title' | 'name'; failures: number },
  kind: StoreUnderTest,
): Promise<Run> {
  const transport = new MockTransport()
  transport.failTimes(setup.failures, 503)
  const options: EventRouterOptions<LoyaltyCatalog | undefined> = {
    adapters: [webhookAdapter(), webhookAdapter({ type: 'webhook-https', requireHttps: true })],
    transport,
    outgoingName: setup.outgoingName,
    retry: { retries: 1, minTimeout: 0, maxTimeout: 0, randomize: false },
    ...(setup.catalog ? { catalog: loyaltyCatalog } : {}),
  }
  const fresh = files.fresh(kind)
  const router = new EventRouter({ ...options, ...fresh.options })
  await router.start()
  router.integrations.add({
    id: 'crm',
    type: 'webhook',
    config: { url: 'https://crm.example/hooks', secret: SECRET },
  })
  const reported: unknown[] = []
  router.on('error', (error) => {
    reported.push(error)
  })
  return {
    router,
    loose: router as unknown as LooseRouter,
    options,
    path: fresh.path,
    withCatalog: setup.catalog,
    reported,
    closed: false,
  }
}

function snapshotOf(run: Run): RouterSnapshot {
  // A JSON copy: what would be persisted, and immune to later changes.
  return JSON.parse(JSON.stringify(run.router.toJSON({ includeSecrets: true }))) as RouterSnapshot
}

function resolveId(run: Run, ref: unknown, kind: 'subscriptions' | 'integrations'): unknown {
  if (!(ref instanceof Existing)) return build(ref)
  const ids = (
    kind === 'subscriptions' ? run.router.subscriptions.list() : run.router.integrations.list()
  ).map((x) => x.id)
  return ids.length === 0 ? 'none' : ids[ref.index % ids.length]
}

function buildPayload(spec: unknown): unknown {
  return spec instanceof FromSample ? spec.build() : build(spec)
}

type Outcome =
  | {
      readonly kind: 'emitted'
      readonly name: string
      readonly payload: unknown
      readonly receipt: EmitReceipt
    }
  | { readonly kind: 'value'; readonly value: unknown }

/** The arguments of the call, built fresh from the generated values. */
function argumentsOf(run: Run, operation: Operation): unknown[] {
  switch (operation.op) {
    case 'subscriptions.create':
    case 'integrations.add':
      return [build(operation.input)]
    case 'subscriptions.update':
      return [resolveId(run, operation.id, 'subscriptions'), build(operation.patch)]
    case 'integrations.update':
      return [resolveId(run, operation.id, 'integrations'), build(operation.patch)]
    case 'subscriptions.remove':
    case 'subscriptions.enable':
    case 'subscriptions.disable':
      return [resolveId(run, operation.id, 'subscriptions')]
    case 'integrations.remove':
    case 'integrations.enable':
    case 'integrations.disable':
      return [resolveId(run, operation.id, 'integrations')]
    case 'subscriptions.list':
      return [build(operation.query)]
    case 'subscriptions.test':
      return [
        resolveId(run, operation.id, 'subscriptions'),
        buildPayload(operation.payload),
        build(operation.options),
      ]
    case 'events.disable':
    case 'events.enable':
    case 'catalog.jsonSchema':
      return [build(operation.name)]
    case 'emit':
      return [build(operation.name), buildPayload(operation.payload), build(operation.options)]
    case 'explain':
      return [build(operation.name), buildPayload(operation.payload)]
  }
}

async function perform(run: Run, operation: string, args: unknown[]): Promise<Outcome> {
  const { loose } = run
  const [area, method] = operation.split('.') as [string, string | undefined]
  if (operation === 'emit') {
    const receipt = loose.emit(...(args as [unknown, unknown, unknown]))
    return { kind: 'emitted', name: args[0] as string, payload: args[1], receipt }
  }
  if (operation === 'explain') return { kind: 'value', value: loose.explain(args[0], args[1]) }
  const target = loose[area as 'subscriptions' | 'integrations' | 'events' | 'catalog']
  const call = target[method as string] as (...args: unknown[]) => unknown
  // Awaited: test() returns a promise, whose rejection must be typed too.
  return { kind: 'value', value: await call.apply(target, args) }
}

/** A rejection must be a typed error whose message names the field at fault. */
function expectTypedRejection(error: unknown, operation: string): void {
  if (!(error instanceof EventRouterError) || !isEventRouterError(error)) {
    throw new Error(`${operation} threw something other than an EventRouterError: ${String(error)}`, {
      cause: error,
    })
  }
  expect(error.code).toMatch(/^ERR_[A-Z_]+$/)
  expect(error.message).not.toBe('')
  if (error instanceof ValidationError) {
    expect(error.issues.length).toBeGreaterThan(0)
    for (const issue of error.issues) {
      expect(typeof issue.path).toBe('string')
      expect(issue.message).not.toBe('')
    }
    expect(error.field).toBe(error.issues[0]?.path)
  }
  const { field } = error as { field?: unknown }
  if (typeof field === 'string' && field !== '') {
    expect(error.message).toContain(field)
  }
}

/** What an accepted call changed: only what it announced. */
function expectAnnouncedChange(
  operation: Operation,
  outcome: Outcome,
  before: RouterSnapshot,
  after: RouterSnapshot,
): void {
  const returned =
    outcome.kind === 'value'
      ? (JSON.parse(JSON.stringify(outcome.value ?? null)) as { id: string })
      : undefined
  const replace = <T extends { id: string }>(list: readonly T[], item: T) =>
    list.map((x) => (x.id === item.id ? item : x))
  switch (operation.op) {
    case 'subscriptions.create':
      expect(after).toEqual({ ...before, subscriptions: [...before.subscriptions, returned] })
      return
    case 'subscriptions.update':
    case 'subscriptions.enable':
    case 'subscriptions.disable': {
      const updated = returned as unknown as RouterSnapshot['subscriptions'][number]
      const previous = before.subscriptions.find((x) => x.id === updated.id)
      expect(updated.createdAt).toBe(previous?.createdAt)
      expect(after).toEqual({ ...before, subscriptions: replace(before.subscriptions, updated) })
      return
    }
    case 'subscriptions.remove':
      expect(after.subscriptions.length).toBe(before.subscriptions.length - 1)
      expect(after).toEqual({
        ...before,
        subscriptions: before.subscriptions.filter((x) => after.subscriptions.some((y) => y.id === x.id)),
      })
      return
    case 'integrations.add':
      expect(after.integrations.at(-1)?.id).toBe(returned?.id)
      expect(after).toEqual({ ...before, integrations: [...before.integrations, after.integrations.at(-1)] })
      return
    case 'integrations.update':
    case 'integrations.enable':
    case 'integrations.disable': {
      const updated = after.integrations.find((x) => x.id === returned?.id)
      expect(updated).toBeDefined()
      expect(after).toEqual({ ...before, integrations: replace(before.integrations, updated as never) })
      return
    }
    case 'integrations.remove':
      expect(after.integrations.length).toBe(before.integrations.length - 1)
      expect(after).toEqual({
        ...before,
        integrations: before.integrations.filter((x) => after.integrations.some((y) => y.id === x.id)),
      })
      return
    case 'events.disable':
    case 'events.enable': {
      const name = build(operation.name) as string
      const others = (list: RouterSnapshot['disabledEvents']) => list.filter((x) => x !== name)
      expect(after.disabledEvents.includes(name)).toBe(operation.op === 'events.disable')
      expect(others(after.disabledEvents)).toEqual(others(before.disabledEvents))
      expect(after.integrations).toEqual(before.integrations)
      expect(after.subscriptions).toEqual(before.subscriptions)
      return
    }
    default:
      // Reads, emit(), explain() and test sends change no configuration.
      expect(after).toEqual(before)
  }
}

/** explain() lists exactly the subscriptions whose selector names the event, and emit() agrees with it. */
function expectRoutingMatchesConfig(run: Run, outcome: Outcome): void {
  const { subscriptions } = run.router.toJSON()
  const names = new Set(subscriptions.flatMap((s) => (typeof s.event === 'string' ? [s.event] : s.event)))
  names.delete('*')
  names.add(run.withCatalog ? 'wallet.coins_rewarded' : 'never.subscribed')
  for (const name of names) {
    const sample = run.withCatalog ? structuredClone(loyaltyCatalog.get(name)?.sample) : {}
    const explained = run.loose.explain(name, sample).subscriptions.map((s) => s.subscriptionId)
    const expected = subscriptions
      .filter(
        (s) => s.event === '*' || s.event === name || (Array.isArray(s.event) && s.event.includes(name)),
      )
      .map((s) => s.id)
    expect(explained.sort()).toEqual(expected.sort())
  }
  if (outcome.kind === 'emitted') {
    const explanation = run.loose.explain(outcome.name, outcome.payload)
    const wouldDeliver = explanation.subscriptions.filter((s) => s.wouldDeliver).map((s) => s.subscriptionId)
    expect(outcome.receipt.deliveries.map((d) => d.subscriptionId)).toEqual(wouldDeliver)
  }
}

/** With FUZZ_STATS=1, how many calls of each kind were accepted, rejected (by code) or skipped. */
const stats = new Map<string, number>()
function count(key: string): void {
  if (process.env.FUZZ_STATS === '1') stats.set(key, (stats.get(key) ?? 0) + 1)
}

async function step(run: Run, operation: Operation): Promise<void> {
  const args = argumentsOf(run, operation)
  const before = snapshotOf(run)
  let outcome: Outcome
  try {
    outcome = await perform(run, operation.op, args)
    count(`${operation.op} ok`)
  } catch (error) {
    count(`${operation.op} ${(error as { code?: string }).code}`)
    expectTypedRejection(error, operation.op)
    expect(snapshotOf(run)).toEqual(before)
    expectRoutingMatchesConfig(run, { kind: 'value', value: undefined })
    return
  }
  expectAnnouncedChange(operation, outcome, before, snapshotOf(run))
  expectRoutingMatchesConfig(run, outcome)
}

/**
 * toJSON/fromJSON round trip, then every delivery settles and the router closes. On a durable
 * store, a router started again on its file then holds the same configuration.
 */
async function finish(run: Run, close: unknown): Promise<void> {
  const snapshot = snapshotOf(run)
  const restored = EventRouter.fromJSON(snapshot, run.options)
  expect(snapshotOf({ ...run, router: restored })).toEqual(snapshot)
  await run.router.onIdle()
  const before = snapshotOf(run)
  const options = build(close)
  try {
    await run.loose.close(options)
  } catch (error) {
    expectTypedRejection(error, 'close')
    await run.router.close()
  }
  expect(snapshotOf(run)).toEqual(before)
  try {
    run.loose.emit('order.placed', {})
    throw new Error('emit() after close() did not throw')
  } catch (error) {
    expect(isEventRouterError(error, 'ERR_ROUTER_CLOSED')).toBe(true)
  }
  await restored.close()
  for (const error of run.reported) expect(isEventRouterError(error)).toBe(true)
  if (run.path !== undefined) {
    const reopened = new EventRouter({
      ...run.options,
      transport: new MockTransport(),
      store: sqliteStore({ path: run.path }),
      secrets: { keys: [SEALING_KEY] },
    })
    await reopened.start()
    expect(reopened.pendingCount).toBe(0)
    expect(snapshotOf({ ...run, router: reopened })).toEqual(before)
    await reopened.close()
    await files.discard(run.path)
  }
}

// ---------------------------------------------------------------------------------------------

describe.each(STORES)('EventRouter public API under fuzzing (issue #5, $name store)', (kind) => {
  const crashes: unknown[] = []
  const onCrash = (error: unknown) => {
    crashes.push(error)
  }
  beforeAll(() => {
    process.on('unhandledRejection', onCrash)
    process.on('uncaughtException', onCrash)
  })
  afterAll(() => {
    process.off('unhandledRejection', onCrash)
    process.off('uncaughtException', onCrash)
    expect(crashes).toEqual([])
    if (stats.size > 0) console.log(new Map([...stats].sort()))
  })
  const parameters = { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) }

  it(
    'rejects with typed errors, changes nothing when it rejects, and routes as configured',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          routerSetup,
          fc.tuple(seedOperations, fc.array(operation, { minLength: 1, maxLength: 25 })),
          closeOptions,
          async (setup, operations, close) => {
            const run = await createRun(setup, kind)
            for (const operation of operations.flat()) await step(run, operation)
            await finish(run, close)
            // Let the microtasks and timers of this run fire before looking for crashes.
            await new Promise((resolve) => setImmediate(resolve))
            expect(crashes).toEqual([])
          },
        ),
        parameters,
      )
    },
    TIMEOUT_MS,
  )

  it(
    'emit() only ever throws EventRouterErrors, whatever the name, payload and options',
    async () => {
      await fc.assert(
        fc.asyncProperty(routerSetup, eventName, payload, emitOptions, async (setup, name, data, options) => {
          const run = await createRun(setup, kind)
          run.router.subscriptions.create({
            event: '*',
            integrationId: 'crm',
            filter: { coins: { $gte: 1 } },
          })
          await step(run, { op: 'emit', name, payload: data, options })
          await finish(run, undefined)
        }),
        { ...parameters, numRuns: RUNS * 4 },
      )
    },
    TIMEOUT_MS,
  )
})
