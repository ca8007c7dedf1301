import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DeadLetter, ResolvedDeadLetterQuery } from '../../src/dead-letters/dead-letter.js'
import { type SqliteStore, sqliteStore } from '../../src/stores/sqlite/index.js'
import type { DeliveryRecord, Store, StoreOperation } from '../../src/stores/store.js'
import {
  assertStoreContract,
  type StoreContractOptions,
  storeContractCases,
} from '../../src/testing/index.js'
import { tempDirectory } from '../support/temp-directory.js'

let directory = ''
let files = 0
beforeAll(async () => {
  directory = await tempDirectory('eventrouter-contract-')
})
afterAll(async () => {
  await rm(directory, { recursive: true, force: true })
})

/** A correct store (SQLite, in a temp file), for the broken ones to wrap. */
const sound = () => sqliteStore({ path: join(directory, `store-${++files}.db`) })
const reopenSound = (store: Store) => sqliteStore({ path: (store as SqliteStore).path! })

/** `inner`, with some methods replaced: a store that breaks one promise. */
function breaking(inner: Store, overrides: (inner: Store) => Partial<Store>): Store {
  return {
    get durable() {
      return inner.durable
    },
    open: () => inner.open(),
    close: () => inner.close(),
    write: (operations) => inner.write(operations),
    loadConfiguration: () => inner.loadConfiguration(),
    loadHealth: () => inner.loadHealth(),
    pendingSummary: () => inner.pendingSummary(),
    claimDue: (queue, now, limit) => inner.claimDue(queue, now, limit),
    getDeliveries: (ids) => inner.getDeliveries(ids),
    listDeadLetters: (query) => inner.listDeadLetters(query),
    getAcceptedEvent: (tenant, eventId) => inner.getAcceptedEvent(tenant, eventId),
    ...overrides(inner),
  }
}

/** The names of the cases that fail for the store `createStore` makes. */
async function failedCases(createStore: () => Store, options: StoreContractOptions = {}): Promise<string[]> {
  const failed: string[] = []
  for (const item of storeContractCases(createStore, options)) {
    try {
      await item.run()
    } catch {
      failed.push(item.name)
    }
  }
  return failed
}

/** The area of each case name: what comes before the first colon. */
const areas = (names: readonly string[]) => [
  ...new Set(names.map((name) => name.slice(0, name.indexOf(':')))),
]

// What a store that keeps strings as (truncated, well-formed) UTF-8 gives back.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g
const mangled = <T>(value: T): T =>
  JSON.parse(JSON.stringify(value), (_key, inner: unknown) =>
    typeof inner === 'string' ? inner.split('\u0000')[0]!.replace(LONE_SURROGATE, '\ufffd') : inner,
  ) as T

