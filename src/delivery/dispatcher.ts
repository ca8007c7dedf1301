import type { DeadLetterSink } from '../dead-letters/dead-letter-sink.js'
import { DeliveryError } from '../errors/delivery-error.js'
import type { EventRouterError } from '../errors/event-router-error.js'
import { RouterClosedError } from '../errors/router-closed-error.js'
import type { IntegrationRecord } from '../integrations/integration-registry.js'
import { traceContextOf, withTraceContext } from '../observability/trace-context.js'
import type { Notify } from '../shared/notify.js'
import { scopeKey } from '../shared/scope.js'
import type {
  ClaimedDeliveries,
  DeliveryRecord,
  PendingSummary,
  Store,
  StoreOperation,
} from '../stores/store.js'
import type { StoreWriter, WriteDescription } from '../stores/store-writer.js'
import type { DeliveryFailed, DeliveryFailureReason, DeliveryResult, DeliverySucceeded } from './delivery.js'
import { claimedForAttempt } from './delivery-records.js'
import { type RunEnvironment, type RunOutcome, runDelivery } from './delivery-run.js'
import type { HealthMonitor } from './health-monitor.js'
import { resolvePacing } from './pacing.js'
import type { PacingLanes } from './pacing-lanes.js'
import { eventTenantOf, integrationKeyOf } from './queues.js'

/** The lifecycle events the dispatcher sends. */
export interface DispatchEvents {
  deliverySucceeded: [result: DeliverySucceeded]
  deliveryFailed: [result: DeliveryFailed]
  error: [error: EventRouterError]
}

/** How long a claim the store refused waits before it is tried again, in ms. */
const CLAIM_RETRY_MS = 1000

/** What the dispatcher needs from the rest of the router. */
export interface DispatcherDeps {
  readonly store: Store
  readonly writer: StoreWriter
  /** Most deliveries pending at once (queued, in flight, waiting to retry). */
  readonly maxPending: number
  /** A tenant's share of the pending deliveries (its events'), or `undefined` for none but `maxPending`. */
  readonly tenantMaxPending: (tenant: string | null) => number | undefined
  readonly lanes: PacingLanes
  readonly health: HealthMonitor
  readonly sink: DeadLetterSink
  /** What each delivery run is given. */
  readonly run: RunEnvironment
  readonly notify: Notify<DispatchEvents>
  readonly now: () => number
  /**
   * How many more deliveries of a batching integration may be claimed (enough to fill its
   * batches), or `undefined` when it does not batch. @default none batch
   */
  readonly batchWindow?: (integration: IntegrationRecord) => number | undefined
  /**
   * On a store several processes share: the configuration as this process follows it. A claimed
   * delivery of an integration this process does not know may be one another process just
   * added: it is given back and the configuration read again (`request`), and it is parked only
   * if the integration is still unknown once a read that began after the claim has applied
   * (`generation` counts the reads applied).
   */
  readonly fleetConfiguration?: { readonly generation: () => number; readonly request: () => void }
}

/** A caller of `emitAsync()` or `redeliver()` waiting for room under `maxPending`. */
interface RoomWaiter {
  readonly needed: number
  readonly operation: string
  readonly tenant: string | null
  readonly resolve: () => void
  readonly reject: (error: Error) => void
}

/** Where a delivery's outcome is waited for: what `receipt.settled` reads. */
export interface Ticket {
  result: DeliveryResult | undefined
  /** Set instead of `result` when the outcome cannot be known here (another process of a fleet settled it). */
  error?: Error
  waiters: TicketWaiter[] | undefined
}

/** A reader of `receipt.settled` waiting for a ticket. */
interface TicketWaiter {
  readonly resolve: (result: DeliveryResult) => void
  readonly reject: (error: Error) => void
}

/** What the dispatcher knows of an integration's deliveries in the store that no run holds. */
interface Backlog {
  unclaimed: number
  /** Earliest `notBefore` among them, or `null` when none (or not known yet). */
  nextDueAt: number | null
  /** A claim is being answered (an asynchronous store). */
  claiming: boolean
}

