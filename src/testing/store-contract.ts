import type { DeadLetter, ResolvedDeadLetterQuery } from '../dead-letters/dead-letter.js'
import type { AttemptRecord, DeliveryFailureReason } from '../delivery/delivery.js'
import { scopedKey } from '../shared/scope.js'
import type {
  AcceptedEvent,
  DeliveryRecord,
  IntegrationHealth,
  PendingSummary,
  Store,
  StoredConfiguration,
  StoredIntegration,
  StoredSubscription,
  StoreOperation,
} from '../stores/store.js'

/** How {@link storeContractCases} and {@link assertStoreContract} prove a store. */
export interface StoreContractOptions {
  /**
   * Makes a second store over the data of `store`, which the suite has just closed: for a
   * durable store, one on the same file or database. With it, the restart cases run: every
   * record survives, and reopening releases every claim.
   * @default none: the restart cases are left out
   */
  reopen?: (store: Store) => Store | Promise<Store>
  /**
   * Arms a failure of the next `write()` of `store` after it has applied its first operation
   * (a fault injected in the driver, a full disk). With it, the suite checks that a batch that
   * fails midway leaves nothing behind.
   * @default none: atomicity is checked with an operation of unknown type only
   */
  failNextWrite?: (store: Store) => void | Promise<void>
  /**
   * The `durable` flag the store must report; `true` requires `reopen` as well.
   * @default not checked
   */
  durable?: boolean
  /** Size of the large payload the round-trip case stores, in bytes. @default 1000000 */
  largePayloadBytes?: number
  /** How many deliveries the paging case writes and claims. @default 1000 */
  pagedDeliveries?: number
}

/** One case of the contract: `run()` makes a store, opens it, checks, closes it; it throws on a violation. */
export interface StoreContractCase {
  /** What the case checks, to name the test after. */
  readonly name: string
  /** Runs the case: resolves when the store honours the contract, rejects on a violation. */
  run(): Promise<void>
}

/** What a case body gets. */
interface CaseContext {
  /** The store under test, open. */
  readonly store: Store
  readonly options: StoreContractOptions
  write(...operations: StoreOperation[]): Promise<void>
  /** Closes the store and opens the one `options.reopen` makes over its data. */
  restart(): Promise<void>
}

interface CaseDefinition {
  readonly name: string
  readonly needs?: 'reopen' | 'failNextWrite'
  readonly body: (context: CaseContext) => Promise<void>
}

/**
 * The cases every {@link Store} must pass, for any test runner: each one makes a fresh store
 * with `createStore`, opens it, checks one promise of the interface, and closes it.
 *
 * @example
 * describe('myStore', () => {
 *   for (const item of storeContractCases(() => myStore({ path: tempFile() }), { reopen })) {
 *     it(item.name, item.run)
 *   }
 * })
 */
export function storeContractCases(
  createStore: () => Store | Promise<Store>,
  options: StoreContractOptions = {},
): StoreContractCase[] {
  return CASES.filter((item) => item.needs === undefined || options[item.needs] !== undefined).map(
    (item) => ({ name: item.name, run: () => runCase(item, createStore, options) }),
  )
}

/** Runs every case of {@link storeContractCases} and throws one Error listing each that failed. */
export async function assertStoreContract(
  createStore: () => Store | Promise<Store>,
  options: StoreContractOptions = {},
): Promise<void> {
  const cases = storeContractCases(createStore, options)
  const failures: string[] = []
  for (const item of cases) {
    try {
      await item.run()
    } catch (error) {
      failures.push(`- ${item.name}:\n    ${describeError(error)}`)
    }
  }
  if (failures.length > 0) {
    throw new Error(
      `The store breaks the Store contract (${failures.length} of ${cases.length} cases failed):\n${failures.join('\n')}`,
    )
  }
}

async function runCase(
  definition: CaseDefinition,
  createStore: () => Store | Promise<Store>,
  options: StoreContractOptions,
): Promise<void> {
  let store = await createStore()
  await store.open()
  let open = true
  const context: CaseContext = {
    get store() {
      return store
    },
    options,
    write: async (...operations) => {
      await store.write(operations)
    },
    restart: async () => {
      open = false
      await store.close()
      store = await options.reopen!(store)
      await store.open()
      open = true
    },
  }
  let failed = false
  let failure: unknown
  try {
    await definition.body(context)
  } catch (error) {
    failed = true
    failure = error
  }
  if (open) {
    try {
      await store.close()
    } catch (error) {
      if (!failed) throw new Error(`close() threw: ${describeError(error)}`)
    }
  }
  if (failed) throw failure
}

// ---------------------------------------------------------------------------------------------
// Records

const T0 = Date.UTC(2026, 10, 1, 10)
/** A `now` after every notBefore the cases use. */
const LATER = T0 + 86_400_000

const SAMPLE_PAYLOAD = {
  coins: 150,
  balance: 1350,
  reason: 'order',
  customer: { id: 'cus_981', name: 'Ana Lima', email: 'ana@example.com', tier: 'gold' },
}

interface DeliveryShape {
  readonly integrationId?: string
  /** @default the integration id */
  readonly queue?: string
  /** The owning tenant: `record.tenant` and `delivery.tenant`. @default null */
  readonly tenant?: string | null
  /** The emitting tenant: `event.tenant`. @default the owning tenant */
  readonly eventTenant?: string | null
  readonly notBefore?: number
  readonly attempts?: number
  readonly payload?: Readonly<Record<string, unknown>>
}

function attempt(number: number): AttemptRecord {
  return {
    attempt: number,
    startedAt: T0 + number * 1000,
    durationMs: 120.5,
    status: 503,
    errorCode: 'ERR_HTTP_STATUS',
    errorClass: 'DeliveryError',
    errorMessage: 'HTTP 503 Service Unavailable',
    responseBodyExcerpt: '{"error":"busy, try later"}',
  }
}

function pending(id: string, shape: DeliveryShape = {}): DeliveryRecord {
  const attempts = shape.attempts ?? 0
  const integrationId = shape.integrationId ?? 'crm'
  const tenant = shape.tenant === undefined ? null : shape.tenant
  const event = {
    tenant: shape.eventTenant === undefined ? tenant : shape.eventTenant,
    id: `evt_${id}`,
    name: 'wallet.coins_rewarded',
    outgoingName: 'Loyalty wallet.coins_rewarded',
  }
  return {
    id,
    tenant,
    queue: shape.queue ?? integrationId,
    delivery: {
      id,
      tenant,
      eventId: event.id,
      eventName: event.name,
      outgoingName: event.outgoingName,
      subscriptionId: 'sub_loyalty',
      integrationId,
      integrationType: 'webhook',
    },
    event: { ...event, payload: shape.payload ?? SAMPLE_PAYLOAD, occurredAt: T0 - 60_000 },
    attempts,
    retriesUsed: Math.max(0, attempts - 1),
    throttledUsed: 0,
    history: Array.from({ length: attempts }, (_, index) => attempt(index + 1)),
    notBefore: shape.notBefore ?? T0,
    jitter: 1.375,
    redeliveries: 0,
    createdAt: T0 - 59_000,
    firstAttemptAt: attempts > 0 ? T0 + 1000 : null,
  }
}

/**
 * `record` as the router writes it with telemetry on: the W3C Trace Context of the span that
 * emitted it (`eventrouter/telemetry`), with a vendor `tracestate` unless `withState` is false.
 */