// Each test runs the whole suite on real files: a generous deadline on a busy machine.
describe('store contract suite', { timeout: 60_000 }, () => {
  it('passes a correct store, with every case', async () => {
    const names = storeContractCases(sound, { reopen: reopenSound }).map((item) => item.name)
    expect(names.length).toBeGreaterThanOrEqual(25)
    expect(areas(names)).toEqual([
      'open',
      'durable',
      'deliveries',
      'write',
      'claimDue',
      'pendingSummary',
      'records',
      'dead letters',
      'health',
      'configuration',
      'accepted events',
      'restart',
    ])
    await assertStoreContract(sound, { reopen: reopenSound, durable: true })
  })

  it('leaves out the restart and midway-failure cases without `reopen` and `failNextWrite`', () => {
    const names = storeContractCases(sound).map((item) => item.name)
    expect(names.filter((name) => name.startsWith('restart:') || name.includes('fails midway'))).toEqual([])
  })

  it('catches a store that claims in the wrong order', async () => {
    const reversed = () =>
      breaking(sound(), (inner) => ({
        claimDue: async (queue, now, limit) => {
          const claimed = await inner.claimDue(queue, now, limit)
          return { ...claimed, records: [...claimed.records].reverse() }
        },
      }))
    const failed = await failedCases(reversed)
    expect(failed).toContain(
      'claimDue: earliest notBefore first, ties in first-write order; a replaced delivery keeps its place',
    )
    expect(failed).toContain('deliveries: many deliveries are claimed in pages, in order, each once')
    expect(areas(failed)).not.toContain('dead letters')
  })

  it('catches a store whose batches are not atomic', async () => {
    const oneByOne = () =>
      breaking(sound(), (inner) => ({
        write: async (operations) => {
          for (const operation of operations) await inner.write([operation])
        },
      }))
    expect(await failedCases(oneByOne)).toEqual([
      'write: a batch with an operation of unknown type throws and keeps none of it',
    ])
  })

  it('catches a store that mistakes tenant "" for the platform (null)', async () => {
    const blind = <T extends string | null>(tenant: T) => (tenant === '' ? null : tenant)
    const tenantBlind = () =>
      breaking(sound(), (inner) => ({
        write: (operations) =>
          inner.write(
            operations.map((operation): StoreOperation => {
              if (operation.type === 'putEventSwitch')
                return { ...operation, tenant: blind(operation.tenant) }
              if (operation.type === 'putAcceptedEvent') {
                return { ...operation, event: { ...operation.event, tenant: blind(operation.event.tenant) } }
              }
              return operation
            }),
          ),
        getAcceptedEvent: (tenant, eventId) => inner.getAcceptedEvent(blind(tenant), eventId),
      }))
    expect(await failedCases(tenantBlind)).toEqual([
      'configuration: event switches are kept per tenant (null, "", "null", "acme"); switching an event on forgets it',
      'accepted events: kept per tenant (null, "", "null", "acme") and event id; replaced; pruned when accepted before `before`',
    ])
  })

  it('catches a store that keys integrations, subscriptions and health by id alone, ignoring the tenant', async () => {
    type Kind = 'integration' | 'subscription' | 'health'
    const target = (
      operation: StoreOperation,
    ): { kind: Kind; tenant: string | null; id: string } | undefined => {
      switch (operation.type) {
        case 'putIntegration':
          return { kind: 'integration', tenant: operation.integration.tenant, id: operation.integration.id }
        case 'deleteIntegration':
          return { kind: 'integration', tenant: operation.tenant, id: operation.id }
        case 'putSubscription':
          return {
            kind: 'subscription',
            tenant: operation.subscription.tenant,
            id: operation.subscription.id,
          }
        case 'deleteSubscription':
          return { kind: 'subscription', tenant: operation.tenant, id: operation.id }
        case 'putHealth':
          return { kind: 'health', tenant: operation.health.tenant, id: operation.health.integrationId }
        case 'deleteHealth':
          return { kind: 'health', tenant: operation.tenant, id: operation.integrationId }
        default:
          return undefined
      }
    }
    const deletion = (kind: Kind, tenant: string | null, id: string): StoreOperation =>
      kind === 'integration'
        ? { type: 'deleteIntegration', tenant, id }
        : kind === 'subscription'
          ? { type: 'deleteSubscription', tenant, id }
          : { type: 'deleteHealth', tenant, integrationId: id }
    const idOnly = () => {
      // The tenant each id was last put in: a put in another tenant replaces that record, and a
      // delete in any tenant removes it.
      const owners = new Map<string, string | null>()
      return breaking(sound(), (inner) => ({
        write: (operations) =>
          inner.write(
            operations.flatMap((operation): StoreOperation[] => {
              const keyed = target(operation)
              if (keyed === undefined) return [operation]
              const key = `${keyed.kind}:${keyed.id}`
              const owner = owners.get(key)
              const held = owners.has(key) && owner !== keyed.tenant
              if (operation.type.startsWith('put')) {
                owners.set(key, keyed.tenant)
                return held ? [deletion(keyed.kind, owner ?? null, keyed.id), operation] : [operation]
              }
              owners.delete(key)
              return held ? [deletion(keyed.kind, owner ?? null, keyed.id)] : [operation]
            }),
          ),
      }))
    }
    expect(await failedCases(idOnly)).toEqual([
      'health: one integrationId in several tenants (null, "", "null", "acme") is kept apart: put, replace and delete one leave the others',
      'configuration: one integration id in several tenants (null, "", "null", "acme") is kept apart: put, replace and delete one leave the others',
      'configuration: one subscription id in several tenants (null, "", "null", "acme") is kept apart: put, replace and delete one leave the others',
    ])
  })

  it('catches a store that claims and counts by integration instead of by queue', async () => {
    const byIntegration = () => {
      // What it was given, so that records read back look right: only claims and counts are wrong.
      const queues = new Map<string, string>()
      const integrationOf = new Map<string, string>()
      const restored = (record: DeliveryRecord): DeliveryRecord => ({
        ...record,
        queue: queues.get(record.id) ?? record.queue,
      })
      return breaking(sound(), (inner) => ({
        write: (operations) =>
          inner.write(
            operations.map((operation): StoreOperation => {
              if (operation.type !== 'putDelivery') return operation
              const { record } = operation
              queues.set(record.id, record.queue)
              integrationOf.set(record.queue, record.delivery.integrationId)
              return { ...operation, record: { ...record, queue: record.delivery.integrationId } }
            }),
          ),
        getDeliveries: async (ids) => (await inner.getDeliveries(ids)).map(restored),
        claimDue: async (queue, now, limit) => {
          const claimed = await inner.claimDue(integrationOf.get(queue) ?? queue, now, limit)
          return { ...claimed, records: claimed.records.map(restored) }
        },
      }))
    }
    const failed = await failedCases(byIntegration)
    expect(failed).toContain(
      'claimDue: claims by queue: the queues of one integration are claimed apart; one queue may hold several integrations',
    )
    expect(failed).toContain(
      'pendingSummary: counts per queue, not per integration: the queues of one integration apart, the integrations of one queue together',
    )
  })

  it('catches a store that ignores `tenant` in listDeadLetters, takes null for "every tenant", or "" for null', async () => {
    const expected = [
      'dead letters: listDeadLetters filters by tenant (null, "", "null", "acme" apart; absent: every tenant), alone and combined',
    ]
    const lister = (rewrite: (query: ResolvedDeadLetterQuery) => ResolvedDeadLetterQuery) => () =>
      breaking(sound(), (inner) => ({ listDeadLetters: (query) => inner.listDeadLetters(rewrite(query)) }))
    const withoutTenant = ({ tenant: _tenant, ...query }: ResolvedDeadLetterQuery) => query
    expect(await failedCases(lister(withoutTenant))).toEqual(expected)
    expect(
      await failedCases(lister((query) => (query.tenant === null ? withoutTenant(query) : query))),
    ).toEqual(expected)
    expect(
      await failedCases(lister((query) => (query.tenant === '' ? { ...query, tenant: null } : query))),
    ).toEqual(expected)
  })

  it('catches a store that gives a delivery back with the owner as its emitter, or without its queue', async () => {
    const retold = (change: (record: DeliveryRecord) => DeliveryRecord) => () =>
      breaking(sound(), (inner) => ({
        getDeliveries: async (ids) => (await inner.getDeliveries(ids)).map(change),
        claimDue: async (queue, now, limit) => {
          const claimed = await inner.claimDue(queue, now, limit)
          return { ...claimed, records: claimed.records.map(change) }
        },
      }))
    expect(
      await failedCases(
        retold((record) => ({ ...record, event: { ...record.event, tenant: record.tenant } })),
      ),
    ).toEqual([
      'records: strings keep control characters, NUL, lone surrogates and line separators; ids and queues keep their punctuation',
      'records: a delivery keeps its queue, tenant, delivery.tenant and event.tenant exactly (null, "", "null", "acme"), owner and emitter apart',
    ])
    const withoutQueue = await failedCases(retold(({ queue: _queue, ...record }) => record as DeliveryRecord))
    expect(withoutQueue).toContain(
      'records: a delivery keeps its queue, tenant, delivery.tenant and event.tenant exactly (null, "", "null", "acme"), owner and emitter apart',
    )
    expect(withoutQueue).toContain(
      'deliveries: putDelivery inserts and replaces by id; getDeliveries follows the order of ids and skips unknown ids',
    )
  })

  it('catches a store that never releases a claim', async () => {
    const sticky = () => {
      const held = new Set<string>()
      return breaking(sound(), (inner) => ({
        claimDue: async (queue, now, limit) => {
          const claimed = await inner.claimDue(queue, now, limit)
          for (const record of claimed.records) held.add(record.id)
          return claimed
        },
        write: (operations) =>
          inner.write(
            operations.map((operation) =>
              operation.type === 'putDelivery' && held.has(operation.record.id)
                ? { ...operation, claimed: true }
                : operation,
            ),
          ),
      }))
    }
    const failed = await failedCases(sticky)
    expect(failed).toContain(
      'claimDue: a claimed delivery is not returned again until putDelivery with claimed: false releases it',
    )
    expect(areas(failed)).toEqual(['claimDue'])
  })

  it('catches a store that keeps strings as truncated UTF-8', async () => {
    const lossy = () =>
      breaking(sound(), (inner) => ({
        getDeliveries: async (ids) => mangled(await inner.getDeliveries(ids)),
        claimDue: async (queue, now, limit) => mangled(await inner.claimDue(queue, now, limit)),
      }))
    expect(await failedCases(lossy)).toEqual([
      'records: strings keep control characters, NUL, lone surrogates and line separators; ids and queues keep their punctuation',
    ])
  })

  it('catches a store that drops the traceContext of delivery records, before and after a restart', async () => {
    const untraced = <T extends { readonly traceContext?: unknown }>({
      traceContext: _dropped,
      ...rest
    }: T) => rest
    const forgetsTraces = (path?: string): Store => {
      const inner = path === undefined ? sound() : sqliteStore({ path })
      const store = breaking(inner, (base) => ({
        getDeliveries: async (ids) => (await base.getDeliveries(ids)).map(untraced),
        claimDue: async (queue, now, limit) => {
          const claimed = await base.claimDue(queue, now, limit)
          return { ...claimed, records: claimed.records.map(untraced) }
        },
      }))
      files.set(store, (inner as SqliteStore).path!)
      return store
    }
    const files = new WeakMap<Store, string>()
    expect(
      await failedCases(() => forgetsTraces(), { reopen: (store) => forgetsTraces(files.get(store)) }),
    ).toEqual([
      'deliveries: a record keeps its traceContext (traceparent and tracestate) through putDelivery, getDeliveries and claimDue; one without it comes back without it',
      'restart: a record keeps its traceContext across close and reopen, pending, claimed or retried',
    ])
  })

  it('catches a store that lists dead letters in write order, ignoring deadLetteredAt, and one that ignores `limit`', async () => {
    const inWriteOrder = () => {
      const order: string[] = []
      return breaking(sound(), (inner) => ({
        write: (operations) => {
          for (const operation of operations) {
            if (operation.type !== 'putDeadLetter') continue
            if (order.includes(operation.letter.id)) order.splice(order.indexOf(operation.letter.id), 1)
            order.push(operation.letter.id)
          }
          return inner.write(operations)
        },
        listDeadLetters: async ({ limit, ...query }) => {
          const found: DeadLetter[] = [...(await inner.listDeadLetters(query))]
          found.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id))
          return found.slice(0, limit)
        },
      }))
    }
    expect(await failedCases(inWriteOrder)).toEqual([
      // dlv_1, replaced after dlv_2 was written, still comes first by its deadLetteredAt.
      'dead letters: putDeadLetter inserts and replaces by id; deleteDeadLetter removes; unknown ids are ignored',
      'dead letters: listDeadLetters returns the oldest first, by deadLetteredAt, then in write order',
      // dlv_e1, moved to tenant acme, still comes first there by its deadLetteredAt.
      'dead letters: listDeadLetters filters by tenant (null, "", "null", "acme" apart; absent: every tenant), alone and combined',
    ])
    const unlimited = () =>
      breaking(sound(), (inner) => ({
        listDeadLetters: ({ limit: _limit, ...query }) => inner.listDeadLetters(query),
      }))
    expect(await failedCases(unlimited)).toEqual([
      'dead letters: listDeadLetters returns the oldest first, by deadLetteredAt, then in write order',
      'dead letters: listDeadLetters filters by ids, integrationId, since (inclusive), reason and limit, alone and combined',
      'dead letters: listDeadLetters filters by tenant (null, "", "null", "acme" apart; absent: every tenant), alone and combined',
    ])
  })

  it('catches a store that counts claimed deliveries as unclaimed', async () => {
    const miscounting = () =>
      breaking(sound(), (inner) => ({
        pendingSummary: async () =>
          (await inner.pendingSummary()).map((item) => ({ ...item, unclaimed: item.pending })),
      }))
    const failed = await failedCases(miscounting)
    expect(failed).toContain(
      'pendingSummary: per queue with pending deliveries, how many, how many unclaimed, the earliest unclaimed notBefore',
    )
  })

  it('catches a durable store that forgets everything, or keeps claims across a restart', async () => {
    const forgetful = await failedCases(sound, { reopen: () => sound(), durable: true })
    expect(forgetful).toEqual([
      'restart: every record survives close and reopen',
      'restart: reopening releases every claim and keeps the claim order',
      'restart: a record keeps its traceContext across close and reopen, pending, claimed or retried',
    ])
    // Claims of the first store, carried over into the second.
    const carried = new Map<string, Set<string>>()
    const keepingClaims = (path?: string): Store => {
      const inner = path === undefined ? sound() : sqliteStore({ path })
      const file = (inner as SqliteStore).path!
      const held = carried.get(file) ?? new Set<string>()
      carried.set(file, held)
      const store = breaking(inner, (base) => ({
        claimDue: async (queue, now, limit) => {
          const claimed = await base.claimDue(queue, now, limit)
          const fresh = claimed.records.filter((record: DeliveryRecord) => !held.has(record.id))
          for (const record of fresh) held.add(record.id)
          return { ...claimed, records: fresh }
        },
      }))
      paths.set(store, file)
      return store
    }
    const paths = new WeakMap<Store, string>()
    const failed = await failedCases(() => keepingClaims(), {
      reopen: (store) => keepingClaims(paths.get(store)),
    })
    expect(failed).toContain('restart: reopening releases every claim and keeps the claim order')
  })

  it("catches a fleet store whose failure count outlives the integration's health (countFailures kept on deleteHealth)", async () => {
    /** SQLite with a failure count beside it, as a fleet store would keep one; `clears`: deleteHealth resets it. */
    const counting = (clears: boolean) => () => {
      const counts = new Map<string, number>()
      return breaking(sound(), (inner) => ({
        write: (operations) => {
          for (const operation of operations) {
            if (clears && operation.type === 'deleteHealth') {
              counts.delete(`${operation.tenant ?? ''}/${operation.integrationId}`)
            }
          }
          return inner.write(operations)
        },
        countFailures: (key, outcome) => {
          const count = outcome === 'failing' ? (counts.get(key) ?? 0) + 1 : 0
          counts.set(key, count)
          return count
        },
      }))
    }
    expect(await failedCases(counting(true))).toEqual([])
    expect(await failedCases(counting(false))).toEqual([
      "health: deleteHealth resets the integration's countFailures (when present), and only its own",
    ])
  })

  it('says which cases failed, and why, in one error', async () => {
    const noisy = () =>
      breaking(sound(), () => ({
        getAcceptedEvent: () => ({ tenant: null, eventId: 'x', deliveries: [], acceptedAt: 0 }),
      }))
    await expect(assertStoreContract(noisy)).rejects.toThrow(
      /^The store breaks the Store contract \(\d+ of \d+ cases failed\):\n- open: a new store is empty; an empty batch is accepted:\n {4}getAcceptedEvent\(\) of a new store: expected undefined, got \{"tenant":null,"eventId":"x","deliveries":\[\],"acceptedAt":0\}\n- /,
    )
  })
})
