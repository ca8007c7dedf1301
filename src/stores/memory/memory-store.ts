import type { DeadLetter, ResolvedDeadLetterQuery } from '../../dead-letters/dead-letter.js'
import { matchesQuery } from '../../dead-letters/dead-letter.js'
import type {
  AcceptedEvent,
  ClaimedDeliveries,
  DeliveryRecord,
  IntegrationHealth,
  PendingSummary,
  Store,
  StoredConfiguration,
  StoredIntegration,
  StoredSubscription,
  StoreOperation,
} from '../store.js'
import { DueQueue } from './due-queue.js'

/** Options of {@link memoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Most dead letters kept. A letter that does not fit is refused, and the router reports it on
   * `error` (a `DeadLetterStoreError` carrying it): memory stays bounded and nothing is dropped
   * unreported.
   * @default 100000
   */
  maxDeadLetters?: number
}

/**
 * A pending delivery, which is also its own entry in its lane's queue while unclaimed. Replacing
 * it (or claiming it) bumps `version`; queue entries keep the version they were pushed with, so a
 * stale entry is recognised and skipped.
 */
interface Pending {
  record: DeliveryRecord
  claimed: boolean
  readonly seq: number
  version: number
}

/** A queue entry: a pending delivery as it was when pushed. */
interface QueueEntry {
  readonly dueAt: number
  readonly seq: number
  readonly pending: Pending
  readonly version: number
}

interface Lane {
  readonly queue: DueQueue<QueueEntry>
  pending: number
  unclaimed: number
}

// JSON keeps the tenant `null` apart from every string, `''` included.
const key = (tenant: string | null, name: string) => `${JSON.stringify(tenant)}\u0000${name}`

const OPERATION_TYPES: ReadonlySet<string> = new Set<StoreOperation['type']>([
  'putIntegration',
  'deleteIntegration',
  'putSubscription',
  'deleteSubscription',
  'putEventSwitch',
  'putDelivery',
  'deleteDelivery',
  'putDeadLetter',
  'deleteDeadLetter',
  'putHealth',
  'deleteHealth',
  'putAcceptedEvent',
  'pruneAcceptedEvents',
])

/**
 * The default store: everything in this process's memory, gone when it exits (`durable: false`),
 * so the router needs no `start()` and `close()` dead-letters what is left pending, as before
 * stores existed. Records are kept as given (they are immutable), without copies.
 */
export function memoryStore(options: MemoryStoreOptions = {}): Store {
  return new MemoryStore(options)
}

class MemoryStore implements Store {
  readonly durable = false
  readonly #maxDeadLetters: number
  readonly #integrations = new Map<string, StoredIntegration>()
  readonly #subscriptions = new Map<string, StoredSubscription>()
  readonly #disabledEvents = new Map<string, { readonly tenant: string | null; readonly name: string }>()
  readonly #deliveries = new Map<string, Pending>()
  readonly #lanes = new Map<string, Lane>()
  readonly #deadLetters = new Map<string, DeadLetter>()
  /** The same letters by tenant, so that listing one tenant's does not scan everyone's. */
  readonly #lettersOf = new Map<string, Map<string, DeadLetter>>()
  readonly #health = new Map<string, IntegrationHealth>()
  readonly #accepted = new Map<string, AcceptedEvent>()
  #seq = 0
  /** The latest `deadLetteredAt` stored, while letters keep arriving in time order (then the map is sorted). */
  #lastLetteredAt = Number.NEGATIVE_INFINITY
  #lettersInOrder = true

  constructor(options: MemoryStoreOptions) {
    const max = options.maxDeadLetters ?? 100_000
    if (!Number.isSafeInteger(max) || max < 1) {
      throw new TypeError(`Expected \`maxDeadLetters\` to be a positive integer, got \`${String(max)}\`.`)
    }
    this.#maxDeadLetters = max
  }

  open(): void {}

  close(): void {}

  write(operations: readonly StoreOperation[]): void {
    this.#check(operations)
    for (const operation of operations) this.#apply(operation)
  }