/**
 * Owns the pending work of this process: admission under `maxPending`, the backlog of each
 * integration in the store, claiming due deliveries into a bounded window per integration, one
 * run per claimed delivery, and settling each (the store, the health monitor, the dead letters,
 * the lifecycle events, the receipts). Deliveries wait in the store, not in memory: only a window
 * of each integration's backlog is held by runs at a time.
 */
export class Dispatcher {
  readonly #deps: DispatcherDeps
  #pending = 0
  /** Deliveries refused or parked without being queued, whose dead letter is being kept. */
  #storing = 0
  /** Claimed deliveries this process holds until they settle or are left in the store. */
  #running = 0
  #quietWaiters: (() => void)[] = []
  /** What waits in the store unclaimed, by queue. */
  readonly #backlogs = new Map<string, Backlog>()
  /** The queues of each integration (by its key), in the order they take turns. */
  readonly #queuesOf = new Map<string, Set<string>>()
  /** Queues that may have due deliveries to claim. */
  readonly #ready = new Set<string>()
  /** Queues whose integration was unknown at a claim, with the configuration generation then. */
  readonly #unknownSince = new Map<string, number>()
  readonly #tickets = new Map<string, Ticket>()
  /** Deliveries accepted on a store that is not durable, written to it by the next pump. */
  #intake: DeliveryRecord[] = []
  #pumpQueued = false
  #dueTimer: ReturnType<typeof setTimeout> | undefined
  #dueAt = Number.POSITIVE_INFINITY
  #stopped = false
  #idleWaiters: (() => void)[] = []
  readonly #pendingByTenant = new Map<string, number>()
  readonly #pendingByQueue = new Map<string, number>()
  #roomWaiters: RoomWaiter[] = []
  /** Whether this process claims and attempts deliveries (`start({ deliver: false })` turns it off). */
  #delivering = true
  /** Ids of the deliveries this process holds in a run. */
  readonly #runningIds = new Set<string>()

  constructor(deps: DispatcherDeps) {
    this.#deps = deps
  }

  /** Deliveries accepted and not settled: in the store, queued, in flight or waiting to retry. */
  get pendingCount(): number {
    return this.#pending
  }

  /** The receipt ticket of a delivery still pending in this process. */
  ticket(id: string): Ticket | undefined {
    return this.#tickets.get(id)
  }

  /** Deliveries accepted and not settled, by queue (for `stats()`). */
  get pendingByQueue(): ReadonlyMap<string, number> {
    return this.#pendingByQueue
  }

  /** Deliveries of events of `tenant` accepted and not settled. */
  pendingOf(tenant: string | null): number {
    return this.#pendingByTenant.get(scopeKey(tenant)) ?? 0
  }

  /**
   * Whether `needed` more deliveries of an event of `tenant` fit: under `maxPending` for all, and
   * under the tenant's own share (`tenants.maxPending`), so that one tenant's burst leaves room for
   * the others. Nothing pending always fits.
   */
  hasRoom(needed: number, tenant: string | null): boolean {
    return this.room(needed, tenant) === needed
  }

  /** How many of `needed` deliveries of an event of `tenant` fit now. */
  room(needed: number, tenant: string | null): number {
    const overall = this.#pending === 0 ? needed : Math.max(0, this.#deps.maxPending - this.#pending)
    const share = this.#deps.tenantMaxPending(tenant)
    if (share === undefined) return Math.min(needed, overall)
    const used = this.pendingOf(tenant)
    const own = used === 0 ? needed : Math.max(0, share - used)
    return Math.min(needed, overall, own)
  }