function traced(record: DeliveryRecord, withState = true): DeliveryRecord {
  const traceparent = `00-4bf92f3577b34da6a3ce929d0e0e4736-${withState ? '00f067aa0ba902b7' : 'b7ad6b7169203331'}-01`
  return {
    ...record,
    traceContext: withState
      ? { traceparent, tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE' }
      : { traceparent },
  }
}

interface LetterShape {
  readonly integrationId?: string
  /** `delivery.tenant`. @default null */
  readonly tenant?: string | null
  /** `event.tenant`. @default the owning tenant */
  readonly eventTenant?: string | null
  readonly reason?: DeliveryFailureReason
  /** Offset from T0, in ms. */
  readonly at?: number
  readonly message?: string
  readonly payload?: Readonly<Record<string, unknown>>
}

function letter(id: string, shape: LetterShape = {}): DeadLetter {
  const record = pending(id, {
    integrationId: shape.integrationId ?? 'crm',
    tenant: shape.tenant === undefined ? null : shape.tenant,
    ...(shape.eventTenant === undefined ? {} : { eventTenant: shape.eventTenant }),
    attempts: 2,
    ...(shape.payload ? { payload: shape.payload } : {}),
  })
  return {
    id,
    delivery: record.delivery,
    event: {
      tenant: record.event.tenant,
      id: record.event.id,
      name: record.event.name,
      outgoingName: record.event.outgoingName,
      payload: record.event.payload,
      occurredAt: new Date(record.event.occurredAt).toISOString(),
    },
    reason: shape.reason ?? 'retries_exhausted',
    error: { code: 'ERR_HTTP_STATUS', message: shape.message ?? 'HTTP 503 Service Unavailable', status: 503 },
    history: record.history,
    deadLetteredAt: new Date(T0 + (shape.at ?? 0)).toISOString(),
    redeliveries: 1,
  }
}

function integration(
  id: string,
  tenant: string | null,
  name: string | null = `Integration ${id}`,
): StoredIntegration {
  return {
    tenant,
    id,
    type: 'webhook',
    name,
    config: { url: `https://${id}.example/hooks`, headers: { 'x-team': 'loyalty' }, timeoutMs: 5000 },
    secrets: {
      format: 'aes-256-gcm',
      keyId: '2026-11',
      iv: 'AAECAwQFBgcICQoL',
      data: 'q83vEjRWeJq8',
      tag: 'AAECAwQFBgcICQoLDA0ODw==',
    },
    enabled: true,
    disabledReason: null,
    pacing: { concurrency: 4, perSecond: 10, perMinute: null },
    createdAt: '2026-11-01T09:00:00.000Z',
    updatedAt: '2026-11-01T09:00:00.000Z',
  }
}

function subscription(id: string, tenant: string | null, integrationId: string): StoredSubscription {
  return {
    tenant,
    id,
    event: ['wallet.coins_rewarded', 'order.placed'],
    integrationId,
    filter: { 'customer.tier': { $in: ['gold', 'platinum'] }, coins: { $gte: 100 } },
    eventNamePrefix: 'Loyalty ',
    enabled: true,
    createdAt: '2026-11-01T09:00:00.000Z',
    updatedAt: '2026-11-01T09:00:00.000Z',
  }
}

function health(integrationId: string, tenant: string | null = null): IntegrationHealth {
  return {
    integrationId,
    tenant,
    circuit: 'open',
    consecutiveFailures: 5,
    probeAt: T0 + 30_000,
    probeDeliveryId: null,
    pausedUntil: T0 + 1000,
    configFingerprint: 'sha256:9f86d081884c7d65',
  }
}

function accepted(tenant: string | null, eventId: string, acceptedAt: number, deliveries = 1): AcceptedEvent {
  return {
    tenant,
    eventId,
    deliveries: Array.from(
      { length: deliveries },
      (_, index) => pending(`${eventId}_${index}`, { eventTenant: tenant }).delivery,
    ),
    acceptedAt,
  }
}

const put = (record: DeliveryRecord, claimed = false): StoreOperation => ({
  type: 'putDelivery',
  record,
  claimed,
})
const putLetter = (item: DeadLetter): StoreOperation => ({ type: 'putDeadLetter', letter: item })
const eventSwitch = (tenant: string | null, name: string, enabled: boolean): StoreOperation => ({
  type: 'putEventSwitch',
  tenant,
  name,
  enabled,
})

// ---------------------------------------------------------------------------------------------
// Checks

/** Throws unless `actual` is the same JSON value as `expected` (object key order aside). */
function same(actual: unknown, expected: unknown, what: string): void {
  const difference = differenceOf(actual, expected, '')
  if (difference !== undefined) throw new Error(`${what}: ${difference}`)
}

/** Throws unless the ids of `records`, in order, are `expected`. */
function sameIds(
  records: readonly { readonly id: string }[],
  expected: readonly string[],
  what: string,
): void {
  const ids = records.map((record) => record.id)
  if (ids.length !== expected.length || ids.some((id, index) => id !== expected[index])) {
    throw new Error(`${what}: got [${ids.join(', ')}], expected [${expected.join(', ')}]`)
  }
}

function differenceOf(actual: unknown, expected: unknown, path: string): string | undefined {
  const at = path === '' ? '' : ` at ${path}`
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `expected an array${at}, got ${show(actual)}`
    if (actual.length !== expected.length) {
      return `expected ${expected.length} items${at}, got ${actual.length}: ${show(actual)}`
    }
    for (const [index, item] of expected.entries()) {
      const difference = differenceOf(actual[index], item, `${path}[${index}]`)
      if (difference !== undefined) return difference
    }
    return undefined
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) {
      return `expected an object${at}, got ${show(actual)}`
    }
    const actualKeys = Object.keys(actual).filter(
      (key) => (actual as Record<string, unknown>)[key] !== undefined,
    )
    const expectedKeys = Object.keys(expected).filter(
      (key) => (expected as Record<string, unknown>)[key] !== undefined,
    )
    const missing = expectedKeys.filter((key) => !actualKeys.includes(key))
    if (missing.length > 0) return `missing ${missing.map((key) => JSON.stringify(key)).join(', ')}${at}`
    const extra = actualKeys.filter((key) => !expectedKeys.includes(key))
    if (extra.length > 0) return `unexpected ${extra.map((key) => JSON.stringify(key)).join(', ')}${at}`
    for (const key of expectedKeys) {
      const next = /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`
      const difference = differenceOf(
        (actual as Record<string, unknown>)[key],
        (expected as Record<string, unknown>)[key],
        next,
      )
      if (difference !== undefined) return difference
    }
    return undefined
  }
  if (actual === expected) return undefined
  return `expected ${show(expected)}${at}, got ${show(actual)}`
}

function show(value: unknown): string {
  if (value === undefined) return 'undefined'
  let text: string
  try {
    text = JSON.stringify(value) ?? String(value)
  } catch {
    text = String(value)
  }
  return text.length > 120 ? `${text.slice(0, 117)}...` : text
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(message)
}

/** What `action` threw (or rejected with), or `undefined` when it did not. */
async function thrownBy(action: () => unknown): Promise<{ readonly error: unknown } | undefined> {
  try {
    await action()
    return undefined
  } catch (error) {
    return { error }
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

const byKey =
  <T>(key: (item: T) => string) =>
  (a: T, b: T) =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0

/** Records keyed by tenant and id, by id then tenant: the interface promises no order. */
function sortedByIdAndTenant<T extends { readonly tenant: string | null }>(
  items: readonly T[],
  id: (item: T) => string,
): T[] {
  return [...items].sort(byKey((item) => JSON.stringify([id(item), item.tenant])))
}

/** The configuration in a fixed order: the interface does not promise one. */
function sortedConfiguration(configuration: StoredConfiguration): StoredConfiguration {
  return {
    integrations: sortedByIdAndTenant(configuration.integrations, (item) => item.id),
    subscriptions: sortedByIdAndTenant(configuration.subscriptions, (item) => item.id),
    disabledEvents: sortedSwitches(configuration.disabledEvents),
  }
}

function sortedHealth(items: readonly IntegrationHealth[]): IntegrationHealth[] {
  return sortedByIdAndTenant(items, (item) => item.integrationId)
}

function sortedSwitches(
  switches: StoredConfiguration['disabledEvents'],
): StoredConfiguration['disabledEvents'] {
  return [...switches].sort(byKey((item) => JSON.stringify([item.tenant, item.name])))
}

async function summaryOf(store: Store): Promise<PendingSummary[]> {
  return [...(await store.pendingSummary())].sort(byKey((item) => item.queue))
}

/** Everything `store` shows of the given deliveries and accepted events, and all the rest. */
async function snapshotOf(
  store: Store,
  keys: {
    readonly deliveries: readonly string[]
    readonly accepted: readonly (readonly [string | null, string])[]
  },
) {
  return {
    deliveries: await store.getDeliveries(keys.deliveries),
    deadLetters: await store.listDeadLetters({}),
    configuration: sortedConfiguration(await store.loadConfiguration()),
    health: sortedHealth(await store.loadHealth()),
    pending: await summaryOf(store),
    accepted: await Promise.all(keys.accepted.map(([tenant, id]) => store.getAcceptedEvent(tenant, id))),
  }
}

/** Tenants that a store must keep apart: the platform scope and strings that look like it. */
const TENANTS: readonly (string | null)[] = [null, '', 'null', 'acme']

// ---------------------------------------------------------------------------------------------
// Cases

const CASES: readonly CaseDefinition[] = [
  {
    name: 'open: a new store is empty; an empty batch is accepted',
    async body({ store, write }) {
      await write()
      same(
        await store.loadConfiguration(),
        { integrations: [], subscriptions: [], disabledEvents: [] },
        'loadConfiguration() of a new store',
      )
      same(await store.loadHealth(), [], 'loadHealth() of a new store')
      same(await store.pendingSummary(), [], 'pendingSummary() of a new store')
      same(await store.listDeadLetters({}), [], 'listDeadLetters({}) of a new store')
      same(await store.getDeliveries(['dlv_unknown']), [], "getDeliveries(['dlv_unknown']) of a new store")
      same(
        await store.claimDue('crm', LATER, 10),
        { records: [], nextDueAt: null },
        'claimDue() of a new store',
      )
      same(await store.getAcceptedEvent(null, 'evt_unknown'), undefined, 'getAcceptedEvent() of a new store')
    },
  },
  {
    name: 'durable: `durable` is a boolean, as expected',
    async body({ store, options }) {
      check(typeof store.durable === 'boolean', `durable is ${show(store.durable)}, not a boolean`)
      if (options.durable === undefined) return
      check(store.durable === options.durable, `durable is ${store.durable}, expected ${options.durable}`)
      check(
        !options.durable || options.reopen !== undefined,
        'a durable store must be proved with `reopen`, so that the restart cases run',
      )
    },
  },
  {
    name: 'deliveries: putDelivery inserts and replaces by id; getDeliveries follows the order of ids and skips unknown ids',
    async body({ store, write }) {
      const a = pending('dlv_a')
      const b = pending('dlv_b', { integrationId: 'mail', tenant: 'acme' })
      const c = pending('dlv_c')
      await write(put(a), put(b))
      await write(put(c, true))
      same(
        await store.getDeliveries(['dlv_c', 'dlv_unknown', 'dlv_a', 'dlv_b']),
        [c, a, b],
        "getDeliveries(['dlv_c', 'dlv_unknown', 'dlv_a', 'dlv_b'])",
      )
      const retried = pending('dlv_a', { attempts: 2, notBefore: T0 + 5000 })
      await write(put(retried))
      same(await store.getDeliveries(['dlv_a']), [retried], 'getDeliveries after dlv_a was replaced')
      same(await store.getDeliveries([]), [], 'getDeliveries([])')
      same(
        await summaryOf(store),
        [
          { queue: 'crm', pending: 2, unclaimed: 1, nextDueAt: T0 + 5000 },
          { queue: 'mail', pending: 1, unclaimed: 1, nextDueAt: T0 },
        ],
        'pendingSummary() after a replace (the replaced delivery counts once)',
      )
    },
  },
  {
    name: 'deliveries: deleteDelivery removes one, claimed or not; an unknown id is ignored',
    async body({ store, write }) {
      await write(put(pending('dlv_a')), put(pending('dlv_b'), true), put(pending('dlv_c')))
      await write(
        { type: 'deleteDelivery', id: 'dlv_a' },
        { type: 'deleteDelivery', id: 'dlv_b' },
        { type: 'deleteDelivery', id: 'dlv_unknown' },
      )
      sameIds(
        await store.getDeliveries(['dlv_a', 'dlv_b', 'dlv_c']),
        ['dlv_c'],
        'getDeliveries after deletes',
      )
      same(
        await summaryOf(store),
        [{ queue: 'crm', pending: 1, unclaimed: 1, nextDueAt: T0 }],
        'pendingSummary() after deletes',
      )
      sameIds((await store.claimDue('crm', LATER, 10)).records, ['dlv_c'], 'claimDue after deletes')
      await write({ type: 'deleteDelivery', id: 'dlv_c' })
      same(await store.pendingSummary(), [], 'pendingSummary() once nothing is pending')
    },
  },
  {
    name: 'deliveries: a record keeps its traceContext (traceparent and tracestate) through putDelivery, getDeliveries and claimDue; one without it comes back without it',
    async body({ store, write }) {
      const full = traced(pending('dlv_traced'))
      const bare = traced(pending('dlv_traced_bare'), false)
      const none = pending('dlv_untraced')
      await write(put(full), put(bare), put(none))
      same(
        await store.getDeliveries(['dlv_traced', 'dlv_traced_bare', 'dlv_untraced']),
        [full, bare, none],
        'getDeliveries() of records with and without a traceContext',
      )
      const claimed = await store.claimDue('crm', LATER, 10)
      same(
        [...claimed.records].sort((a, b) => a.id.localeCompare(b.id)),
        [full, bare, none],
        'claimDue() of records with and without a traceContext',
      )
      // A retry writes the record again, claimed: the context must travel with each version.
      const retried = { ...full, attempts: 1, retriesUsed: 0, history: [attempt(1)], notBefore: T0 + 5000 }
      await write(put(retried, true))
      same(await store.getDeliveries(['dlv_traced']), [retried], 'getDeliveries() after a retry was written')
    },
  },
  {
    name: 'write: a batch applies its operations in order',
    async body({ store, write }) {
      const retried = pending('dlv_b', { attempts: 1 })
      const kept = letter('dlv_m')
      const health2 = { ...health('crm'), circuit: 'closed' as const, consecutiveFailures: 0, probeAt: null }
      await write(
        put(pending('dlv_a')),
        { type: 'deleteDelivery', id: 'dlv_a' },
        put(pending('dlv_b')),
        put(retried),
        { type: 'deleteDelivery', id: 'dlv_unknown' },
        putLetter(letter('dlv_l')),
        { type: 'deleteDeadLetter', id: 'dlv_l' },
        putLetter(kept),
        eventSwitch(null, 'order.placed', false),
        eventSwitch(null, 'order.placed', true),
        eventSwitch(null, 'never.disabled', true),
        eventSwitch('acme', 'order.placed', false),
        { type: 'putHealth', health: health('crm') },
        { type: 'deleteHealth', tenant: null, integrationId: 'crm' },
        { type: 'putHealth', health: health2 },
        { type: 'putIntegration', integration: integration('int_i', null) },
        { type: 'deleteIntegration', tenant: null, id: 'int_i' },
        { type: 'putIntegration', integration: integration('int_j', null) },
        { type: 'putSubscription', subscription: subscription('sub_s', null, 'int_j') },
        { type: 'deleteSubscription', tenant: null, id: 'sub_s' },
        { type: 'putSubscription', subscription: subscription('sub_t', null, 'int_j') },
        { type: 'putAcceptedEvent', event: accepted(null, 'evt_e', T0) },
        { type: 'pruneAcceptedEvents', before: T0 + 1 },
        { type: 'putAcceptedEvent', event: accepted(null, 'evt_f', T0) },
      )
      same(await store.getDeliveries(['dlv_a', 'dlv_b']), [retried], 'deliveries after the batch')
      same(await store.listDeadLetters({}), [kept], 'dead letters after the batch')
      same(
        sortedConfiguration(await store.loadConfiguration()),
        {
          integrations: [integration('int_j', null)],
          subscriptions: [subscription('sub_t', null, 'int_j')],
          disabledEvents: [{ tenant: 'acme', name: 'order.placed' }],
        },
        'configuration after the batch',
      )
      same(await store.loadHealth(), [health2], 'health after the batch')
      same(await store.getAcceptedEvent(null, 'evt_e'), undefined, 'evt_e, pruned after it was put')
      same(
        await store.getAcceptedEvent(null, 'evt_f'),
        accepted(null, 'evt_f', T0),
        'evt_f, put after the prune',
      )
    },
  },
  {
    name: 'write: each operation changes its own record only (a delivery and its dead letter share an id)',
    async body({ store, write }) {
      await write(
        put(pending('dlv_x')),
        { type: 'putIntegration', integration: integration('int_x', null) },
        { type: 'putSubscription', subscription: subscription('sub_x', null, 'int_x') },
        { type: 'putHealth', health: health('int_x') },
      )
      // What the router writes when a delivery fails for good.
      await write(putLetter(letter('dlv_x')), { type: 'deleteDelivery', id: 'dlv_x' })
      same(await store.getDeliveries(['dlv_x']), [], 'the delivery after it was dead-lettered')
      sameIds(await store.listDeadLetters({}), ['dlv_x'], 'the dead letter of the same id')
      await write({ type: 'deleteIntegration', tenant: null, id: 'int_x' })
      const configuration = await store.loadConfiguration()
      same(configuration.integrations, [], 'integrations after deleteIntegration')
      sameIds(configuration.subscriptions, ['sub_x'], 'subscriptions after deleteIntegration (not cascaded)')
      same(await store.loadHealth(), [health('int_x')], 'health after deleteIntegration (not cascaded)')
      // What the router writes when it redelivers a dead letter.
      const again = pending('dlv_x', { attempts: 0 })
      await write({ type: 'deleteDeadLetter', id: 'dlv_x' }, put(again))
      same(await store.listDeadLetters({}), [], 'dead letters after the redelivery')
      same(await store.getDeliveries(['dlv_x']), [again], 'the delivery after its redelivery')
    },
  },
  {
    name: 'write: a batch with an operation of unknown type throws and keeps none of it',
    async body(context) {
      const { write } = context
      await write(
        put(pending('dlv_keep')),
        putLetter(letter('dlv_letter')),
        { type: 'putIntegration', integration: integration('int_keep', null) },
        eventSwitch(null, 'order.placed', false),
        { type: 'putAcceptedEvent', event: accepted(null, 'evt_keep', T0) },
      )
      const keys = {
        deliveries: ['dlv_keep', 'dlv_new', 'dlv_new_acme'],
        accepted: [[null, 'evt_keep'] as const, [null, 'evt_new'] as const],
      }
      const before = await snapshotOf(context.store, keys)
      const thrown = await thrownBy(() =>
        context.store.write([...everyKindOfChange(), { type: 'noSuchOperation' } as never]),
      )
      check(
        thrown !== undefined,
        'write() accepted a batch ending with an operation of type `noSuchOperation`',
      )
      check(thrown?.error instanceof Error, `write() threw ${show(thrown?.error)}, not an Error`)
      same(
        await snapshotOf(context.store, keys),
        before,
        'after the failed batch (nothing of it may be kept)',
      )
      await write(put(pending('dlv_new')))
      sameIds(await context.store.getDeliveries(['dlv_new']), ['dlv_new'], 'a write after the failed batch')
    },
  },
  {
    name: 'write: a batch that fails midway keeps none of it, before and after a restart',
    needs: 'failNextWrite',
    async body(context) {
      const { write, options } = context
      await write(
        put(pending('dlv_keep')),
        putLetter(letter('dlv_letter')),
        { type: 'putIntegration', integration: integration('int_keep', null) },
        eventSwitch(null, 'order.placed', false),
        { type: 'putAcceptedEvent', event: accepted(null, 'evt_keep', T0) },
      )
      const keys = {
        deliveries: ['dlv_keep', 'dlv_new', 'dlv_new_acme'],
        accepted: [[null, 'evt_keep'] as const, [null, 'evt_new'] as const],
      }
      const before = await snapshotOf(context.store, keys)
      await options.failNextWrite!(context.store)
      const thrown = await thrownBy(() => context.store.write(everyKindOfChange()))
      check(thrown !== undefined, 'write() did not fail after `failNextWrite` armed a failure')
      same(
        await snapshotOf(context.store, keys),
        before,
        'after the failed batch (nothing of it may be kept)',
      )
      if (options.reopen !== undefined) {
        await context.restart()
        same(await snapshotOf(context.store, keys), before, 'after the failed batch and a restart')
      }
      await write(put(pending('dlv_new')))
      sameIds(await context.store.getDeliveries(['dlv_new']), ['dlv_new'], 'a write after the failed batch')
    },
  },
  {
    name: 'claimDue: earliest notBefore first, ties in first-write order; a replaced delivery keeps its place',
    async body({ store, write }) {
      await write(put(pending('dlv_1', { notBefore: T0 + 200 })))
      await write(put(pending('dlv_2', { notBefore: T0 + 100 })))
      await write(put(pending('dlv_3', { notBefore: T0 + 200 })))
      await write(
        put(pending('dlv_4', { notBefore: T0 + 100 })),
        put(pending('dlv_5', { notBefore: T0 + 100 })),
      )
      const first = pending('dlv_1', { notBefore: T0 + 200, attempts: 1 })
      const second = pending('dlv_2', { notBefore: T0 + 300, attempts: 1 })
      await write(put(first), put(second))
      const claimed = await store.claimDue('crm', LATER, 10)
      sameIds(
        claimed.records,
        ['dlv_4', 'dlv_5', 'dlv_1', 'dlv_3', 'dlv_2'],
        'claimDue() order (notBefore, then first write; dlv_1 was replaced in place, dlv_2 moved to a later notBefore)',
      )
      same(claimed.records[2], first, 'the claimed dlv_1 (its latest version)')
      same(claimed.records[4], second, 'the claimed dlv_2 (its latest version)')
      same(claimed.nextDueAt, null, 'nextDueAt once every delivery is claimed')
    },
  },
  {
    name: 'claimDue: at most `limit`, only deliveries due at `now` (notBefore <= now), only of the queue asked',
    async body({ store, write }) {
      await write(
        put(pending('dlv_c1', { notBefore: T0 })),
        put(pending('dlv_c2', { notBefore: T0 + 10 })),
        put(pending('dlv_c3', { notBefore: T0 + 10 })),
        put(pending('dlv_c4', { notBefore: T0 + 11 })),
        put(pending('dlv_m1', { notBefore: T0, integrationId: 'mail' })),
      )
      const page1 = await store.claimDue('crm', T0 + 10, 2)
      sameIds(page1.records, ['dlv_c1', 'dlv_c2'], "claimDue('crm', T0 + 10, 2)")
      same(page1.nextDueAt, T0 + 10, 'nextDueAt after the first page (dlv_c3 is left)')
      const page2 = await store.claimDue('crm', T0 + 10, 5)
      sameIds(page2.records, ['dlv_c3'], "claimDue('crm', T0 + 10, 5)")
      same(page2.nextDueAt, T0 + 11, 'nextDueAt counts deliveries not yet due')
      const none = await store.claimDue('crm', T0 + 10, 5)
      same(none, { records: [], nextDueAt: T0 + 11 }, 'claimDue() when nothing is due yet')
      same(
        await store.claimDue('crm', T0 + 11, 0),
        { records: [], nextDueAt: T0 + 11 },
        'claimDue() with limit 0',
      )
      same(
        await store.claimDue('nobody', LATER, 5),
        { records: [], nextDueAt: null },
        'claimDue() of an unknown queue',
      )
      same(
        await store.claimDue('mail', T0 - 1, 5),
        { records: [], nextDueAt: T0 },
        "claimDue('mail') before it is due",
      )
      const mail = await store.claimDue('mail', T0, 5)
      sameIds(mail.records, ['dlv_m1'], "claimDue('mail', T0, 5)")
      same(mail.nextDueAt, null, "nextDueAt of 'mail' once it is all claimed")
      same(
        (await store.claimDue('crm', LATER, 5)).records.map((record) => record.id),
        ['dlv_c4'],
        "what is left of 'crm'",
      )
    },
  },
  {
    name: 'claimDue: a claimed delivery is not returned again until putDelivery with claimed: false releases it',
    async body({ store, write }) {
      await write(put(pending('dlv_a', { notBefore: T0 })))
      await write(put(pending('dlv_b', { notBefore: T0 + 1 })))
      await write(put(pending('dlv_c', { notBefore: T0 + 2 })))
      sameIds(
        (await store.claimDue('crm', LATER, 10)).records,
        ['dlv_a', 'dlv_b', 'dlv_c'],
        'the first claim',
      )
      same(await store.claimDue('crm', LATER, 10), { records: [], nextDueAt: null }, 'claimDue() again')
      sameIds(await store.getDeliveries(['dlv_a']), ['dlv_a'], 'getDeliveries of a claimed delivery')
      // The router counts an attempt while it holds the delivery.
      await write(put(pending('dlv_a', { attempts: 1 }), true))
      same(
        await store.claimDue('crm', LATER, 10),
        { records: [], nextDueAt: null },
        'after a put with claimed: true',
      )
      // ... and releases one for a retry later.
      const retry = pending('dlv_b', { attempts: 1, notBefore: T0 + 50 })
      await write(put(retry))
      same(
        await store.claimDue('crm', T0 + 49, 10),
        { records: [], nextDueAt: T0 + 50 },
        'before the retry is due',
      )
      same((await store.claimDue('crm', T0 + 50, 10)).records, [retry], 'when the retry is due')
      const released = pending('dlv_a', { attempts: 1 })
      await write(put(released))
      same((await store.claimDue('crm', LATER, 10)).records, [released], 'after dlv_a was released')
      // A delivery written as claimed (its first attempt starts at once) is never claimable.
      await write(put(pending('dlv_d'), true))
      same(
        await store.claimDue('crm', LATER, 10),
        { records: [], nextDueAt: null },
        'a delivery put as claimed',
      )
      same(
        await summaryOf(store),
        [{ queue: 'crm', pending: 4, unclaimed: 0, nextDueAt: null }],
        'pendingSummary() with every delivery claimed',
      )
    },
  },
  {
    name: 'claimDue: nextDueAt is the earliest notBefore left unclaimed in the queue, due or not, else null',
    async body({ store, write }) {
      await write(
        put(pending('dlv_a', { notBefore: T0 + 300 })),
        put(pending('dlv_b', { notBefore: T0 + 100 })),
        put(pending('dlv_c', { notBefore: T0 + 200 })),
        put(pending('dlv_m', { notBefore: T0, integrationId: 'mail' })),
        put(pending('dlv_held', { notBefore: T0 + 150 }), true),
      )
      const steps: [number, string[], number | null][] = [
        [T0 + 100, ['dlv_b'], T0 + 200],
        [T0, [], T0 + 200],
        [LATER, ['dlv_c'], T0 + 300],
        [LATER, ['dlv_a'], null],
      ]
      for (const [index, [now, ids, next]] of steps.entries()) {
        const claimed = await store.claimDue('crm', now, 1)
        sameIds(claimed.records, ids, `claim ${index + 1}`)
        same(claimed.nextDueAt, next, `nextDueAt after claim ${index + 1}`)
      }
    },
  },
  {
    name: 'claimDue: claims by queue: the queues of one integration are claimed apart; one queue may hold several integrations',
    async body({ store, write }) {
      // As the router does for a platform integration: one queue per emitting tenant.
      const ofCrm = (id: string, tenant: string, notBefore: number) =>
        put(pending(id, { queue: `/crm:${tenant}`, eventTenant: tenant, notBefore }))
      await write(
        ofCrm('dlv_a1', 'acme', T0 + 10),
        ofCrm('dlv_g1', 'globex', T0),
        ofCrm('dlv_a2', 'acme', T0 + 20),
        ofCrm('dlv_g2', 'globex', T0 + 30),
        put(pending('dlv_m1', { queue: '/shared', integrationId: 'mail', notBefore: T0 + 5 })),
        put(pending('dlv_s1', { queue: '/shared', integrationId: 'sms', notBefore: T0 + 1 })),
      )
      same(
        await store.claimDue('crm', LATER, 10),
        { records: [], nextDueAt: null },
        "claimDue('crm'): the integration's deliveries wait in queues of other names",
      )
      const acme = await store.claimDue('/crm:acme', LATER, 1)
      sameIds(
        acme.records,
        ['dlv_a1'],
        "claimDue('/crm:acme', LATER, 1) (not dlv_g1 of '/crm:globex', due earlier)",
      )
      same(acme.nextDueAt, T0 + 20, "nextDueAt of '/crm:acme' (not dlv_g1's notBefore)")
      const globex = await store.claimDue('/crm:globex', T0, 10)
      sameIds(globex.records, ['dlv_g1'], "claimDue('/crm:globex', T0, 10)")
      same(globex.nextDueAt, T0 + 30, "nextDueAt of '/crm:globex'")
      same(
        await store.claimDue('/crm:globex', T0 + 29, 10),
        { records: [], nextDueAt: T0 + 30 },
        "claimDue('/crm:globex') once its due delivery is claimed (dlv_a2 of '/crm:acme' is due)",
      )
      sameIds(
        (await store.claimDue('/crm:acme', LATER, 10)).records,
        ['dlv_a2'],
        "what is left of '/crm:acme'",
      )
      same(
        await store.claimDue('mail', LATER, 10),
        { records: [], nextDueAt: null },
        "claimDue('mail'): its delivery waits in '/shared'",
      )
      const shared = await store.claimDue('/shared', LATER, 10)
      sameIds(
        shared.records,
        ['dlv_s1', 'dlv_m1'],
        "claimDue('/shared'): two integrations' deliveries, earliest first",
      )
      same(shared.nextDueAt, null, "nextDueAt of '/shared' once it is all claimed")
      sameIds(
        (await store.claimDue('/crm:globex', LATER, 10)).records,
        ['dlv_g2'],
        "what is left of '/crm:globex'",
      )
    },
  },
  {
    name: 'pendingSummary: per queue with pending deliveries, how many, how many unclaimed, the earliest unclaimed notBefore',
    async body({ store, write }) {
      await write(
        put(pending('dlv_a', { notBefore: T0 + 5 })),
        put(pending('dlv_b', { notBefore: T0 + 1 }), true),
        put(pending('dlv_c', { notBefore: T0 + 9 })),
        put(pending('dlv_m', { notBefore: T0 + 3, integrationId: 'mail' }), true),
        put(pending('dlv_s', { notBefore: T0 + 7, integrationId: 'sms' })),
      )
      same(
        await summaryOf(store),
        [
          { queue: 'crm', pending: 3, unclaimed: 2, nextDueAt: T0 + 5 },
          { queue: 'mail', pending: 1, unclaimed: 0, nextDueAt: null },
          { queue: 'sms', pending: 1, unclaimed: 1, nextDueAt: T0 + 7 },
        ],
        'pendingSummary()',
      )
      await store.claimDue('crm', T0 + 5, 1)
      await write(
        { type: 'deleteDelivery', id: 'dlv_s' },
        put(pending('dlv_m', { notBefore: T0 + 3, integrationId: 'mail' })),
      )
      same(
        await summaryOf(store),
        [
          { queue: 'crm', pending: 3, unclaimed: 1, nextDueAt: T0 + 9 },
          { queue: 'mail', pending: 1, unclaimed: 1, nextDueAt: T0 + 3 },
        ],
        'pendingSummary() after a claim, a delete and a release',
      )
      // A delivery replaced with another queue (here, of another integration) moves there.
      await write(put(pending('dlv_c', { notBefore: T0 + 9, integrationId: 'mail' })))
      same(
        await summaryOf(store),
        [
          { queue: 'crm', pending: 2, unclaimed: 0, nextDueAt: null },
          { queue: 'mail', pending: 2, unclaimed: 2, nextDueAt: T0 + 3 },
        ],
        'pendingSummary() after dlv_c moved to mail',
      )
      sameIds(
        (await store.claimDue('mail', LATER, 10)).records,
        ['dlv_m', 'dlv_c'],
        "claimDue('mail') after the move",
      )
    },
  },
  {
    name: 'pendingSummary: counts per queue, not per integration: the queues of one integration apart, the integrations of one queue together',
    async body({ store, write }) {
      await write(
        put(pending('dlv_a1', { queue: '/crm:acme', eventTenant: 'acme', notBefore: T0 + 4 })),
        put(pending('dlv_a2', { queue: '/crm:acme', eventTenant: 'acme', notBefore: T0 + 2 }), true),
        put(pending('dlv_g1', { queue: '/crm:globex', eventTenant: 'globex', notBefore: T0 + 1 })),
        put(pending('dlv_m1', { queue: '/shared', integrationId: 'mail', notBefore: T0 + 8 })),
        put(pending('dlv_s1', { queue: '/shared', integrationId: 'sms', notBefore: T0 + 6 })),
      )
      same(
        await summaryOf(store),
        [
          { queue: '/crm:acme', pending: 2, unclaimed: 1, nextDueAt: T0 + 4 },
          { queue: '/crm:globex', pending: 1, unclaimed: 1, nextDueAt: T0 + 1 },
          { queue: '/shared', pending: 2, unclaimed: 2, nextDueAt: T0 + 6 },
        ],
        'pendingSummary()',
      )
      // Put again in another queue of its integration: it moves there, and its old queue empties.
      await write(put(pending('dlv_g1', { queue: '/crm:acme', eventTenant: 'globex', notBefore: T0 + 1 })))
      await store.claimDue('/shared', T0 + 6, 1)
      same(
        await summaryOf(store),
        [
          { queue: '/crm:acme', pending: 3, unclaimed: 2, nextDueAt: T0 + 1 },
          { queue: '/shared', pending: 2, unclaimed: 1, nextDueAt: T0 + 8 },
        ],
        "pendingSummary() after dlv_g1 moved to '/crm:acme' and a claim in '/shared'",
      )
    },
  },
  {
    name: 'deliveries: many deliveries are claimed in pages, in order, each once',
    async body({ store, write, options }) {
      const count = options.pagedDeliveries ?? 1000
      const records = Array.from({ length: count }, (_, index) =>
        pending(`dlv_${String(index).padStart(6, '0')}`, { notBefore: T0 + ((index * 7919) % 97) }),
      )
      for (let start = 0; start < count; start += 100)
        await write(...records.slice(start, start + 100).map((record) => put(record)))
      const expected = records
        .map((record, index) => ({ id: record.id, notBefore: record.notBefore, index }))
        .sort((a, b) => a.notBefore - b.notBefore || a.index - b.index)
        .map((item) => item.id)
      const claimed: string[] = []
      for (let page = 0; page <= count / 64 + 1; page++) {
        const result = await store.claimDue('crm', LATER, 64)
        check(result.records.length <= 64, `claimDue(…, 64) returned ${result.records.length} records`)
        claimed.push(...result.records.map((record) => record.id))
        if (result.nextDueAt === null) break
      }
      same(claimed.length, count, 'deliveries claimed in pages of 64')
      const misplaced = claimed.findIndex((id, index) => id !== expected[index])
      check(
        misplaced === -1,
        `page order differs first at position ${misplaced}: got ${claimed[misplaced]}, expected ${expected[misplaced]}`,
      )
      same(
        await summaryOf(store),
        [{ queue: 'crm', pending: count, unclaimed: 0, nextDueAt: null }],
        'pendingSummary() after claiming all',
      )
    },
  },
  {
    name: 'records: every kind of record round-trips exactly (nested JSON, unicode, numbers, a large payload)',
    async body({ store, write, options }) {
      const payload = richPayload(options.largePayloadBytes ?? 1_000_000)
      const delivery = pending('dlv_rich', { payload, attempts: 3, tenant: 'acme' })
      const deadLetter = letter('dlv_rich_letter', { payload })
      const richIntegration: StoredIntegration = {
        ...integration('int_rich', 'acme', 'Ünïcödé CRM ✓'),
        config: { url: 'https://crm.example/hooks', mapping: payload.nested, labels: ['ü', '👩🏽‍💻', ''] },
        secrets: { format: 'plain', values: { apiKey: 'sk_live_ü👍"\\', extra: { nested: [1, 2, 3] } } },
        pacing: null,
        enabled: false,
        disabledReason: 'The destination answered 410 Gone',
      }
      const richSubscription: StoredSubscription = {
        ...subscription('sub_rich', 'acme', 'int_rich'),
        event: '*',
        filter: { $or: [{ 'customer.name': { $regex: '^Ана' } }, { coins: { $in: [0, -1, 1.5, 1e21] } }] },
        eventNamePrefix: null,
      }
      const richHealth: IntegrationHealth = {
        ...health('int_rich', 'acme'),
        circuit: 'half-open',
        probeDeliveryId: 'dlv_rich',
      }
      const event = accepted('acme', 'evt_rich_ü👍', T0 + 0.5, 3)
      await write(
        put(delivery),
        putLetter(deadLetter),
        { type: 'putIntegration', integration: richIntegration },
        { type: 'putSubscription', subscription: richSubscription },
        { type: 'putHealth', health: richHealth },
        { type: 'putAcceptedEvent', event },
        eventSwitch('acme', 'wallet.coins_rewarded', false),
      )
      same(await store.getDeliveries(['dlv_rich']), [delivery], 'the delivery read back')
      same(await store.listDeadLetters({}), [deadLetter], 'the dead letter read back')
      same(
        sortedConfiguration(await store.loadConfiguration()),
        {
          integrations: [richIntegration],
          subscriptions: [richSubscription],
          disabledEvents: [{ tenant: 'acme', name: 'wallet.coins_rewarded' }],
        },
        'the configuration read back',
      )
      same(await store.loadHealth(), [richHealth], 'the health read back')
      same(await store.getAcceptedEvent('acme', 'evt_rich_ü👍'), event, 'the accepted event read back')
      same(
        (await store.claimDue('crm', LATER, 1)).records,
        [delivery],
        'the delivery as claimDue() returns it',
      )
    },
  },
  {
    name: 'records: strings keep control characters, NUL, lone surrogates and line separators; ids and queues keep their punctuation',
    async body({ store, write }) {
      const strings = {
        nul: 'a\u0000b',
        controls: '\u0001\u0008\u001f\u007f\u0085',
        loneHigh: '\ud800',
        loneLow: 'x\udfff',
        reversedPair: '\udc00\ud800',
        bom: '\ufeffbom',
        separators: 'a\u2028b\u2029c',
        noncharacters: '\ufffe\uffff',
        'key\u0000with nul': 'value',
      }
      // The characters the router allows in ids and event names besides letters and digits.
      const id = 'Dlv_9.a:b-c_'
      // A queue named as the router names a platform integration's queue for one emitting
      // tenant: its key, `#`, the tenant.
      const queue = '/Int:eu-1.b_2#acme:eu-1'
      const record = pending(id, {
        payload: strings,
        integrationId: 'Int:eu-1.b_2',
        eventTenant: 'acme:eu-1',
        queue,
      })
      await write(put(record), eventSwitch('acme:eu-1', 'Wallet.coins_rewarded:v2/beta-1', false))
      same(await store.getDeliveries([id]), [record], 'a delivery with special characters, read back')
      same(
        (await store.loadConfiguration()).disabledEvents,
        [{ tenant: 'acme:eu-1', name: 'Wallet.coins_rewarded:v2/beta-1' }],
        'an event switch with punctuation in its tenant and name',
      )
      same(
        await store.pendingSummary(),
        [{ queue, pending: 1, unclaimed: 1, nextDueAt: T0 }],
        'pendingSummary() of a queue named with punctuation and a NUL',
      )
      same(
        await store.claimDue('/Int:eu-1.b_2', LATER, 1),
        { records: [], nextDueAt: null },
        'claimDue() of the part before the NUL',
      )
      same((await store.claimDue(queue, LATER, 1)).records, [record], 'the same delivery, claimed')
    },
  },
  {
    name: 'records: a delivery keeps its queue, tenant, delivery.tenant and event.tenant exactly (null, "", "null", "acme"), owner and emitter apart',
    async body({ store, write }) {
      // Every owner (the integration's tenant) with every emitter (the event's tenant).
      const records = TENANTS.flatMap((owner, o) =>
        TENANTS.map((emitter, e) =>
          pending(`dlv_${o}${e}`, {
            tenant: owner,
            eventTenant: emitter,
            queue: `/crm:${JSON.stringify(emitter)}`,
            notBefore: T0 + o * 10 + e,
          }),
        ),
      )
      const letters = TENANTS.map((tenant, index) =>
        letter(`dlv_letter_${index}`, {
          tenant,
          eventTenant: TENANTS[(index + 1) % TENANTS.length]!,
          at: index,
        }),
      )
      await write(...records.map((record) => put(record)), ...letters.map(putLetter))
      const ids = records.map((record) => record.id)
      same(await store.getDeliveries(ids), records, 'getDeliveries() of every owner and emitter')
      const claimed: DeliveryRecord[] = []
      for (const queue of new Set(records.map((record) => record.queue)))
        claimed.push(...(await store.claimDue(queue, LATER, 100)).records)
      same(
        [...claimed].sort(byKey((record) => record.id)),
        records,
        'the same deliveries, as claimDue() returns them',
      )
      same(
        await store.listDeadLetters({}),
        letters,
        'dead letters, each with a delivery.tenant and an event.tenant',
      )
    },
  },
  {
    name: 'dead letters: putDeadLetter inserts and replaces by id; deleteDeadLetter removes; unknown ids are ignored',
    async body({ store, write }) {
      await write(putLetter(letter('dlv_1', { at: 0 })), putLetter(letter('dlv_2', { at: 10 })))
      const replaced = letter('dlv_1', { at: 0, reason: 'not_retryable', message: 'HTTP 400 Bad Request' })
      await write(putLetter(replaced), { type: 'deleteDeadLetter', id: 'dlv_unknown' })
      same(await store.listDeadLetters({ ids: ['dlv_1'] }), [replaced], 'dlv_1 after it was replaced')
      sameIds(await store.listDeadLetters({}), ['dlv_1', 'dlv_2'], 'every dead letter')
      await write({ type: 'deleteDeadLetter', id: 'dlv_2' })
      same(await store.listDeadLetters({}), [replaced], 'after dlv_2 was deleted')
    },
  },
  {
    name: 'dead letters: listDeadLetters returns the oldest first, by deadLetteredAt, then in write order',
    async body({ store, write }) {
      await write(putLetter(letter('dlv_a', { at: 20 })))
      await write(putLetter(letter('dlv_b', { at: 10 })))
      await write(putLetter(letter('dlv_c', { at: 20 })))
      await write(putLetter(letter('dlv_d', { at: 10 })), putLetter(letter('dlv_e', { at: 0 })))
      sameIds(
        await store.listDeadLetters({}),
        ['dlv_e', 'dlv_b', 'dlv_d', 'dlv_a', 'dlv_c'],
        'listDeadLetters({}) (deadLetteredAt, then write order)',
      )
      // Dead-lettered again: written anew, so it comes after the letters of its time.
      await write(putLetter(letter('dlv_a', { at: 20, message: 'again' })))
      sameIds(
        await store.listDeadLetters({}),
        ['dlv_e', 'dlv_b', 'dlv_d', 'dlv_c', 'dlv_a'],
        'listDeadLetters({}) after dlv_a was written again',
      )
      sameIds(await store.listDeadLetters({ limit: 2 }), ['dlv_e', 'dlv_b'], 'listDeadLetters({ limit: 2 })')
    },
  },
  {
    name: 'dead letters: listDeadLetters filters by ids, integrationId, since (inclusive), reason and limit, alone and combined',
    async body({ store, write }) {
      await write(
        putLetter(letter('dlv_a', { integrationId: 'crm', reason: 'retries_exhausted', at: 0 })),
        putLetter(letter('dlv_b', { integrationId: 'mail', reason: 'not_retryable', at: 10 })),
        putLetter(letter('dlv_c', { integrationId: 'crm', reason: 'not_retryable', at: 20 })),
        putLetter(letter('dlv_d', { integrationId: 'crm', reason: 'circuit_open', at: 30 })),
        putLetter(letter('dlv_e', { integrationId: 'sms', reason: 'retries_exhausted', at: 40 })),
        putLetter(letter('dlv_f', { integrationId: 'crm', reason: 'retries_exhausted', at: 50 })),
      )
      const queries: [ResolvedDeadLetterQuery, string[]][] = [
        [{}, ['dlv_a', 'dlv_b', 'dlv_c', 'dlv_d', 'dlv_e', 'dlv_f']],
        [{ ids: ['dlv_f', 'dlv_a', 'dlv_unknown'] }, ['dlv_a', 'dlv_f']],
        [{ ids: [] }, []],
        [{ integrationId: 'crm' }, ['dlv_a', 'dlv_c', 'dlv_d', 'dlv_f']],
        [{ integrationId: 'nobody' }, []],
        [{ reason: 'retries_exhausted' }, ['dlv_a', 'dlv_e', 'dlv_f']],
        [{ reason: 'shutdown' }, []],
        [{ since: T0 + 20 }, ['dlv_c', 'dlv_d', 'dlv_e', 'dlv_f']],
        [{ since: T0 + 21 }, ['dlv_d', 'dlv_e', 'dlv_f']],
        [{ limit: 2 }, ['dlv_a', 'dlv_b']],
        [{ limit: 100 }, ['dlv_a', 'dlv_b', 'dlv_c', 'dlv_d', 'dlv_e', 'dlv_f']],
        [{ integrationId: 'crm', reason: 'not_retryable' }, ['dlv_c']],
        [{ integrationId: 'crm', since: T0 + 25, limit: 1 }, ['dlv_d']],
        [{ ids: ['dlv_a', 'dlv_b', 'dlv_c', 'dlv_d'], reason: 'not_retryable', since: T0 + 15 }, ['dlv_c']],
        [
          {
            ids: ['dlv_f', 'dlv_e', 'dlv_d', 'dlv_c', 'dlv_b', 'dlv_a'],
            integrationId: 'crm',
            reason: 'retries_exhausted',
            since: T0,
            limit: 1,
          },
          ['dlv_a'],
        ],
      ]
      for (const [query, ids] of queries)
        sameIds(await store.listDeadLetters(query), ids, `listDeadLetters(${show(query)})`)
    },
  },
  {
    name: 'dead letters: listDeadLetters filters by tenant (null, "", "null", "acme" apart; absent: every tenant), alone and combined',
    async body({ store, write }) {
      const item = (
        id: string,
        tenant: string | null,
        integrationId: string,
        reason: DeliveryFailureReason,
        at: number,
      ) => putLetter(letter(id, { tenant, integrationId, reason, at }))
      await write(
        item('dlv_p1', null, 'crm', 'retries_exhausted', 0),
        item('dlv_e1', '', 'crm', 'retries_exhausted', 10),
        item('dlv_n1', 'null', 'crm', 'not_retryable', 20),
        item('dlv_a1', 'acme', 'crm', 'not_retryable', 30),
        item('dlv_a2', 'acme', 'mail', 'retries_exhausted', 40),
        item('dlv_p2', null, 'mail', 'circuit_open', 50),
        item('dlv_a3', 'acme', 'crm', 'retries_exhausted', 60),
      )
      const queries: [ResolvedDeadLetterQuery, string[]][] = [
        [{}, ['dlv_p1', 'dlv_e1', 'dlv_n1', 'dlv_a1', 'dlv_a2', 'dlv_p2', 'dlv_a3']],
        [{ tenant: null }, ['dlv_p1', 'dlv_p2']],
        [{ tenant: '' }, ['dlv_e1']],
        [{ tenant: 'null' }, ['dlv_n1']],
        [{ tenant: 'acme' }, ['dlv_a1', 'dlv_a2', 'dlv_a3']],
        [{ tenant: 'globex' }, []],
        // Without a tenant, an integration id matches the integrations of that id in every tenant.
        [{ integrationId: 'crm' }, ['dlv_p1', 'dlv_e1', 'dlv_n1', 'dlv_a1', 'dlv_a3']],
        [{ tenant: 'acme', integrationId: 'crm' }, ['dlv_a1', 'dlv_a3']],
        [{ tenant: null, integrationId: 'crm' }, ['dlv_p1']],
        [{ tenant: 'null', integrationId: 'mail' }, []],
        [{ tenant: 'acme', reason: 'retries_exhausted' }, ['dlv_a2', 'dlv_a3']],
        [{ tenant: null, reason: 'retries_exhausted' }, ['dlv_p1']],
        [{ tenant: 'acme', since: T0 + 40 }, ['dlv_a2', 'dlv_a3']],
        [{ tenant: null, since: T0 + 1 }, ['dlv_p2']],
        [{ tenant: 'acme', limit: 2 }, ['dlv_a1', 'dlv_a2']],
        [{ tenant: null, limit: 1 }, ['dlv_p1']],
        [{ tenant: '', ids: ['dlv_a1', 'dlv_p1', 'dlv_e1'] }, ['dlv_e1']],
        [{ tenant: null, ids: ['dlv_a1', 'dlv_p1', 'dlv_e1'] }, ['dlv_p1']],
        [{ tenant: 'acme', integrationId: 'crm', since: T0 + 31 }, ['dlv_a3']],
        [
          { tenant: 'acme', integrationId: 'crm', reason: 'retries_exhausted', since: T0, limit: 5 },
          ['dlv_a3'],
        ],
      ]
      for (const [query, ids] of queries)
        sameIds(await store.listDeadLetters(query), ids, `listDeadLetters(${show(query)})`)
      // Replaced with another delivery.tenant: it is listed under the new one only.
      await write(item('dlv_e1', 'acme', 'crm', 'retries_exhausted', 10))
      sameIds(
        await store.listDeadLetters({ tenant: '' }),
        [],
        "listDeadLetters({ tenant: '' }) after dlv_e1 moved",
      )
      sameIds(
        await store.listDeadLetters({ tenant: 'acme' }),
        ['dlv_e1', 'dlv_a1', 'dlv_a2', 'dlv_a3'],
        "listDeadLetters({ tenant: 'acme' }) after dlv_e1 moved there",
      )
    },
  },
  {
    name: 'health: putHealth inserts and replaces by tenant and integrationId; deleteHealth removes; loadHealth returns them all',
    async body({ store, write }) {
      await write(
        { type: 'putHealth', health: health('crm') },
        { type: 'putHealth', health: health('mail', 'acme') },
      )
      const closed: IntegrationHealth = {
        ...health('crm'),
        circuit: 'closed',
        consecutiveFailures: 0,
        probeAt: null,
        pausedUntil: null,
      }
      await write({ type: 'putHealth', health: closed })
      same(
        sortedHealth(await store.loadHealth()),
        [closed, health('mail', 'acme')],
        'loadHealth() after a replace',
      )
      await write(
        { type: 'deleteHealth', tenant: 'acme', integrationId: 'mail' },
        { type: 'deleteHealth', tenant: null, integrationId: 'unknown' },
      )
      same(await store.loadHealth(), [closed], 'loadHealth() after deletes')
    },
  },
  {
    name: 'health: one integrationId in several tenants (null, "", "null", "acme") is kept apart: put, replace and delete one leave the others',
    async body({ store, write }) {
      const items = TENANTS.map((tenant, index) => ({
        ...health('crm', tenant),
        consecutiveFailures: index + 1,
      }))
      await write(...items.map((item): StoreOperation => ({ type: 'putHealth', health: item })))
      same(sortedHealth(await store.loadHealth()), sortedHealth(items), "loadHealth(): 'crm' in every tenant")
      const closed: IntegrationHealth = {
        ...health('crm', 'null'),
        circuit: 'closed',
        consecutiveFailures: 0,
        probeAt: null,
        pausedUntil: null,
      }
      await write(
        { type: 'putHealth', health: closed },
        { type: 'deleteHealth', tenant: '', integrationId: 'crm' },
        { type: 'deleteHealth', tenant: 'globex', integrationId: 'crm' },
        { type: 'deleteHealth', tenant: null, integrationId: 'mail' },
      )
      const [platform, , , acme] = items
      same(
        sortedHealth(await store.loadHealth()),
        sortedHealth([platform!, closed, acme!]),
        'loadHealth() after a replace in tenant "null" and a delete in tenant ""',
      )
      await write({ type: 'deleteHealth', tenant: null, integrationId: 'crm' })
      same(
        sortedHealth(await store.loadHealth()),
        sortedHealth([closed, acme!]),
        'loadHealth() after a delete in the platform scope (null)',
      )
    },
  },
  {
    name: 'health: a record keeps circuitChangedAt; claimProbe (when present) gives one probe per key: claimed, held by the same delivery, lost to another, free again once `ms` pass',
    async body({ store, write }) {
      const changed: IntegrationHealth = { ...health('crm'), circuitChangedAt: T0 }
      await write({ type: 'putHealth', health: changed })
      same(await store.loadHealth(), [changed], 'loadHealth() of a record with circuitChangedAt')
      if (store.claimProbe === undefined) return
      const claim = store.claimProbe.bind(store)
      same(claim('crm', 'dlv_probe', 60_000), 'claimed', "claimProbe('crm', 'dlv_probe') first")
      same(claim('crm', 'dlv_probe', 60_000), 'held', "claimProbe('crm', 'dlv_probe') again")
      same(
        claim('crm', 'dlv_other', 60_000),
        'lost',
        "claimProbe('crm', 'dlv_other') while dlv_probe holds it",
      )
      same(claim('acme/crm', 'dlv_other', 60_000), 'claimed', "claimProbe('acme/crm'): another key")
      same(claim('short', 'dlv_probe', 30), 'claimed', "claimProbe('short', 'dlv_probe', 30)")
      await new Promise((resolve) => setTimeout(resolve, 120))
      same(claim('short', 'dlv_other', 30), 'claimed', "claimProbe('short', 'dlv_other') once 30 ms passed")
    },
  },
  {
    name: 'health: countFailures (when present) counts the consecutive failures of each key: failing adds one and returns the count, healthy resets it to 0',
    async body({ store }) {
      if (store.countFailures === undefined) return
      const count = store.countFailures.bind(store)
      const crm = scopedKey(null, 'crm')
      const acme = scopedKey('acme', 'crm')
      same(count(crm, 'failing'), 1, `countFailures('${crm}', 'failing') first`)
      same(count(crm, 'failing'), 2, `countFailures('${crm}', 'failing') again`)
      same(count(acme, 'failing'), 1, `countFailures('${acme}', 'failing'): another key`)
      same(count(crm, 'healthy'), 0, `countFailures('${crm}', 'healthy')`)
      same(count(crm, 'healthy'), 0, `countFailures('${crm}', 'healthy') again`)
      same(count(crm, 'failing'), 1, `countFailures('${crm}', 'failing') after the reset`)
      same(
        count(acme, 'failing'),
        2,
        `countFailures('${acme}', 'failing'), untouched by the reset of '${crm}'`,
      )
    },
  },
  {
    name: "health: deleteHealth resets the integration's countFailures (when present), and only its own",
    async body({ store, write }) {
      if (store.countFailures === undefined) return
      const count = store.countFailures.bind(store)
      const crm = scopedKey(null, 'crm')
      const acme = scopedKey('acme', 'crm')
      await write(
        { type: 'putHealth', health: health('crm') },
        { type: 'putHealth', health: health('crm', 'acme') },
      )
      count(crm, 'failing')
      count(acme, 'failing')
      same(count(crm, 'failing'), 2, `countFailures('${crm}', 'failing') twice`)
      // Removed, or its config edited: its failures were about a config that is gone.
      await write({ type: 'deleteHealth', tenant: null, integrationId: 'crm' })
      same(count(crm, 'failing'), 1, `countFailures('${crm}', 'failing') after deleteHealth of crm`)
      same(
        count(acme, 'failing'),
        2,
        `countFailures('${acme}', 'failing') after deleteHealth of crm in the platform scope`,
      )
    },
  },
  {
    name: 'configuration: integrations are put, replaced and deleted by tenant and id, in every tenant (null, "", "null", "acme")',
    async body({ store, write }) {
      const items = TENANTS.map((tenant, index) => integration(`int_${index}`, tenant))
      await write(...items.map((item): StoreOperation => ({ type: 'putIntegration', integration: item })))
      same(
        sortedConfiguration(await store.loadConfiguration()).integrations,
        items,
        'integrations after puts',
      )
      const edited: StoredIntegration = {
        ...integration('int_1', ''),
        name: null,
        enabled: false,
        disabledReason: 'Disabled by an operator',
        updatedAt: '2026-11-02T09:00:00.000Z',
      }
      await write(
        { type: 'putIntegration', integration: edited },
        { type: 'deleteIntegration', tenant: 'null', id: 'int_2' },
        { type: 'deleteIntegration', tenant: null, id: 'int_unknown' },
      )
      const [first, , , last] = items
      same(
        sortedConfiguration(await store.loadConfiguration()).integrations,
        [first, edited, last],
        'integrations after a replace and deletes',
      )
    },
  },
  {
    name: 'configuration: one integration id in several tenants (null, "", "null", "acme") is kept apart: put, replace and delete one leave the others',
    async body({ store, write }) {
      const items = TENANTS.map((tenant) => integration('int_shared', tenant, `CRM of ${show(tenant)}`))
      await write(...items.map((item): StoreOperation => ({ type: 'putIntegration', integration: item })))
      const listed = async () => sortedConfiguration(await store.loadConfiguration()).integrations
      same(
        await listed(),
        sortedByIdAndTenant(items, (item) => item.id),
        "'int_shared' in every tenant",
      )
      const edited: StoredIntegration = {
        ...integration('int_shared', ''),
        name: 'Edited',
        enabled: false,
        disabledReason: 'Disabled by an operator',
      }
      await write(
        { type: 'putIntegration', integration: edited },
        { type: 'deleteIntegration', tenant: 'null', id: 'int_shared' },
        { type: 'deleteIntegration', tenant: 'globex', id: 'int_shared' },
        { type: 'deleteIntegration', tenant: 'acme', id: 'int_other' },
      )
      const [platform, , , acme] = items
      same(
        await listed(),
        sortedByIdAndTenant([platform!, edited, acme!], (item) => item.id),
        'integrations after a replace in tenant "" and a delete in tenant "null"',
      )
      await write({ type: 'deleteIntegration', tenant: null, id: 'int_shared' })
      same(
        await listed(),
        sortedByIdAndTenant([edited, acme!], (item) => item.id),
        'integrations after a delete in the platform scope (null)',
      )
    },
  },
  {
    name: 'configuration: subscriptions are put, replaced and deleted by tenant and id, in every tenant (null, "", "null", "acme")',
    async body({ store, write }) {
      const items = TENANTS.map((tenant, index) => subscription(`sub_${index}`, tenant, `int_${index}`))
      await write(...items.map((item): StoreOperation => ({ type: 'putSubscription', subscription: item })))
      same(
        sortedConfiguration(await store.loadConfiguration()).subscriptions,
        items,
        'subscriptions after puts',
      )
      const edited: StoredSubscription = {
        ...subscription('sub_0', null, 'int_0'),
        filter: {},
        enabled: false,
      }
      await write(
        { type: 'putSubscription', subscription: edited },
        { type: 'deleteSubscription', tenant: 'acme', id: 'sub_3' },
        { type: 'deleteSubscription', tenant: null, id: 'sub_unknown' },
      )
      const [, second, third] = items
      same(
        sortedConfiguration(await store.loadConfiguration()).subscriptions,
        [edited, second, third],
        'subscriptions after a replace and deletes',
      )
    },
  },
  {
    name: 'configuration: one subscription id in several tenants (null, "", "null", "acme") is kept apart: put, replace and delete one leave the others',
    async body({ store, write }) {
      const items = TENANTS.map((tenant) => subscription('sub_shared', tenant, 'int_shared'))
      await write(...items.map((item): StoreOperation => ({ type: 'putSubscription', subscription: item })))
      const listed = async () => sortedConfiguration(await store.loadConfiguration()).subscriptions
      same(
        await listed(),
        sortedByIdAndTenant(items, (item) => item.id),
        "'sub_shared' in every tenant",
      )
      const edited: StoredSubscription = {
        ...subscription('sub_shared', 'acme', 'int_other'),
        enabled: false,
      }
      await write(
        { type: 'putSubscription', subscription: edited },
        { type: 'deleteSubscription', tenant: '', id: 'sub_shared' },
        { type: 'deleteSubscription', tenant: 'globex', id: 'sub_shared' },
        { type: 'deleteSubscription', tenant: null, id: 'sub_other' },
      )
      const [platform, , named] = items
      same(
        await listed(),
        sortedByIdAndTenant([platform!, named!, edited], (item) => item.id),
        'subscriptions after a replace in tenant "acme" and a delete in tenant ""',
      )
      await write({ type: 'deleteSubscription', tenant: 'null', id: 'sub_shared' })
      same(
        await listed(),
        sortedByIdAndTenant([platform!, edited], (item) => item.id),
        'subscriptions after a delete in tenant "null"',
      )
    },
  },
  {
    name: 'configuration: event switches are kept per tenant (null, "", "null", "acme"); switching an event on forgets it',
    async body({ store, write }) {
      await write(
        ...TENANTS.map((tenant) => eventSwitch(tenant, 'order.placed', false)),
        eventSwitch(null, 'wallet.coins_rewarded', false),
        eventSwitch(null, 'wallet.coins_rewarded', false),
        eventSwitch('globex', 'never.disabled', true),
      )
      const listed = async () => sortedConfiguration(await store.loadConfiguration()).disabledEvents
      same(
        await listed(),
        sortedSwitches([
          ...TENANTS.map((tenant) => ({ tenant, name: 'order.placed' })),
          { tenant: null, name: 'wallet.coins_rewarded' },
        ]),
        'disabled events (switching one off twice keeps it once)',
      )
      await write(eventSwitch(null, 'order.placed', true), eventSwitch('', 'wallet.coins_rewarded', true))
      same(
        await listed(),
        sortedSwitches([
          { tenant: null, name: 'wallet.coins_rewarded' },
          { tenant: '', name: 'order.placed' },
          { tenant: 'acme', name: 'order.placed' },
          { tenant: 'null', name: 'order.placed' },
        ]),
        'disabled events after switching (null, order.placed) back on: the other tenants keep theirs',
      )
    },
  },
  {
    name: 'accepted events: kept per tenant (null, "", "null", "acme") and event id; replaced; pruned when accepted before `before`',
    async body({ store, write }) {
      const events = TENANTS.map((tenant, index) => accepted(tenant, 'evt_1', T0 + index * 10))
      const other = accepted(null, 'evt_2', T0 + 100)
      await write(...[...events, other].map((event): StoreOperation => ({ type: 'putAcceptedEvent', event })))
      for (const event of events) {
        same(
          await store.getAcceptedEvent(event.tenant, 'evt_1'),
          event,
          `getAcceptedEvent(${show(event.tenant)}, 'evt_1')`,
        )
      }
      same(await store.getAcceptedEvent('globex', 'evt_1'), undefined, "getAcceptedEvent('globex', 'evt_1')")
      same(await store.getAcceptedEvent(null, 'evt_3'), undefined, "getAcceptedEvent(null, 'evt_3')")
      const replaced = accepted(null, 'evt_1', T0, 3)
      await write({ type: 'putAcceptedEvent', event: replaced })
      same(
        await store.getAcceptedEvent(null, 'evt_1'),
        replaced,
        "getAcceptedEvent(null, 'evt_1') after a replace",
      )
      await write({ type: 'pruneAcceptedEvents', before: T0 + 20 })
      same(
        await store.getAcceptedEvent(null, 'evt_1'),
        undefined,
        'an event accepted at T0, pruned before T0 + 20',
      )
      same(
        await store.getAcceptedEvent('', 'evt_1'),
        undefined,
        'an event accepted at T0 + 10, pruned before T0 + 20',
      )
      same(
        await store.getAcceptedEvent('null', 'evt_1'),
        events[2],
        'an event accepted at T0 + 20 (not before it)',
      )
      same(await store.getAcceptedEvent('acme', 'evt_1'), events[3], 'an event accepted at T0 + 30')
      same(await store.getAcceptedEvent(null, 'evt_2'), other, 'an event accepted at T0 + 100')
    },
  },
  {
    name: 'accepted events: pruning goes by acceptedAt, whatever the order the events were written in',
    async body({ store, write }) {
      const late = accepted(null, 'evt_late', T0 + 1000)
      const early = accepted(null, 'evt_early', T0)
      await write({ type: 'putAcceptedEvent', event: late })
      await write(
        { type: 'putAcceptedEvent', event: early },
        { type: 'pruneAcceptedEvents', before: T0 + 500 },
      )
      same(
        await store.getAcceptedEvent(null, 'evt_early'),
        undefined,
        'an event accepted before `before`, written last',
      )
      same(
        await store.getAcceptedEvent(null, 'evt_late'),
        late,
        'an event accepted after `before`, written first',
      )
    },
  },
  {
    name: 'restart: every record survives close and reopen',
    needs: 'reopen',
    async body(context) {
      const { write } = context
      await write(...everyKindOfChange(), put(pending('dlv_held', { integrationId: 'mail' }), true))
      const keys = {
        deliveries: ['dlv_new', 'dlv_new_acme', 'dlv_held', 'dlv_unknown'],
        accepted: [[null, 'evt_new'] as const, ['acme', 'evt_new'] as const],
      }
      const before = await snapshotOf(context.store, keys)
      await context.restart()
      const after = await snapshotOf(context.store, keys)
      same({ ...after, pending: [] }, { ...before, pending: [] }, 'what the store holds after a restart')
      same(
        after.pending,
        before.pending.map((item) => ({ ...item, unclaimed: item.pending, nextDueAt: item.nextDueAt ?? T0 })),
        'pendingSummary() after a restart (every claim released)',
      )
    },
  },
  {
    name: 'restart: reopening releases every claim and keeps the claim order',
    needs: 'reopen',
    async body(context) {
      const { write } = context
      const records = ['dlv_1', 'dlv_2', 'dlv_3', 'dlv_4', 'dlv_5'].map((id, index) =>
        pending(id, { notBefore: T0 + (index % 2) }),
      )
      for (const record of records) await write(put(record))
      sameIds(
        (await context.store.claimDue('crm', LATER, 3)).records,
        ['dlv_1', 'dlv_3', 'dlv_5'],
        'claims before the restart',
      )
      const attempted = pending('dlv_2', { notBefore: T0 + 1, attempts: 1 })
      await write(put(attempted, true))
      await context.restart()
      same(
        await summaryOf(context.store),
        [{ queue: 'crm', pending: 5, unclaimed: 5, nextDueAt: T0 }],
        'pendingSummary() after the restart',
      )
      const claimed = await context.store.claimDue('crm', LATER, 10)
      sameIds(claimed.records, ['dlv_1', 'dlv_3', 'dlv_5', 'dlv_2', 'dlv_4'], 'claimDue() after the restart')
      same(claimed.records[3], attempted, 'dlv_2 as last written before the restart')
    },
  },
  {
    name: 'restart: a record keeps its traceContext across close and reopen, pending, claimed or retried',
    needs: 'reopen',
    async body(context) {
      const { write } = context
      const waiting = traced(pending('dlv_traced'))
      const held = traced(pending('dlv_traced_held', { integrationId: 'mail' }), false)
      const retried = traced(pending('dlv_traced_retried', { attempts: 2, notBefore: T0 + 5000 }))
      await write(put(waiting), put(held, true), put(retried))
      await context.restart()
      const ids = ['dlv_traced', 'dlv_traced_held', 'dlv_traced_retried']
      same(
        await context.store.getDeliveries(ids),
        [waiting, held, retried],
        'getDeliveries() after a restart',
      )
      const claimed = [
        ...(await context.store.claimDue('crm', LATER, 10)).records,
        ...(await context.store.claimDue('mail', LATER, 10)).records,
      ].sort((a, b) => a.id.localeCompare(b.id))
      same(claimed, [waiting, held, retried], 'claimDue() after a restart')
    },
  },
]