  loadConfiguration(): StoredConfiguration {
    return {
      integrations: [...this.#integrations.values()],
      subscriptions: [...this.#subscriptions.values()],
      disabledEvents: [...this.#disabledEvents.values()],
    }
  }

  loadHealth(): IntegrationHealth[] {
    return [...this.#health.values()]
  }

  pendingSummary(): PendingSummary[] {
    const summary: PendingSummary[] = []
    for (const [queue, lane] of this.#lanes) {
      summary.push({
        queue,
        pending: lane.pending,
        unclaimed: lane.unclaimed,
        nextDueAt: this.#nextDueAt(lane),
      })
    }
    return summary
  }

  claimDue(queue: string, now: number, limit: number): ClaimedDeliveries {
    const lane = this.#lanes.get(queue)
    if (!lane) return { records: [], nextDueAt: null }
    const records: DeliveryRecord[] = []
    while (records.length < limit) {
      const head = this.#liveHead(lane)
      if (head === undefined || head.dueAt > now) break
      lane.queue.pop()
      const { pending } = head
      pending.version++
      pending.claimed = true
      lane.unclaimed--
      records.push(pending.record)
    }
    return { records, nextDueAt: this.#nextDueAt(lane) }
  }

  getDeliveries(ids: readonly string[]): DeliveryRecord[] {
    const found: DeliveryRecord[] = []
    for (const id of ids) {
      const pending = this.#deliveries.get(id)
      if (pending) found.push(pending.record)
    }
    return found
  }

  listDeadLetters(query: ResolvedDeadLetterQuery): DeadLetter[] {
    const found: DeadLetter[] = []
    const limit = query.limit ?? Number.POSITIVE_INFINITY
    const wanted = query.ids === undefined ? undefined : new Set(query.ids)
    const letters = this.#lettersOldestFirst()
    // One tenant's letters are listed from its own index, not from everyone's.
    const scope =
      query.tenant === undefined
        ? letters
        : (this.#lettersOf.get(key(query.tenant, '')) ?? new Map()).values()
    for (const letter of scope) {
      if (found.length >= limit) break
      if ((wanted === undefined || wanted.has(letter.id)) && matchesQuery(letter, query)) found.push(letter)
    }
    return found
  }

  /** The letters by `deadLetteredAt`, then write order: the map's own order unless one arrived out of time order. */
  #lettersOldestFirst(): Iterable<DeadLetter> {
    if (this.#lettersInOrder) return this.#deadLetters.values()
    const sorted = [...this.#deadLetters.values()].sort(
      (a, b) => Date.parse(a.deadLetteredAt) - Date.parse(b.deadLetteredAt),
    )
    // Re-inserted in time order: the next lists need no sort.
    this.#deadLetters.clear()
    this.#lettersOf.clear()
    for (const letter of sorted) this.#setLetter(letter)
    this.#lettersInOrder = true
    this.#lastLetteredAt =
      sorted.length === 0
        ? Number.NEGATIVE_INFINITY
        : Date.parse((sorted.at(-1) as DeadLetter).deadLetteredAt)
    return this.#deadLetters.values()
  }

  getAcceptedEvent(tenant: string | null, eventId: string): AcceptedEvent | undefined {
    return this.#accepted.get(key(tenant, eventId))
  }

  /** Refuses a batch that would overfill the dead letters, or holds an unknown operation, before any of it is applied. */
  #check(operations: readonly StoreOperation[]): void {
    let added = 0
    for (const operation of operations) {
      if (!OPERATION_TYPES.has(operation.type)) {
        throw new TypeError(`unknown store operation type \`${String(operation.type)}\``)
      }
      if (operation.type === 'putDeadLetter' && !this.#deadLetters.has(operation.letter.id)) added++
      else if (operation.type === 'deleteDeadLetter' && this.#deadLetters.has(operation.id)) added--
    }
    if (added > 0 && this.#deadLetters.size + added > this.#maxDeadLetters) {
      throw new RangeError(
        `the in-memory store is full of dead letters (maxDeadLetters: ${this.#maxDeadLetters})`,
      )
    }
  }

  #apply(operation: StoreOperation): void {
    switch (operation.type) {
      case 'putIntegration': {
        const { integration } = operation
        this.#integrations.set(key(integration.tenant, integration.id), integration)
        return
      }
      case 'deleteIntegration':
        this.#integrations.delete(key(operation.tenant, operation.id))
        return
      case 'putSubscription': {
        const { subscription } = operation
        this.#subscriptions.set(key(subscription.tenant, subscription.id), subscription)
        return
      }
      case 'deleteSubscription':
        this.#subscriptions.delete(key(operation.tenant, operation.id))
        return
      case 'putEventSwitch': {
        const id = key(operation.tenant, operation.name)
        if (operation.enabled) this.#disabledEvents.delete(id)
        else this.#disabledEvents.set(id, { tenant: operation.tenant, name: operation.name })
        return
      }
      case 'putDelivery':
        this.#putDelivery(operation.record, operation.claimed)
        return
      case 'deleteDelivery':
        this.#deleteDelivery(operation.id)
        return
      case 'putDeadLetter': {
        // Re-inserted at the end: the order is the order of dead-lettering.
        this.#deleteLetter(operation.letter.id)
        this.#setLetter(operation.letter)
        const at = Date.parse(operation.letter.deadLetteredAt)
        if (at < this.#lastLetteredAt) this.#lettersInOrder = false
        else this.#lastLetteredAt = at
        return
      }
      case 'deleteDeadLetter':
        this.#deleteLetter(operation.id)
        return
      case 'putHealth':
        this.#health.set(key(operation.health.tenant, operation.health.integrationId), operation.health)
        return
      case 'deleteHealth':
        this.#health.delete(key(operation.tenant, operation.integrationId))
        return
      case 'putAcceptedEvent':
        this.#accepted.set(key(operation.event.tenant, operation.event.eventId), operation.event)
        return
      case 'pruneAcceptedEvents':
        for (const [id, event] of this.#accepted) {
          if (event.acceptedAt < operation.before) this.#accepted.delete(id)
        }
        return
      default:
        throw new TypeError(
          `unknown store operation type \`${String((operation as { type?: unknown }).type)}\``,
        )
    }
  }

  #setLetter(letter: DeadLetter): void {
    this.#deadLetters.set(letter.id, letter)
    const scope = key(letter.delivery.tenant, '')
    let letters = this.#lettersOf.get(scope)
    if (!letters) {
      letters = new Map()
      this.#lettersOf.set(scope, letters)
    }
    letters.set(letter.id, letter)
  }

  #deleteLetter(id: string): void {
    const letter = this.#deadLetters.get(id)
    if (!letter) return
    this.#deadLetters.delete(id)
    const scope = key(letter.delivery.tenant, '')
    const letters = this.#lettersOf.get(scope)
    letters?.delete(id)
    if (letters?.size === 0) this.#lettersOf.delete(scope)
  }

  #putDelivery(record: DeliveryRecord, claimed: boolean): void {
    const { queue } = record
    let pending = this.#deliveries.get(record.id)
    let lane = this.#lanes.get(queue)
    if (pending && pending.record.queue !== queue) {
      // Moved to another queue: leave the old one as if deleted.
      this.#deleteDelivery(record.id)
      pending = undefined
      lane = this.#lanes.get(queue)
    }
    if (!lane) {
      lane = { queue: new DueQueue(), pending: 0, unclaimed: 0 }
      this.#lanes.set(queue, lane)
    }
    if (!pending) {
      pending = { record, claimed: true, seq: this.#seq++, version: 0 }
      this.#deliveries.set(record.id, pending)
      lane.pending++
    } else {
      pending.record = record
    }
    if (!pending.claimed) lane.unclaimed--
    pending.version++
    pending.claimed = claimed
    if (!claimed) {
      lane.unclaimed++
      lane.queue.push({ dueAt: record.notBefore, seq: pending.seq, pending, version: pending.version })
    }
  }

  #deleteDelivery(id: string): void {
    const pending = this.#deliveries.get(id)
    if (!pending) return
    this.#deliveries.delete(id)
    const { queue } = pending.record
    const lane = this.#lanes.get(queue) as Lane
    lane.pending--
    if (!pending.claimed) lane.unclaimed--
    pending.version++
    if (lane.pending === 0) this.#lanes.delete(queue)
  }

  /** The earliest queue entry that is still the live entry of its record. */
  #liveHead(lane: Lane): QueueEntry | undefined {
    for (;;) {
      const head = lane.queue.peek()
      if (head === undefined || (head.version === head.pending.version && !head.pending.claimed)) return head
      lane.queue.pop()
    }
  }

  #nextDueAt(lane: Lane): number | null {
    return this.#liveHead(lane)?.dueAt ?? null
  }
}