  /** The limit that refuses `needed` more deliveries of `tenant` now: the tenant's share or `maxPending`. */
  limitHit(
    needed: number,
    tenant: string | null,
  ): { readonly pending: number; readonly max: number; readonly tenant: boolean } {
    const share = this.#deps.tenantMaxPending(tenant)
    const used = this.pendingOf(tenant)
    if (share !== undefined && used > 0 && used + needed > share)
      return { pending: used, max: share, tenant: true }
    return { pending: this.#pending, max: this.#deps.maxPending, tenant: false }
  }

  /**
   * Resolves when `needed` deliveries of `tenant` fit, after that tenant's earlier waiters.
   * Rejects with `signal.reason` when `signal` aborts first (the wait leaves the line).
   */
  waitForRoom(needed: number, operation: string, tenant: string | null, signal?: AbortSignal): Promise<void> {
    if (this.#stopped) return Promise.reject(new RouterClosedError(operation))
    if (signal?.aborted) return Promise.reject(signal.reason)
    const queued = this.#roomWaiters.some((waiter) => waiter.tenant === tenant)
    if (!queued && this.hasRoom(needed, tenant)) return Promise.resolve()
    return new Promise((resolve, reject) => {
      if (!signal) {
        this.#roomWaiters.push({ needed, operation, tenant, resolve, reject })
        return
      }
      const onAbort = () => {
        const index = this.#roomWaiters.indexOf(waiter)
        if (index >= 0) this.#roomWaiters.splice(index, 1)
        reject(signal.reason)
        // The next in line may fit now that this one left.
        this.wakeRoomWaiters()
      }
      const waiter: RoomWaiter = {
        needed,
        operation,
        tenant,
        resolve: () => {
          signal.removeEventListener('abort', onAbort)
          resolve()
        },
        reject: (error) => {
          signal.removeEventListener('abort', onAbort)
          reject(error)
        },
      }
      signal.addEventListener('abort', onAbort, { once: true })
      this.#roomWaiters.push(waiter)
    })
  }

  /**
   * Wakes the room waiters that fit now, oldest first; a tenant waiting for its own share does
   * not hold up the others.
   */
  wakeRoomWaiters(): void {
    if (this.#roomWaiters.length === 0) return
    const blocked = new Set<string | null>()
    for (let index = 0; index < this.#roomWaiters.length; index++) {
      const waiter = this.#roomWaiters[index] as RoomWaiter
      if (blocked.has(waiter.tenant)) continue
      if (!this.hasRoom(waiter.needed, waiter.tenant)) {
        blocked.add(waiter.tenant)
        continue
      }
      this.#roomWaiters.splice(index, 1)
      waiter.resolve()
      // One at a time: the woken caller takes its room before the next is judged.
      return
    }
  }

  /**
   * Accepts new deliveries: writes them to the store with `also` in one atomic write (throws a
   * `StoreError` and accepts nothing when the store fails), then schedules them. Returns a ticket
   * per delivery.
   */
  accept(
    records: readonly DeliveryRecord[],
    also: readonly StoreOperation[],
    operation: WriteDescription,
  ): Ticket[] {
    const tickets: Ticket[] = []
    if (!this.#deps.store.durable && also.length === 0) {
      // Nothing survives the process anyway: the store gets them with the next pump, off emit()'s path.
      for (const record of records) {
        this.#intake.push(record)
        tickets.push(this.#ticket(record.id))
        this.#count(record.queue, 1)
      }
      this.#schedulePump()
      return tickets
    }
    const operations: StoreOperation[] = []
    for (const record of records) operations.push({ type: 'putDelivery', record, claimed: false })
    for (const extra of also) operations.push(extra)
    const written = this.#deps.writer.now(operations, operation)
    for (const record of records) {
      tickets.push(this.#ticket(record.id))
      this.#count(record.queue, 1)
    }
    if (written instanceof Promise) {
      written.then(
        () => this.#schedule(records),
        (error: unknown) => {
          // The store refused them after emit() returned: they fail, reported, never silently.
          for (const record of records) this.#failUnstored(record, error)
        },
      )
    } else this.#schedule(records)
    return tickets
  }

  #schedule(records: readonly DeliveryRecord[]): void {
    for (const record of records) this.#addToBacklog(record.queue, 1, record.notBefore)
    this.#schedulePump()
  }

  /** Settles a delivery that never got an attempt (backpressure, a disabled integration), as a dead letter. */
  refuse(record: DeliveryRecord, reason: DeliveryFailureReason, error: DeliveryError): Ticket {
    const ticket = this.#ticket(record.id)
    this.#storing++
    const result: DeliveryFailed = {
      status: 'failed',
      delivery: record.delivery,
      attempts: 0,
      history: [],
      reason,
      error,
      startedAt: Date.now(),
      durationMs: 0,
      ...traceContextOf(record),
    }
    this.#deps.notify('deliveryFailed', result)
    this.#deps.sink.keep(record, result, () => this.#settled(record, result, false))
    return ticket
  }

  /** Takes over what a previous process left pending (at `start()`), from the store's summary. */
  restore(summary: readonly PendingSummary[]): void {
    for (const { queue, pending, unclaimed, nextDueAt } of summary) {
      this.#count(queue, pending)
      this.#addToBacklog(queue, unclaimed, nextDueAt)
    }
    this.#schedulePump()
  }

  /** An integration's deliveries can go again (its pause ended, it was enabled): look at its backlog. */
  wake(integrationKey: string): void {
    const queues = this.#queuesOf.get(integrationKey)
    if (!queues) return
    // Taking turns: the queue that was woken first goes last next time.
    const first = queues.values().next().value
    if (first !== undefined && queues.size > 1) {
      queues.delete(first)
      queues.add(first)
    }
    for (const queue of queues) {
      this.#ready.delete(queue)
      this.#ready.add(queue)
    }
    this.#schedulePump()
  }

  /** Resolves when every accepted delivery has settled (or, after `stop()`, was left in the store). */
  onIdle(): Promise<void> {
    if (this.#pending === 0 && this.#storing === 0) return Promise.resolve()
    return new Promise((resolve) => this.#idleWaiters.push(resolve))
  }

  /** Resolves when this process holds no delivery any more: every run ended, every dead letter kept. */
  quiet(): Promise<void> {
    if (this.#running === 0 && this.#storing === 0) return Promise.resolve()
    return new Promise((resolve) => this.#quietWaiters.push(resolve))
  }

  /**
   * Turns claiming off (an emit-only process of a fleet): deliveries are accepted into the store
   * and left there for the processes that deliver.
   */
  emitOnly(): void {
    this.#delivering = false
    this.#ready.clear()
  }

  /**
   * Follows a store shared by a fleet, from its summary: what waits unclaimed in each queue
   * (other processes' deliveries included) becomes this process's backlog to claim, and the
   * pending counts (`pendingCount`, `maxPending`, `onIdle()`) become the fleet's, as the store
   * counts them.
   */
  follow(summary: readonly PendingSummary[]): void {
    if (this.#stopped) return
    const seen = new Set<string>()
    for (const { queue, pending, unclaimed, nextDueAt } of summary) {
      seen.add(queue)
      this.#count(queue, pending - (this.#pendingByQueue.get(queue) ?? 0))
      if (!this.#delivering) continue
      const backlog = this.#backlogs.get(queue)
      if (backlog?.claiming) continue
      if (backlog) {
        backlog.unclaimed = 0
        backlog.nextDueAt = null
      }
      this.#addToBacklog(queue, unclaimed, nextDueAt)
    }
    for (const [queue, count] of [...this.#pendingByQueue]) {
      if (!seen.has(queue)) this.#count(queue, -count)
    }
    for (const [queue, backlog] of this.#backlogs) {
      if (!seen.has(queue) && !backlog.claiming) backlog.unclaimed = 0
    }
    this.#afterSettle()
    this.#schedulePump()
  }

  /** Ids of the deliveries whose receipts wait here while no run of this process holds them (a fleet's sync looks them up). */
  awaitedElsewhere(): string[] {
    const ids: string[] = []
    for (const [id, ticket] of this.#tickets) {
      if (ticket.result === undefined && !this.#runningIds.has(id)) ids.push(id)
    }
    return ids
  }

  /**
   * Deliveries another process of the fleet settled: their receipts here reject with `error(id)`
   * (the outcome is that process's), and their tickets are forgotten.
   */
  settledElsewhere(ids: readonly string[], error: (id: string) => Error): void {
    for (const id of ids) {
      const ticket = this.#tickets.get(id)
      if (!ticket || ticket.result !== undefined || this.#runningIds.has(id)) continue
      this.#tickets.delete(id)
      ticket.error = error(id)
      if (ticket.waiters) for (const waiter of ticket.waiters) waiter.reject(ticket.error)
    }
  }

  /** close(): claims nothing more; rejects whoever waits for room. */
  stop(): void {
    this.#stopped = true
    clearTimeout(this.#dueTimer)
    for (const waiter of this.#roomWaiters.splice(0)) waiter.reject(new RouterClosedError(waiter.operation))
  }

  /**
   * After `stop()`, with a store that is not durable: what waits in the store unclaimed fails
   * with reason `shutdown`, as if it had been queued in memory. A durable store keeps it.
   */
  abandonBacklog(): void {
    this.#takeIntake()
    const now = Number.POSITIVE_INFINITY
    for (const [queue, backlog] of this.#backlogs) {
      if (backlog.unclaimed === 0) continue
      const claimed = this.#deps.store.claimDue(queue, now, backlog.unclaimed)
      if (claimed instanceof Promise) continue
      backlog.unclaimed -= claimed.records.length
      for (const record of claimed.records) this.#parkClaimed(record, 'shutdown')
    }
  }

  /**
   * After `stop()`, with a durable store: what waits in the store unclaimed stays there for the
   * next `start()`, and this process stops counting it, as it does a delivery `close()` released.
   */
  leaveBacklog(): void {
    for (const [queue, backlog] of this.#backlogs) {
      if (backlog.unclaimed === 0) continue
      this.#count(queue, -backlog.unclaimed)
      backlog.unclaimed = 0
    }
    this.#afterSettle()
  }

  #addToBacklog(queue: string, count: number, dueAt: number | null): void {
    let backlog = this.#backlogs.get(queue)
    if (!backlog) {
      backlog = { unclaimed: 0, nextDueAt: null, claiming: false }
      this.#backlogs.set(queue, backlog)
      const integrationKey = integrationKeyOf(queue)
      let queues = this.#queuesOf.get(integrationKey)
      if (!queues) {
        queues = new Set()
        this.#queuesOf.set(integrationKey, queues)
      }
      queues.add(queue)
    }
    backlog.unclaimed += count
    if (dueAt !== null && (backlog.nextDueAt === null || dueAt < backlog.nextDueAt)) backlog.nextDueAt = dueAt
    if (backlog.unclaimed > 0) this.#ready.add(queue)
  }

  /** Forgets an empty backlog. */
  #dropBacklog(queue: string): void {
    this.#backlogs.delete(queue)
    const integrationKey = integrationKeyOf(queue)
    const queues = this.#queuesOf.get(integrationKey)
    queues?.delete(queue)
    if (queues?.size === 0) this.#queuesOf.delete(integrationKey)
  }

  #ticket(id: string): Ticket {
    const ticket: Ticket = { result: undefined, waiters: undefined }
    this.#tickets.set(id, ticket)
    return ticket
  }

  #schedulePump(): void {
    if (this.#pumpQueued || this.#stopped) return
    this.#pumpQueued = true
    // Deliveries start together in a microtask, once the host's synchronous code has moved on:
    // building and sending requests stays off emit()'s path.
    queueMicrotask(this.#pump)
  }

  /** Claims due deliveries of every ready integration into its window, and starts their runs. */
  readonly #pump = (): void => {
    this.#pumpQueued = false
    this.#takeIntake()
    if (this.#stopped || !this.#delivering) return
    const now = this.#deps.now()
    for (const queue of this.#ready) {
      const backlog = this.#backlogs.get(queue)
      if (!backlog || backlog.unclaimed === 0) {
        this.#ready.delete(queue)
        if (backlog && backlog.unclaimed === 0 && !backlog.claiming) this.#dropBacklog(queue)
        continue
      }
      if (backlog.claiming) continue
      if (backlog.nextDueAt !== null && backlog.nextDueAt > now) {
        this.#ready.delete(queue)
        this.#wakeAt(backlog.nextDueAt)
        continue
      }
      const integrationKey = integrationKeyOf(queue)
      const integration = this.#deps.run.integration(integrationKey)
      const parking = !integration?.integration.enabled || this.#deps.health.parks(integrationKey)
      const limit = parking ? backlog.unclaimed : this.#window(integration as IntegrationRecord)
      if (limit <= 0) {
        // Full: the next attempt to leave the lane makes room (onRoom).
        this.#ready.delete(queue)
        continue
      }
      const claimed = this.#deps.store.claimDue(queue, now, limit)
      if (claimed instanceof Promise) {
        backlog.claiming = true
        claimed.then(
          (answer) => {
            backlog.claiming = false
            this.#claimed(queue, backlog, answer)
            this.#schedulePump()
          },
          () => {
            backlog.claiming = false
          },
        )
        continue
      }
      this.#claimed(queue, backlog, claimed)
    }
  }

  /** Writes what was accepted since the last pump to the store (not durable: it cannot fail but for a bug). */
  #takeIntake(): void {
    const records = this.#intake
    if (records.length === 0) return
    this.#intake = []
    const operations: StoreOperation[] = []
    for (const record of records) operations.push({ type: 'putDelivery', record, claimed: false })
    try {
      this.#deps.writer.now(operations, 'store accepted deliveries')
    } catch (error) {
      this.#deps.notify('error', error as EventRouterError)
      for (const record of records) this.#failUnstored(record, error)
      return
    }
    this.#schedule(records)
  }

  /** How many more deliveries of an integration may be claimed: its window less what waits in its lane or flies. */
  #window(integration: IntegrationRecord): number {
    const batched = this.#deps.batchWindow?.(integration)
    if (batched !== undefined) return batched
    const { concurrency } = resolvePacing(integration.adapter.pacing, integration.integration.pacing)
    return 2 * concurrency + 16 - this.#deps.lanes.load(integration.key)
  }

  #claimed(queue: string, backlog: Backlog, answer: ClaimedDeliveries): void {
    backlog.unclaimed = Math.max(0, backlog.unclaimed - answer.records.length)
    backlog.nextDueAt = answer.nextDueAt
    if (answer.records.length === 0) {
      if (answer.nextDueAt === null) backlog.unclaimed = 0
      else this.#wakeAt(answer.nextDueAt)
      this.#ready.delete(queue)
      return
    }
    const now = this.#deps.now()
    const integrationKey = integrationKeyOf(queue)
    const integration = this.#deps.run.integration(integrationKey)
    const fleet = this.#deps.fleetConfiguration
    if (integration === undefined && fleet !== undefined) {
      const seenAt = this.#unknownSince.get(queue) ?? fleet.generation()
      if (fleet.generation() <= seenAt + 1) {
        this.#unknownSince.set(queue, seenAt)
        fleet.request()
        this.#releaseLater(answer.records)
        return
      }
    }
    this.#unknownSince.delete(queue)
    if (!integration?.integration.enabled) {
      for (const record of answer.records) this.#parkClaimed(record, 'integration_disabled')
      return
    }
    if (this.#deps.health.parks(integrationKey)) {
      for (const record of answer.records) this.#parkClaimed(record, 'circuit_open')
      return
    }
    const records = answer.records.map((record) => claimedForAttempt(record, now))
    // Nothing of a store that is not durable outlives the process: no attempt to count for a restart.
    if (!this.#deps.store.durable) {
      this.#startAll(records)
      return
    }
    // The attempts are counted in the store before any is made: a crash mid-attempt leaves it counted.
    try {
      const written = this.#deps.writer.now(
        records.map((record) => ({ type: 'putDelivery', record, claimed: true })),
        () => `claim deliveries of queue \`${queue}\``,
      )
      if (written instanceof Promise) {
        written.then(
          () => this.#startAll(records),
          (error: EventRouterError) => this.#claimRefused(answer.records, error),
        )
        return
      }
    } catch (error) {
      this.#claimRefused(answer.records, error as EventRouterError)
      return
    }
    this.#startAll(records)
  }

  /** The store could not count the attempts: nothing is attempted; they are claimed again a little later. */
  #claimRefused(records: readonly DeliveryRecord[], error: EventRouterError): void {
    this.#deps.notify('error', error)
    this.#releaseLater(records)
  }

  /** Gives claimed deliveries back to the store, to be claimed again a little later. */
  #releaseLater(records: readonly DeliveryRecord[]): void {
    const later = this.#deps.now() + CLAIM_RETRY_MS
    for (const record of records) {
      this.#deps.writer.soon([{ type: 'putDelivery', record, claimed: false }], 'release a delivery')
      this.#addToBacklog(record.queue, 1, later)
    }
  }

  #startAll(records: readonly DeliveryRecord[]): void {
    this.#running += records.length
    for (const record of records) {
      this.#runningIds.add(record.id)
      void runDelivery(record, this.#deps.run).then((outcome) => this.#finish(outcome))
    }
  }

  /** Settles a claimed delivery that cannot be attempted: parked as a dead letter, no attempt. */
  #parkClaimed(record: DeliveryRecord, reason: 'integration_disabled' | 'circuit_open' | 'shutdown'): void {
    const { delivery } = record
    const message =
      reason === 'shutdown'
        ? 'the router closed before the delivery completed.'
        : reason === 'circuit_open'
          ? 'parked: the integration is suspended (circuit open) after repeated failures.'
          : `integration \`${delivery.integrationId}\` is disabled or was removed.`
    const code =
      reason === 'shutdown'
        ? 'ERR_DELIVERY_ABORTED'
        : reason === 'circuit_open'
          ? 'ERR_CIRCUIT_OPEN'
          : 'ERR_INTEGRATION_DISABLED'
    const result: DeliveryFailed = {
      status: 'failed',
      delivery,
      attempts: record.history.length,
      history: record.history,
      reason,
      error: new DeliveryError(code, `Delivery ${delivery.id}: ${message}`, { retryable: false }),
      startedAt: record.firstAttemptAt ?? Date.now(),
      durationMs: 0,
    }
    this.#running++
    this.#runningIds.add(record.id)
    this.#finish({ kind: 'settled', record, result })
  }

  /** Settles a run: health, lifecycle events, the store or a dead letter, the receipt; then frees its room. */
  #finish(outcome: RunOutcome): void {
    const { record } = outcome
    this.#runningIds.delete(record.id)
    if (outcome.kind === 'released') {
      this.#deps.writer.soon([{ type: 'putDelivery', record, claimed: false }], 'leave a delivery pending')
      this.#left(record)
      this.#ended()
      return
    }
    // Telemetry links the delivery's span to the emitting one through the record's trace context.
    const result = withTraceContext(outcome.result, record)
    this.#deps.health.settled(result)
    if (result.status === 'succeeded') {
      this.#deps.notify('deliverySucceeded', result)
      this.#deps.writer.soon([{ type: 'deleteDelivery', id: record.id }], 'remove a delivered delivery')
      this.#settled(record, result, true)
      this.#ended()
      return
    }
    this.#deps.notify('deliveryFailed', result)
    this.#deps.sink.keep(record, result, () => {
      this.#settled(record, result, true)
      this.#ended()
    })
  }

  #ended(): void {
    this.#running--
    this.#wakeQuiet()
  }

  #wakeQuiet(): void {
    if (this.#running === 0 && this.#storing === 0 && this.#quietWaiters.length > 0) {
      const waiters = this.#quietWaiters
      this.#quietWaiters = []
      for (const resolve of waiters) resolve()
    }
  }

  /** A delivery stopped counting in this process without an outcome (left in a durable store at close()). */
  #left(record: DeliveryRecord): void {
    this.#tickets.delete(record.id)
    this.#count(record.queue, -1)
    this.#afterSettle()
  }