/** A batch that touches every kind of record, all new to the stores of the atomicity cases. */
function everyKindOfChange(): StoreOperation[] {
  return [
    put(pending('dlv_new')),
    put(pending('dlv_new_acme', { queue: '/crm:acme', eventTenant: 'acme' })),
    put(pending('dlv_keep', { attempts: 1, notBefore: T0 + 99 })),
    { type: 'deleteDelivery', id: 'dlv_keep' },
    putLetter(letter('dlv_new_letter')),
    putLetter(letter('dlv_new_letter_acme', { tenant: 'acme' })),
    { type: 'deleteDeadLetter', id: 'dlv_letter' },
    { type: 'putIntegration', integration: integration('int_new', 'acme') },
    { type: 'putIntegration', integration: integration('int_new', null) },
    { type: 'deleteIntegration', tenant: null, id: 'int_keep' },
    { type: 'putSubscription', subscription: subscription('sub_new', null, 'int_new') },
    { type: 'putSubscription', subscription: subscription('sub_new', 'acme', 'int_new') },
    eventSwitch(null, 'order.placed', true),
    eventSwitch('acme', 'order.placed', false),
    { type: 'putHealth', health: health('int_new', 'acme') },
    { type: 'putHealth', health: health('int_new', null) },
    { type: 'deleteHealth', tenant: null, integrationId: 'int_new' },
    { type: 'putAcceptedEvent', event: accepted(null, 'evt_new', T0) },
    { type: 'putAcceptedEvent', event: accepted('acme', 'evt_new', T0) },
    { type: 'pruneAcceptedEvents', before: T0 + 1 },
    { type: 'putAcceptedEvent', event: accepted(null, 'evt_new', T0 + 5) },
  ]
}

/** A payload with JSON of every shape, unicode of every width, and one string of about `bytes`. */
function richPayload(bytes: number) {
  let nested: Record<string, unknown> = { leaf: 'bottom', list: [1, [2, [3, [4]]]] }
  for (let depth = 0; depth < 30; depth++) nested = { [`level_${depth}`]: nested, index: depth }
  const chunk = 'Olá 世界 👩🏽‍💻 '
  return {
    text: 'Olá, 世界: ünïcödé ✓',
    emoji: '👩🏽‍💻🎉🇧🇷',
    rtl: 'مرحبا بالعالم',
    combining: 'e\u0301 a\u0308',
    escapes: 'she said "hi" \\ back\\slash / slash\n\r\t',
    numbers: [0, -1, 1.5, -0.000123, 1e21, 2 ** 53 - 1, -(2 ** 53 - 1), 5e-324, 1.7976931348623157e308],
    booleans: [true, false],
    nothing: null,
    empty: { object: {}, array: [], string: '' },
    keys: { 'with space': 1, 'dotted.key': 2, ключ: 3, '': 4, '0': 5, '10': 6 },
    nested,
    large: chunk.repeat(Math.max(1, Math.ceil(bytes / new TextEncoder().encode(chunk).length))),
  }
}