  /** Counts deliveries in or out of `pending`, overall and for the tenant whose events wait in `queue`. */
  #count(queue: string, delta: number): void {
    this.#pending += delta
    const key = scopeKey(eventTenantOf(queue))
    const count = (this.#pendingByTenant.get(key) ?? 0) + delta
    if (count === 0) this.#pendingByTenant.delete(key)
    else this.#pendingByTenant.set(key, count)
    const inQueue = (this.#pendingByQueue.get(queue) ?? 0) + delta
    if (inQueue === 0) this.#pendingByQueue.delete(queue)
    else this.#pendingByQueue.set(queue, inQueue)
  }

  #settled(record: DeliveryRecord, result: DeliveryResult, admitted: boolean): void {
    const { id } = record
    const ticket = this.#tickets.get(id)
    if (ticket) {
      this.#tickets.delete(id)
      ticket.result = result
      if (ticket.waiters) for (const waiter of ticket.waiters) waiter.resolve(result)
    }
    if (admitted) this.#count(record.queue, -1)
    else {
      this.#storing--
      this.#wakeQuiet()
    }
    this.#afterSettle()
  }

  #afterSettle(): void {
    this.wakeRoomWaiters()
    if (this.#pending === 0 && this.#storing === 0) {
      const waiters = this.#idleWaiters
      this.#idleWaiters = []
      for (const resolve of waiters) resolve()
    }
  }

  /** A delivery accepted by emit() that an asynchronous store then refused. */
  #failUnstored(record: DeliveryRecord, cause: unknown): void {
    const { delivery } = record
    const result: DeliveryFailed = {
      status: 'failed',
      delivery,
      attempts: 0,
      history: [],
      reason: 'not_retryable',
      error: new DeliveryError(
        'ERR_ADAPTER',
        `Delivery ${delivery.id}: the store could not keep it: ${cause instanceof Error ? cause.message : String(cause)}`,
        { retryable: false, cause },
      ),
      startedAt: Date.now(),
      durationMs: 0,
      ...traceContextOf(record),
    }
    this.#deps.notify('deliveryFailed', result)
    this.#settled(record, result, true)
  }

  /** Claims again once the earliest future delivery is due. */
  #wakeAt(at: number): void {
    if (this.#stopped || at >= this.#dueAt) return
    clearTimeout(this.#dueTimer)
    this.#dueAt = at
    this.#dueTimer = setTimeout(
      () => {
        this.#dueAt = Number.POSITIVE_INFINITY
        const now = this.#deps.now()
        for (const [queue, backlog] of this.#backlogs) {
          if (backlog.unclaimed > 0 && (backlog.nextDueAt === null || backlog.nextDueAt <= now)) {
            this.#ready.add(queue)
          } else if (backlog.unclaimed > 0 && backlog.nextDueAt !== null) this.#wakeAt(backlog.nextDueAt)
        }
        this.#schedulePump()
      },
      Math.max(0, at - this.#deps.now()),
    )
  }
}

/** What `receipt.settled` waits for: the outcome of one delivery. */
export function outcomeOf(ticket: Ticket): DeliveryResult | Promise<DeliveryResult> {
  if (ticket.result) return ticket.result
  if (ticket.error) return Promise.reject(ticket.error)
  return new Promise((resolve, reject) => {
    ticket.waiters ??= []
    ticket.waiters.push({ resolve, reject })
  })
}
