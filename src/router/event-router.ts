import { EventEmitter } from 'eventemitter3'
import type { Catalog } from '../catalog/catalog.js'
import type { DeadLetter } from '../dead-letters/dead-letter.js'
import { type DeadLetterEvents, DeadLetterSink } from '../dead-letters/dead-letter-sink.js'
import { type DeadLetters, DeadLettersView, type RedeliveryReceipt } from '../dead-letters/dead-letters.js'
import { storeDeadLetters } from '../dead-letters/store-dead-letters.js'
import { Batchers } from '../delivery/batchers.js'
import type { Delivery, DeliveryResult } from '../delivery/delivery.js'
import { newDeliveryRecord } from '../delivery/delivery-records.js'
import type { RunEnvironment } from '../delivery/delivery-run.js'
import { type DispatchEvents, Dispatcher, outcomeOf, type Ticket } from '../delivery/dispatcher.js'
import { fleetPacing } from '../delivery/fleet-pacing.js'
import { type HealthEvents, HealthMonitor } from '../delivery/health-monitor.js'
import type { ParkReason } from '../delivery/integration-lane.js'
import { PacingLanes } from '../delivery/pacing-lanes.js'
import { queueOf } from '../delivery/queues.js'
import { Shutdown } from '../delivery/shutdown.js'
import { BackpressureError } from '../errors/backpressure-error.js'
import { DeliveryError } from '../errors/delivery-error.js'
import { EventRouterError } from '../errors/event-router-error.js'
import { FilterEvaluationError } from '../errors/filter-evaluation-error.js'
import { ListenerError } from '../errors/listener-error.js'
import { parseInput } from '../errors/parse-input.js'
import { RouterClosedError } from '../errors/router-closed-error.js'
import { RouterNotStartedError } from '../errors/router-not-started-error.js'
import { SettledElsewhereError } from '../errors/settled-elsewhere-error.js'
import { ValidationError } from '../errors/validation-error.js'
import { assertEventName, describe, isEventName } from '../events/event-name.js'
import { EventSwitches } from '../events/event-switches.js'
import { explainFilter } from '../filters/explain-filter.js'
import type { IntegrationRecord, Integrations } from '../integrations/integration-registry.js'
import { IntegrationRegistry } from '../integrations/integration-registry.js'
import { ScopedIntegrations } from '../integrations/scoped-integrations.js'
import { DeliveryStats } from '../observability/delivery-stats.js'
import { summarizeRequest } from '../observability/request-summary.js'
import { logLifecycle } from '../observability/router-logger.js'
import type { RouterStats } from '../observability/router-stats.js'
import { type StatsSources, snapshotStats } from '../observability/stats-snapshot.js'
import { abortable, readSignal } from '../shared/abort.js'
import { generateId, idSchema } from '../shared/ids.js'
import { isPlainObject } from '../shared/is-plain-object.js'
import { assertJsonData } from '../shared/json-data.js'
import type { Notify } from '../shared/notify.js'
import { readOptions } from '../shared/read-options.js'
import { scopedKey, scopeKey, tenantSchema } from '../shared/scope.js'
import { SecretSealer } from '../stores/secret-sealer.js'
import type {
  AcceptedEvent,
  DeliveryRecord,
  Store,
  StoredConfiguration,
  StoreOperation,
} from '../stores/store.js'
import { asStoreError, StoreWriter } from '../stores/store-writer.js'
import { toStoredIntegration, toStoredSubscription } from '../stores/stored-configuration.js'
import { ScopedSubscriptions } from '../subscriptions/scoped-subscriptions.js'
import type { Subscriptions } from '../subscriptions/subscription-registry.js'
import { SubscriptionRegistry } from '../subscriptions/subscription-registry.js'
import type { KyTransport } from '../transport/ky/index.js'
import { AppliedConfiguration, type HeldConfiguration } from './applied-configuration.js'
import { type CatalogView, catalogView, checkAgainstCatalog } from './catalog-view.js'
import { applyFleetConfiguration } from './configuration-sync.js'
import { type EventRouterOptions, type ResolvedOptions, resolveOptions } from './event-router-options.js'
import type { Explanation, SubscriptionExplanation } from './explanation.js'
import { FleetSync } from './fleet-sync.js'
import { judge, type MatchSources, match } from './match.js'
import type { EventSkipped, RouterEventName, RouterEvents, SkipReason } from './router-events.js'
import { at, EMIT_ASYNC_KEYS, EMIT_KEYS, NO_OPTIONS, readEmitOptions, toEpochMs } from './router-input.js'
import { type RouterSnapshot, routerSnapshotSchema, type ToJSONOptions } from './router-snapshot.js'
import { type TenantEmitAsyncOptions, TenantRouter } from './tenant-router.js'
import { sendTest } from './test-send.js'
import type { EmittableName, EmittablePayload } from './typed-events.js'

export { TEST_MARKER } from './router-input.js'

/** Options of `emit()`. */
export interface EmitOptions {
  /**
   * Event id, e.g. your own event's primary key (1–128 chars of letters, digits, `_ . : -`).
   * @default a generated id: a random prefix per process and a counter
   */
  id?: string
  /** When the event happened: a Date, an ISO-8601 string or epoch milliseconds. @default now */
  occurredAt?: Date | string | number
  /**
   * The tenant (merchant) the event belongs to: it reaches that tenant's subscriptions and the
   * platform's, never another tenant's. Same as `router.tenant(id).emit()`.
   * @default none: a platform event, for the platform's subscriptions only
   */
  tenant?: string
}

/** Options of `emitAsync()`. */
export interface EmitAsyncOptions extends EmitOptions {
  /**
   * Stops waiting for room: the promise rejects with the signal's reason and nothing is emitted.
   * An event already accepted is not taken back.
   */
  signal?: AbortSignal
}

/** Options of `onIdle()`. */
export interface WaitOptions {
  /** Stops waiting: the promise rejects with the signal's reason (nothing else changes). */
  signal?: AbortSignal
}

/** What `emit()` returns. */
export interface EmitReceipt {
  /** The event's id. */
  readonly eventId: string
  /** One delivery per subscription that matched, each with its id (the idempotency key). */
  readonly deliveries: readonly Delivery[]
  /**
   * Resolves with the outcome of every delivery once all have settled. For a `duplicate`, with
   * the outcomes of those of its deliveries still pending in this process. Never rejects, but
   * in a fleet (a store several processes share, such as `redisStore()`): when another process
   * settles one of the deliveries, it rejects with `SettledElsewhereError` once this process
   * sees it (within `start()`'s `syncIntervalMs`).
   */
  readonly settled: Promise<DeliveryResult[]>
  /**
   * Whether the event id (`options.id`) had been accepted before: then nothing new was dispatched,
   * and `deliveries` are the ones made then (same ids).
   */
  readonly duplicate: boolean
}

/** Options of `start()`. */
export interface StartOptions {
  /**
   * Whether this process claims and attempts deliveries. `false` makes it emit only (a web
   * server of a fleet, whose workers deliver): `emit()` keeps its deliveries in the store and
   * returns, and the processes started with `deliver: true` send them. Needs a store that
   * several processes share (`redisStore()`), or another process delivering from the same store.
   * @default true
   */
  deliver?: boolean
  /**
   * On a store that several processes share (`Store.watch`, as `redisStore()` has): longest
   * time between two reads of what the fleet has pending (and of integration health: circuits
   * other processes opened or closed), in ms. Changes other processes make
   * are told by the store and read within a few ms; this bounds how long a missed notice, or the
   * lease of a process that died, goes unnoticed. Ignored on other stores.
   * @default 1000
   */
  syncIntervalMs?: number
}

/** Options of `close()`. */
export interface CloseOptions {
  /**
   * How long attempts already in flight may take to finish before they are aborted. What is not
   * delivered by then is dead-lettered with reason `shutdown`, or, with a durable store, left in
   * it (queued and retrying deliveries) for the next `start()`.
   * @default 30000
   */
  timeoutMs?: number
  /**
   * Cuts the wait short: attempts in flight are aborted at once, as at the deadline, and the
   * promise rejects with the signal's reason. The router still finishes closing (a second
   * `close()` resolves when it has).
   */
  signal?: AbortSignal
}

/** A listener of lifecycle event `E`: called with its arguments; what it returns is ignored (a rejection is reported on `error`). */
export type RouterListener<E extends RouterEventName> = (...args: RouterEvents[E]) => unknown
type AnyListener = (...args: unknown[]) => unknown

const NO_DELIVERIES: readonly Delivery[] = Object.freeze([])
const NO_RESULTS: Promise<DeliveryResult[]> = Promise.resolve([])
const NO_OPERATIONS: readonly StoreOperation[] = Object.freeze([])
/** How often old event ids are pruned, at most. */
const PRUNE_EVERY_MS = 60_000

/**
 * Routes a host application's business events to its integrations.
 *
 * Holds integrations (configured adapters) and subscriptions (this event, to that integration,
 * when this filter matches, with this prefix). `emit()` matches synchronously, keeps one delivery
 * per match in the store and returns; deliveries then run in the background, each ending in
 * exactly one `deliverySucceeded` or `deliveryFailed`.
 *
 * The router is a facade over stages that each own their state: `match` (pure), the
 * `Dispatcher` (admission, the backlog in the store, claiming due work, settling), the
 * `PacingLanes`, the `HealthMonitor` (circuit breaker, probes, 410, replay) and the
 * `DeadLetterSink`.
 *
 * @example
 * const router = new EventRouter({ adapters: [webhookAdapter()] })
 * router.integrations.add({ id: 'crm', type: 'webhook', config: { url: 'https://crm.example/hooks', secret: process.env.CRM_SECRET } })
 * router.subscriptions.create({ event: 'wallet.coins_rewarded', integrationId: 'crm', filter: { coins: { $gte: 100 } } })
 * router.emit('wallet.coins_rewarded', { coins: 150 })
 */
export class EventRouter<C extends Catalog | undefined = undefined> {
  /** The platform's integrations: configured destinations (each tenant's are in `tenant(id)`). */
  readonly integrations: Integrations
  /** The platform's subscriptions, which receive every tenant's events: which event goes where, when, under which name. */
  readonly subscriptions: Subscriptions
  /** The on/off status of each event type, for every tenant (a tenant can also switch one off for itself). */
  readonly events: EventSwitches
  /** The event catalog, for dashboards: events, their fields and JSON Schemas (empty without a catalog). */
  readonly catalog: CatalogView
  /** The platform's deliveries that failed or were parked: list them, redeliver them after an outage. */
  readonly deadLetters: DeadLetters

  readonly #switches = new Map<string, EventSwitches>()
  readonly #views = new Map<string, TenantRouter<C>>()
  /** Dead letters being redelivered, by id, across every tenant's view. */
  readonly #redelivering = new Set<string>()
  readonly #options: ResolvedOptions
  readonly #store: Store
  readonly #writer: StoreWriter
  readonly #sealer: SecretSealer | undefined
  readonly #integrations: IntegrationRegistry
  readonly #subscriptions: SubscriptionRegistry
  readonly #emitter = new EventEmitter()
  readonly #shutdown = new Shutdown()
  readonly #lanes: PacingLanes
  readonly #batchers: Batchers
  readonly #health: HealthMonitor
  readonly #dispatcher: Dispatcher
  readonly #run: RunEnvironment
  readonly #sources: MatchSources
  readonly #letterStore: import('../dead-letters/dead-letter-store.js').DeadLetterStore
  /** What `stats()` reads: the stages' own state and the counts kept from lifecycle events. */
  readonly #statsSources: StatsSources
  /** Undoes what the `telemetry` option attached, at the end of `close()`. */
  readonly #detachTelemetry: (() => void) | undefined
  /** Whether the router may be used: at once on a store that is not durable, after `start()` on a durable one. */
  #ready: boolean
  /** Loading the store's configuration: the registries' changes are not written back. */
  #loading = false
  #lastPrune = 0
  #starting: Promise<void> | undefined
  /** Keeps this router in step with the other processes, on a store they share. */
  #fleet: FleetSync | undefined
  /** Reads of the fleet's configuration applied so far (see `Dispatcher`'s `fleetConfiguration`). */
  #configurationReads = 0
  /** What the fleet sync last took from the stored configuration (see `AppliedConfiguration`). */
  readonly #appliedConfiguration = new AppliedConfiguration()
  #closing: Promise<void> | undefined

  constructor(options: EventRouterOptions<C>) {
    this.#options = resolveOptions(options as EventRouterOptions<Catalog | undefined>)
    const { catalog, store, secrets } = this.#options
    this.#store = store
    this.#ready = !store.durable
    this.#sealer = store.durable && secrets !== undefined ? new SecretSealer(secrets) : undefined
    const notify = this.#notify
    this.#writer = new StoreWriter(store, (error) => notify('error', error))
    this.catalog = catalogView(catalog)
    const limits = this.#options.tenantLimits
    this.#subscriptions = new SubscriptionRegistry({
      integrationExists: (tenant, id) => this.#integrations.record(tenant, id) !== undefined,
      testSend: (record, payload, testOptions) => this.#testSend(record, payload, testOptions),
      ...(catalog ? { check: (event, filter) => checkAgainstCatalog(catalog, event, filter) } : {}),
      persist: (tenant, id, subscription) =>
        this.#save(
          subscription
            ? { type: 'putSubscription', subscription: toStoredSubscription(subscription, tenant) }
            : { type: 'deleteSubscription', tenant, id },
          `save subscription \`${id}\``,
        ),
      quota: (tenant) => limits(tenant).maxSubscriptions ?? undefined,
    })
    this.#integrations = new IntegrationRegistry({
      adapters: this.#options.adapters,
      usersOf: (tenant, id) => this.#subscriptions.usersOf(tenant, id),
      persist: (tenant, id, record) =>
        this.#save(
          record
            ? { type: 'putIntegration', integration: toStoredIntegration(record, tenant, this.#sealer) }
            : { type: 'deleteIntegration', tenant, id },
          `save integration \`${id}\``,
        ),
      onChange: (key, record) => this.#integrationChanged(key, record),
      quota: (tenant) => limits(tenant).maxIntegrations ?? undefined,
    })
    this.events = this.#switchesOf(null)
    this.integrations = new ScopedIntegrations(this.#integrations, null)
    this.subscriptions = new ScopedSubscriptions(this.#subscriptions, null)
    this.#sources = {
      forEvent: (tenant, name) => this.#subscriptions.forEvent(tenant, name),
      wildcard: (tenant) => this.#subscriptions.wildcard(tenant),
      integration: (tenant, id) => this.#integrations.record(tenant, id),
      eventEnabled: (tenant, name) => this.#switches.get(scopeKey(tenant))?.isEnabled(name) ?? true,
    }

    this.#lanes = new PacingLanes({
      admit: (key, deliveryId) => this.#admit(key, deliveryId),
      onThrottle: (key, pauseMs) => {
        this.#health.throttled(key, pauseMs)
        const record = this.#integrations.recordByKey(key)
        if (record) {
          notify('integrationThrottled', {
            integrationId: record.integration.id,
            tenant: record.tenant,
            pauseMs,
          })
        }
      },
      onRoom: (key) => this.#dispatcher.wake(key),
      fleet: (key, pacing) => fleetPacing(this.#store, key, pacing, this.#options.timeoutMs),
    })
    this.#health = new HealthMonitor({
      circuitBreaker: this.#options.circuitBreaker,
      notify: narrowed<HealthEvents>(notify),
      persist: (operations) => this.#writer.soon(operations, 'keep integration health'),
      integration: (key) => this.#integrations.recordByKey(key),
      disable: (key, reason) => {
        const record = this.#integrations.recordByKey(key)
        if (record) this.#integrations.disableBecause(record.tenant, record.integration.id, reason)
      },
      parkWaiting: (key) => this.#lanes.cancel(key, 'circuit_open'),
      replayParked: (key) => {
        const record = this.#integrations.recordByKey(key)
        if (!record) return
        const letters = this.#deadLettersOf(record.tenant)
        this.#replay(letters.redeliver({ integrationId: record.integration.id, reason: 'circuit_open' }))
      },
      probeParked: (key, claim) => {
        const record = this.#integrations.recordByKey(key)
        if (!record) return
        const letters = this.#deadLettersOf(record.tenant)
        this.#replay(
          letters
            .list({ integrationId: record.integration.id, reason: 'circuit_open', limit: 1 })
            .then((oldest) =>
              oldest[0] === undefined || !claim(oldest[0].delivery.id)
                ? undefined
                : letters.redeliver([oldest[0].id]),
            ),
        )
      },
      ...(store.watch !== undefined && store.claimProbe !== undefined
        ? {
            claimProbe: store.claimProbe.bind(store),
            refreshHealth: () => {
              const records = store.loadHealth()
              // Asked while a delivery is admitted: only a store that answers at once (Redis) can help it.
              if (records instanceof Promise) records.catch(() => {})
              else this.#health.adopt(records)
            },
          }
        : {}),
      ...(store.watch !== undefined && store.countFailures !== undefined
        ? { countFailures: store.countFailures.bind(store) }
        : {}),
      now: Date.now,
    })
    this.#batchers = new Batchers({
      env: {
        transport: this.#options.transport,
        timeoutMs: this.#options.timeoutMs,
        shutdown: this.#shutdown,
      },
      laneFor: (integration) => this.#lanes.laneFor(integration),
      throttleMs: this.#options.retry.minTimeout,
    })
    // router.stats() counts each outcome and attempt as the stages report it, by a direct call:
    // a lifecycle listener would cost every delivery an emitter dispatch even when nobody polls.
    const counts = new DeliveryStats()
    this.#run = {
      transport: this.#options.transport,
      timeoutMs: this.#options.timeoutMs,
      shutdown: this.#shutdown,
      retry: this.#options.retry,
      integration: (key) => this.#integrations.recordByKey(key),
      gateFor: (integration) => this.#lanes.laneFor(integration),
      batcherFor: (integration, queue) => this.#batchers.gateFor(integration, queue),
      persist: (record) => {
        try {
          void this.#writer.now(
            [{ type: 'putDelivery', record, claimed: true }],
            `schedule a retry of ${record.id}`,
          )
        } catch (error) {
          // The retry goes on in this process; a restart would repeat the attempt, not lose it.
          notify('error', error as EventRouterError)
        }
      },
      onAttemptFailed: (failure) => {
        counts.attemptFailed(failure)
        notify('attemptFailed', failure)
      },
      keepsPendingOnClose: store.durable,
      // Attempt spans need each request's method and (redacted) URL in the history.
      ...(this.#options.telemetry ? { describeRequest: summarizeRequest } : {}),
    }
    const sink = new DeadLetterSink(
      this.#writer,
      this.#options.deadLetterStore,
      narrowed<DeadLetterEvents>(notify),
    )
    this.#dispatcher = new Dispatcher({
      store,
      writer: this.#writer,
      maxPending: this.#options.maxPending,
      tenantMaxPending: (tenant) => limits(tenant).maxPending ?? undefined,
      lanes: this.#lanes,
      health: this.#health,
      sink,
      run: this.#run,
      notify: narrowed<DispatchEvents>(countingSettled(notify, counts)),
      now: Date.now,
      batchWindow: (integration) => this.#batchers.window(integration),
      ...(store.watch === undefined
        ? {}
        : {
            fleetConfiguration: {
              generation: () => this.#configurationReads,
              request: () => this.#fleet?.requestConfiguration(),
            },
          }),
    })
    this.#letterStore = this.#options.deadLetterStore ?? storeDeadLetters(store, this.#writer)
    this.deadLetters = this.#deadLettersOf(null)
    // The logger and telemetry observe the lifecycle events, as a host's listener would.
    this.#statsSources = {
      integrations: () => this.#integrations.records(),
      pendingByQueue: () => this.#dispatcher.pendingByQueue,
      inFlight: (key) => this.#lanes.inFlight(key),
      health: (key) => this.#health.healthOf(key),
      counts,
      now: Date.now,
    }
    if (this.#options.logger) logLifecycle(this, this.#options.logger)
    this.#detachTelemetry = this.#options.telemetry?.attach({
      on: (event, listener) => this.on(event, listener),
      integrationStats: () => snapshotStats(this.#statsSources, undefined).integrations,
    })
  }

  /**
   * The view of one tenant (a merchant): the router's API over that tenant's own integrations,
   * subscriptions, event switches and dead letters only. Another tenant's ids do not exist in it.
   * Its events reach its subscriptions and the platform's. Throws `ValidationError` for an id that
   * is not 1–128 chars of letters, digits, `_ . : -`.
   */
  tenant(id: string): TenantRouter<C> {
    const tenant = parseInput(tenantSchema, id, 'tenant', 'tenant')
    let view = this.#views.get(tenant)
    if (!view) {
      view = new TenantRouter<C>(tenant, {
        integrations: new ScopedIntegrations(this.#integrations, tenant),
        subscriptions: new ScopedSubscriptions(this.#subscriptions, tenant),
        events: this.#switchesOf(tenant),
        deadLetters: this.#deadLettersOf(tenant),
        catalog: this.catalog,
        emit: (name, payload, options) =>
          this.#emit(name, payload, scoped(tenant, options), this.#options.backpressure),
        emitAsync: (name, payload, options) =>
          this.#emitAsync(name, payload, scoped(tenant, options, EMIT_ASYNC_KEYS)),
        explain: (name, payload) => this.#explain(tenant, name, payload),
        stats: () => snapshotStats(this.#statsSources, tenant),
      })
      this.#views.set(tenant, view)
    }
    return view
  }

  /** The event switches of a scope, made when first asked for. */
  #switchesOf(tenant: string | null): EventSwitches {
    const key = scopeKey(tenant)
    let switches = this.#switches.get(key)
    if (!switches) {
      switches = new EventSwitches((name, enabled) =>
        this.#save({ type: 'putEventSwitch', tenant, name, enabled }, `switch event type \`${name}\``),
      )
      this.#switches.set(key, switches)
    }
    return switches
  }

  /** The dead letters of a scope. */
  #deadLettersOf(tenant: string | null): DeadLetters {
    return new DeadLettersView(
      this.#letterStore,
      {
        redeliver: (letters, signal) => this.#redeliver(letters, signal),
        assertOpen: (operation) => {
          if (this.#closing) throw new RouterClosedError(operation)
          this.#assertReady(operation)
        },
      },
      tenant,
      this.#redelivering,
    )
  }

  /**
   * Opens the store, loads the configuration it holds (integrations, subscriptions, event
   * switches, each validated again) and the health of each integration, and goes on with what a
   * previous process left pending: waiting retries keep their remaining schedule and attempt
   * count; an attempt in flight when that process died is made again with the same delivery id.
   * Required before using a router on a durable store; resolves at once on one that is not.
   * Calling it again returns the same promise. Rejects with a `StoreError` when the store cannot
   * be opened (held by another router, corrupt, of a newer schema), or a `ValidationError` naming
   * the stored record that is no longer valid.
   */
  start(options?: StartOptions): Promise<void> {
    if (this.#closing) return Promise.reject(new RouterClosedError('start'))
    if (this.#starting) return this.#starting
    let read: Record<string, unknown>
    try {
      read = readOptions(options, ['deliver', 'syncIntervalMs'], 'start options')
    } catch (error) {
      return Promise.reject(error)
    }
    const issues: { path: string; message: string }[] = []
    const deliver = read.deliver ?? true
    if (typeof deliver !== 'boolean')
      issues.push({ path: 'deliver', message: `expected a boolean, got ${describe(deliver)}` })
    const syncIntervalMs = read.syncIntervalMs ?? 1000
    if (
      typeof syncIntervalMs !== 'number' ||
      !Number.isInteger(syncIntervalMs) ||
      syncIntervalMs < 10 ||
      syncIntervalMs > 2_147_483_647
    ) {
      issues.push({
        path: 'syncIntervalMs',
        message: `expected an integer number of ms from 10, got ${describe(syncIntervalMs)}`,
      })
    }
    if (issues.length > 0) return Promise.reject(new ValidationError('start options', issues))
    if (deliver === false) this.#dispatcher.emitOnly()
    this.#starting = this.#store.durable ? this.#load(syncIntervalMs as number) : Promise.resolve()
    return this.#starting
  }

  /**
   * Routes an event: validates it, evaluates the filter of every subscription of `name`
   * (and of `'*'`), keeps one delivery per match in the store, and returns. Matching is
   * synchronous; delivery is not. With a synchronous store (memory, SQLite) the deliveries are
   * stored when `emit()` returns: that is the durability point. Throws `ValidationError` for a
   * bad name, payload or option, `RouterClosedError` after `close()`, `StoreError` when the
   * store cannot keep them; nothing is dispatched then.
   *
   * When `maxPending` deliveries are already pending, throws `BackpressureError` (policy
   * `throw`, the default; nothing is dispatched) or dead-letters the deliveries that do not
   * fit (policy `deadLetter`). `emitAsync()` waits for room instead.
   */
  emit<N extends EmittableName<C>>(
    name: N,
    payload: EmittablePayload<C, N>,
    options?: EmitOptions,
  ): EmitReceipt {
    return this.#emit(name, payload, options, this.#options.backpressure)
  }

  /**
   * `emit()`, but when `maxPending` deliveries are pending it waits until there is room
   * (whatever the backpressure policy), in call order. Rejects like `emit()` throws, and with
   * `RouterClosedError` if the router closes while it waits, and with `options.signal`'s reason
   * if it aborts first (then nothing is emitted).
   */
  emitAsync<N extends EmittableName<C>>(
    name: N,
    payload: EmittablePayload<C, N>,
    options?: EmitAsyncOptions,
  ): Promise<EmitReceipt> {
    return this.#emitAsync(name, payload, options)
  }

  async #emitAsync(
    name: string,
    payload: unknown,
    options: EmitAsyncOptions | undefined,
  ): Promise<EmitReceipt> {
    const { signal: given, ...emitOptions } =
      options === undefined ? NO_OPTIONS : readEmitOptions(options, EMIT_ASYNC_KEYS)
    const signal = readSignal(given, 'event', 'options.signal')
    signal?.throwIfAborted()
    for (;;) {
      try {
        const receipt = this.#emit(name, payload, emitOptions as EmitOptions, 'throw')
        this.#dispatcher.wakeRoomWaiters()
        return receipt
      } catch (error) {
        if (!(error instanceof BackpressureError)) throw error
        await this.#dispatcher.waitForRoom(error.requested, `emit \`${String(name)}\``, error.tenant, signal)
      }
    }
  }

  #emit(
    name: string,
    payload: unknown,
    options: EmitOptions | undefined,
    policy: 'throw' | 'deadLetter',
  ): EmitReceipt {
    if (this.#closing) throw new RouterClosedError(`emit \`${String(name)}\``)
    if (!this.#ready) this.#assertReady(`emit \`${String(name)}\``)
    const data = this.#validEvent(name, payload)
    const {
      id,
      occurredAt: when,
      tenant: given,
    } = options === undefined ? NO_OPTIONS : readEmitOptions(options)
    const eventId = id === undefined ? generateId() : parseInput(idSchema, id, 'event', 'options.id')
    const occurredAt = toEpochMs(when)
    const tenant = given === undefined ? null : parseInput(tenantSchema, given, 'event', 'options.tenant')
    // An id the router has accepted before (a relay retrying after a crash): the same deliveries, none new.
    const earlier = id === undefined ? undefined : this.#accepted(tenant, eventId)
    if (earlier) return this.#duplicateReceipt(earlier)

    const reportSkips = this.#emitter.listenerCount('eventSkipped') > 0
    const found = match(this.#sources, tenant, name, data, reportSkips)
    for (const { subscription, error } of found.filterErrors) {
      this.#notify('error', new FilterEvaluationError(subscription.subscription.id, eventId, error))
    }
    if (found.targets.length === 0) {
      if (id !== undefined) {
        this.#writer.now([this.#remember(tenant, eventId, NO_DELIVERIES)], () => `remember event ${eventId}`)
      }
      this.#reportSkips(tenant, eventId, name, found.skipped)
      return { eventId, deliveries: NO_DELIVERIES, settled: NO_RESULTS, duplicate: false }
    }

    const baseName = this.#outgoingBase(name)
    const now = Date.now()
    const { retry } = this.#options
    const traceContext = this.#options.telemetry?.captureContext()
    const deliveries: Delivery[] = []
    const records: DeliveryRecord[] = []
    for (const { subscription, integration } of found.targets) {
      const outgoingName = subscription.prefix + baseName
      const delivery: Delivery = {
        id: generateId(),
        tenant: integration.tenant,
        eventId,
        eventName: name,
        outgoingName,
        subscriptionId: subscription.subscription.id,
        integrationId: integration.integration.id,
        integrationType: integration.adapter.type,
      }
      deliveries.push(delivery)
      records.push(
        newDeliveryRecord(
          {
            delivery,
            queue: queueOf(integration, tenant),
            event: { tenant, id: eventId, name, outgoingName, payload: data, occurredAt },
            traceContext,
          },
          retry,
          now,
        ),
      )
    }

    const room = this.#dispatcher.room(records.length, tenant)
    if (room < records.length && policy === 'throw') {
      const hit = this.#dispatcher.limitHit(records.length, tenant)
      throw new BackpressureError(hit.pending, hit.max, records.length, hit.tenant ? tenant : undefined)
    }
    const admitted = room === records.length ? records : records.slice(0, room)
    // With the caller's own id, the event is remembered in the write that stores its deliveries.
    const also = id === undefined ? NO_OPERATIONS : [this.#remember(tenant, eventId, deliveries)]
    const describeWrite = () => `store the deliveries of event ${eventId}`
    let tickets: Ticket[] = []
    if (admitted.length > 0) tickets = this.#dispatcher.accept(admitted, also, describeWrite)
    else if (also.length > 0) this.#writer.now(also, describeWrite)
    this.#reportSkips(tenant, eventId, name, found.skipped)
    for (let index = room; index < records.length; index++) {
      tickets.push(this.#refuse(records[index] as DeliveryRecord))
    }
    let settled: Promise<DeliveryResult[]> | undefined
    return {
      eventId,
      deliveries,
      duplicate: false,
      // Built on first read: most callers never await it.
      get settled() {
        settled ??= Promise.all(tickets.map(outcomeOf))
        return settled
      },
    }
  }

  /** The event accepted earlier under this id, if the store still remembers it. */
  #accepted(tenant: string | null, eventId: string): AcceptedEvent | undefined {
    let found: ReturnType<Store['getAcceptedEvent']>
    try {
      found = this.#store.getAcceptedEvent(tenant, eventId)
    } catch (error) {
      throw asStoreError(error, `look up event ${eventId}`)
    }
    if (found instanceof Promise) {
      throw new ValidationError('event', [
        {
          path: 'options.id',
          message: 'this store answers asynchronously: emit events with your own id through emitAsync()',
        },
      ])
    }
    return found
  }

  /** The operation that remembers an accepted event; old ones are forgotten now and then. */
  #remember(tenant: string | null, eventId: string, deliveries: readonly Delivery[]): StoreOperation {
    const now = Date.now()
    if (now - this.#lastPrune > PRUNE_EVERY_MS) {
      this.#lastPrune = now
      this.#writer.soon(
        [{ type: 'pruneAcceptedEvents', before: now - this.#options.eventIdRetentionMs }],
        'forget old event ids',
      )
    }
    return { type: 'putAcceptedEvent', event: { tenant, eventId, deliveries, acceptedAt: now } }
  }

  /** The receipt of an event emitted again: its deliveries, and the outcomes of those still pending here. */
  #duplicateReceipt(event: AcceptedEvent): EmitReceipt {
    const tickets = event.deliveries
      .map((delivery) => this.#dispatcher.ticket(delivery.id))
      .filter((ticket): ticket is Ticket => ticket !== undefined)
    let settled: Promise<DeliveryResult[]> | undefined
    return {
      eventId: event.eventId,
      deliveries: event.deliveries,
      duplicate: true,
      get settled() {
        settled ??= Promise.all(tickets.map(outcomeOf))
        return settled
      },
    }
  }

  /**
   * A dry run of `emit()`: sends nothing and returns, for every subscription of the event
   * (wildcards included), whether it would receive it and, if not, why: disabled, event
   * type off, integration off, or which filter clause failed with the value found.
   */
  explain<N extends EmittableName<C>>(name: N, payload: EmittablePayload<C, N>): Explanation {
    return this.#explain(null, name, payload)
  }

  /** A dry run over the subscriptions of one scope only: a tenant never sees the platform's. */
  #explain(tenant: string | null, name: string, payload: unknown): Explanation {
    const data = this.#validEvent(name, payload)
    const baseName = this.#outgoingBase(name)
    const platformOn = this.#sources.eventEnabled(null, name)
    const eventEnabled = platformOn && (tenant === null || this.#sources.eventEnabled(tenant, name))
    const own = [...this.#subscriptions.forEvent(tenant, name), ...this.#subscriptions.wildcard(tenant)]
    const subscriptions = own.map((record): SubscriptionExplanation => {
      const { subscription } = record
      const integration = this.#integrations.record(tenant, subscription.integrationId)
      let reason: SkipReason | undefined = judge(integration, record, data, eventEnabled)
      const failedClause =
        reason === 'filter_not_matched' ? (explainFilter(subscription.filter, data) ?? null) : null
      if (reason === 'filter_not_matched' && failedClause === null) reason = 'filter_error'
      return {
        subscriptionId: subscription.id,
        integrationId: subscription.integrationId,
        outgoingName: record.prefix + baseName,
        wouldDeliver: reason === undefined,
        reason: reason ?? null,
        failedClause,
      }
    })
    return { eventName: name, eventEnabled, subscriptions }
  }

  /**
   * Resolves when every delivery accepted so far has settled, its dead letter (if any)
   * included (at once if none is pending).
   */
  onIdle(options?: WaitOptions): Promise<void> {
    const { signal } = readOptions(options, ['signal'], 'onIdle options')
    return abortable(this.#dispatcher.onIdle(), readSignal(signal, 'onIdle options', 'signal'))
  }

  /** Deliveries accepted and not yet settled: in the store, queued, in flight or waiting to retry (bounded by `maxPending`). */
  get pendingCount(): number {
    return this.#dispatcher.pendingCount
  }

  /**
   * A JSON snapshot of the platform's integrations (each tenant's are in `tenant(id).stats()`):
   * pending and in flight, deliveries succeeded and failed in the last minute and hour, attempt
   * latency p50/p95/p99 over the last 5 minutes, circuit state and throttling pause. Read from
   * what the router holds in memory (no store call, no sort): cheap enough to poll every second.
   */
  stats(): RouterStats {
    return snapshotStats(this.#statsSources, null)
  }

  /**
   * Shuts down gracefully: stops accepting `emit()` and redeliveries, lets attempts in flight
   * finish within `timeoutMs` (then aborts them; those are dead-lettered with reason
   * `shutdown`). What is queued or waiting to retry is dead-lettered too with a store that is not
   * durable; a durable store keeps it for the next `start()`. Each dead-lettered delivery ends in
   * exactly one `deliveryFailed`. Resolves once every write is kept and the store is closed.
   * Calling it again returns the same promise.
   */
  close(options: CloseOptions = {}): Promise<void> {
    const read = readOptions(options, ['timeoutMs', 'signal'], 'close options')
    const signal = readSignal(read.signal, 'close options', 'signal')
    if (this.#closing) return abortable(this.#closing, signal)
    const timeoutMs = read.timeoutMs ?? 30_000
    if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs) || timeoutMs < 0) {
      throw new ValidationError('close options', [
        { path: 'timeoutMs', message: `expected a non-negative number of ms, got ${describe(timeoutMs)}` },
      ])
    }
    this.#closing = this.#drain(timeoutMs, signal)
    return abortable(this.#closing, signal)
  }

  /** `close()` with its defaults, for `await using router = new EventRouter(...)`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  /** Listens to a lifecycle event. A listener that throws or rejects is reported on `error`. */
  on<E extends RouterEventName>(event: E, listener: RouterListener<E>): this {
    this.#emitter.on(event, this.#invokerFor(event), listener)
    return this
  }

  /** Listens to the next occurrence of a lifecycle event. */
  once<E extends RouterEventName>(event: E, listener: RouterListener<E>): this {
    this.#emitter.once(event, this.#invokerFor(event), listener)
    return this
  }

  /** Removes a listener added with `on()` or `once()`. */
  off<E extends RouterEventName>(event: E, listener: RouterListener<E>): this {
    this.#emitter.off(event, this.#invokerFor(event), listener)
    return this
  }

  /**
   * The configuration (integrations, subscriptions, disabled event types) as plain data,
   * for persistence. Secret config fields are `[REDACTED]` unless `includeSecrets` is set.
   */
  toJSON(options?: ToJSONOptions): RouterSnapshot {
    // JSON.stringify calls toJSON(key) with a string: treat it as no options.
    const includeSecrets = typeof options === 'object' && options?.includeSecrets === true
    const integrations = [...this.#integrations.records()].map((record) =>
      includeSecrets ? record.integration : record.redacted,
    )
    const disabledEvents: RouterSnapshot['disabledEvents'][number][] = []
    for (const [key, switches] of this.#switches) {
      for (const name of switches.listDisabled())
        disabledEvents.push(key === '' ? name : { tenant: key, name })
    }
    return { version: 1, integrations, subscriptions: this.#subscriptions.all(), disabledEvents }
  }

  /**
   * Builds a router from a snapshot made by `toJSON({ includeSecrets: true })`. Every
   * integration and subscription is validated again; the first problem throws a
   * `ValidationError` whose `field` locates it (e.g. `integrations.0.config.url`). For a router
   * on a durable store, whose configuration lives in the store, start it instead.
   */
  static fromJSON<C extends Catalog | undefined = undefined>(
    snapshot: unknown,
    options: EventRouterOptions<C>,
  ): EventRouter<C> {
    const data = parseInput(routerSnapshotSchema, snapshot, 'router snapshot')
    const router = new EventRouter<C>(options)
    router.#restore(
      {
        integrations: data.integrations as unknown as RouterSnapshot['integrations'],
        subscriptions: data.subscriptions as unknown as RouterSnapshot['subscriptions'],
        disabledEvents: data.disabledEvents,
      },
      'router snapshot',
    )
    return router
  }

  /**
   * What `util.inspect()` and `console.log()` show: counts and the redacted integrations, never
   * a config secret (Node does not show `#private` state, and this keeps it that way for the rest).
   */
  [Symbol.for('nodejs.util.inspect.custom')](): object {
    return {
      integrations: this.#integrations.list(null),
      subscriptions: this.#subscriptions.count(null),
      disabledEvents: this.events.listDisabled(),
      pendingCount: this.#dispatcher.pendingCount,
      closed: this.#closing !== undefined,
    }
  }

  /** Adds integrations, subscriptions and switched-off event types, each validated again, at `path`s of `what`. */
  #restore(
    config: {
      readonly integrations: RouterSnapshot['integrations']
      readonly subscriptions: RouterSnapshot['subscriptions']
      readonly disabledEvents: RouterSnapshot['disabledEvents']
    },
    what: string,
  ): void {
    config.integrations.forEach((item, index) => {
      at(
        `integrations.${index}`,
        () => {
          const { createdAt, updatedAt, disabledReason, tenant, ...input } = item
          this.#integrations.add(this.#tenantAt(tenant, `integrations.${index}`), input, {
            createdAt,
            updatedAt,
            disabledReason,
          })
        },
        what,
      )
    })
    config.subscriptions.forEach((item, index) => {
      at(
        `subscriptions.${index}`,
        () => {
          const { createdAt, updatedAt, tenant, ...input } = item
          this.#subscriptions.create(this.#tenantAt(tenant, `subscriptions.${index}`), input, {
            createdAt,
            updatedAt,
          })
        },
        what,
      )
    })
    config.disabledEvents.forEach((entry, index) => {
      at(
        `disabledEvents.${index}`,
        () => {
          if (typeof entry === 'string') this.events.disable(entry)
          else this.#switchesOf(this.#tenantAt(entry.tenant, `disabledEvents.${index}`)).disable(entry.name)
        },
        what,
      )
    })
  }

  /** The tenant of a restored record: absent or `null` for the platform, else a valid tenant id. */
  #tenantAt(tenant: unknown, path: string): string | null {
    if (tenant === undefined || tenant === null) return null
    return parseInput(tenantSchema, tenant, 'tenant', `${path}.tenant`)
  }

  async #load(syncIntervalMs: number): Promise<void> {
    const store = this.#store
    await this.#storeCall(() => store.open(), 'open the store')
    try {
      await this.#loadOpened()
      if (store.watch) this.#followFleet(store.watch.bind(store), syncIntervalMs)
    } catch (error) {
      // Give the file back, so that a fixed configuration (a key, a resolver) can start on it.
      await Promise.resolve(store.close()).catch(() => {})
      this.#starting = undefined
      throw error
    }
  }

  /** On a store several processes share: claims what they emit, follows their configuration. */
  #followFleet(watch: NonNullable<Store['watch']>, intervalMs: number): void {
    const store = this.#store
    this.#fleet = new FleetSync({
      watch,
      intervalMs,
      onError: (error) => this.#notify('error', asStoreError(error, 'follow the fleet')),
      syncDeliveries: async () => {
        const summary = await store.pendingSummary()
        if (this.#closing) return
        this.#dispatcher.follow(summary)
        const awaited = this.#dispatcher.awaitedElsewhere()
        if (awaited.length === 0) return
        const pending = new Set((await store.getDeliveries(awaited)).map((record) => record.id))
        this.#dispatcher.settledElsewhere(
          awaited.filter((id) => !pending.has(id)),
          (id) => new SettledElsewhereError(id),
        )
      },
      syncConfiguration: async () => {
        const stored = await store.loadConfiguration()
        const held: HeldConfiguration = {
          integration: (tenant, id) => this.#integrations.record(tenant, id)?.integration,
          subscription: (tenant, id) => this.#subscriptions.get(tenant, id),
        }
        // Only what changed since this router last took it is opened and compared.
        const changed = this.#appliedConfiguration.select(stored, held)
        const { integrations } = await this.#openSecrets({ ...stored, integrations: changed.integrations })
        if (this.#closing) return
        this.#loading = true
        try {
          applyFleetConfiguration(
            {
              integrations: this.#integrations,
              subscriptions: this.#subscriptions,
              switchesOf: (tenant) => this.#switchesOf(tenant),
              switchTenants: () => [...this.#switches.keys()].map((key) => (key === '' ? null : key)),
            },
            { ...changed, integrations, disabledEvents: stored.disabledEvents },
            (error) => this.#notify('error', error as EventRouterError),
          )
        } finally {
          this.#loading = false
        }
        this.#appliedConfiguration.took(changed, held)
        this.#configurationReads++
      },
      syncHealth: async () => {
        const records = await store.loadHealth()
        if (!this.#closing) this.#health.adopt(records)
      },
    })
    this.#fleet.start()
  }

  async #loadOpened(): Promise<void> {
    const store = this.#store
    const stored = await this.#storeCall(() => store.loadConfiguration(), 'load the configuration')
    const { integrations, stale } = await this.#openSecrets(stored)
    this.#loading = true
    try {
      this.#restore(
        {
          integrations,
          subscriptions: stored.subscriptions as unknown as RouterSnapshot['subscriptions'],
          disabledEvents: stored.disabledEvents.map((entry) =>
            entry.tenant === null ? entry.name : { tenant: entry.tenant, name: entry.name },
          ),
        },
        'stored configuration',
      )
    } finally {
      this.#loading = false
    }
    // Rotation: what an older key sealed is sealed again with the first key.
    const resealed = stale
      .map(({ tenant, id }) => this.#integrations.record(tenant, id))
      .filter((record): record is IntegrationRecord => record !== undefined)
      .map((record) => ({
        type: 'putIntegration' as const,
        integration: toStoredIntegration(record, record.tenant, this.#sealer),
      }))
    if (resealed.length > 0) await this.#writer.now(resealed, 'seal integration secrets with the current key')
    const health = await this.#storeCall(() => store.loadHealth(), 'load integration health')
    this.#health.load(health)
    const now = Date.now()
    for (const record of health) {
      const integration = this.#integrations.record(record.tenant, record.integrationId)
      if (integration && record.pausedUntil !== null && record.pausedUntil > now) {
        this.#lanes.laneFor(integration).throttle(record.pausedUntil - now)
      }
    }
    const summary = await this.#storeCall(() => store.pendingSummary(), 'read the pending deliveries')
    this.#ready = true
    this.#dispatcher.restore(summary)
  }

  /** The stored integrations with their secrets opened, and the ids of those sealed by an older key. */
  async #openSecrets(stored: StoredConfiguration): Promise<{
    integrations: RouterSnapshot['integrations']
    stale: { readonly tenant: string | null; readonly id: string }[]
  }> {
    const sealer = this.#sealer as SecretSealer
    const stale: { readonly tenant: string | null; readonly id: string }[] = []
    const integrations = []
    for (const [index, item] of stored.integrations.entries()) {
      const owner = { tenant: item.tenant, integrationId: item.id, type: item.type }
      let secrets: Readonly<Record<string, unknown>>
      try {
        secrets = await sealer.open(item.secrets, owner)
      } catch (error) {
        throw new ValidationError(
          'stored configuration',
          [{ path: `integrations.${index}.secrets`, message: (error as Error).message }],
          { cause: error },
        )
      }
      if (sealer.isStale(item.secrets)) stale.push({ tenant: item.tenant, id: item.id })
      integrations.push({
        id: item.id,
        tenant: item.tenant,
        type: item.type,
        name: item.name,
        config: { ...item.config, ...secrets },
        enabled: item.enabled,
        disabledReason: item.disabledReason,
        pacing: item.pacing,
        ...(item.batching ? { batching: item.batching } : {}),
        createdAt: item.createdAt,
        updatedAt: item.updatedAt,
      })
    }
    return { integrations, stale }
  }

  async #storeCall<T>(call: () => T | Promise<T>, operation: string): Promise<T> {
    try {
      return await call()
    } catch (error) {
      throw asStoreError(error, operation)
    }
  }

  /** Writes a configuration change before the registry makes it: refused (thrown) means unchanged. */
  #save(operation: Parameters<StoreWriter['now']>[0][number], what: string): void {
    if (this.#loading) return
    if (!this.#ready) this.#assertReady(what)
    const written = this.#writer.now([operation], what)
    // An asynchronous store keeps it a moment later; a failure then is reported on `error`.
    if (written instanceof Promise) written.catch((error: EventRouterError) => this.#notify('error', error))
  }

  #assertReady(operation: string): void {
    if (!this.#ready) throw new RouterNotStartedError(operation)
  }

  #reportSkips(
    tenant: string | null,
    eventId: string,
    eventName: string,
    skipped: ReturnType<typeof match>['skipped'],
  ): void {
    if (skipped.length === 0) return
    this.#notify('eventSkipped', {
      tenant,
      eventId,
      eventName,
      skipped: skipped.map(({ subscription, reason }): EventSkipped['skipped'][number] => ({
        tenant: subscription.tenant,
        subscriptionId: subscription.subscription.id,
        integrationId: subscription.subscription.integrationId,
        reason,
      })),
    })
  }

  /** Dead-letters a delivery that did not fit under `maxPending` (policy `deadLetter`). */
  #refuse(record: DeliveryRecord): Ticket {
    const { delivery } = record
    return this.#dispatcher.refuse(
      record,
      'backpressure',
      new DeliveryError(
        'ERR_BACKPRESSURE',
        `Delivery ${delivery.id} to integration \`${delivery.integrationId}\`: not queued, ${this.#options.maxPending} deliveries were pending (maxPending).`,
        { retryable: false },
      ),
    )
  }

  #testSend: ConstructorParameters<typeof SubscriptionRegistry>[0]['testSend'] = (
    record,
    payload,
    options,
  ) => {
    if (this.#closing) return Promise.reject(new RouterClosedError('send a test'))
    if (!this.#ready) return Promise.reject(new RouterNotStartedError('send a test'))
    return sendTest(
      {
        catalog: this.#options.catalog,
        retry: this.#options.retry,
        run: this.#run,
        shutdown: this.#shutdown,
        validEvent: (name, data) => this.#validEvent(name, data),
        outgoingBase: (name) => this.#outgoingBase(name),
        integration: (tenant, id) => this.#integrations.record(tenant, id),
      },
      record,
      payload,
      options,
    )
  }

  /** Checks an event; with a catalog, returns the payload as the event's schema parsed it. */
  #validEvent(name: string, payload: unknown): Record<string, unknown> {
    if (!isEventName(name)) assertEventName(name, 'name')
    if (!isPlainObject(payload)) {
      throw new ValidationError('event', [
        { path: 'payload', message: `expected a plain JSON object, got ${describe(payload)}` },
      ])
    }
    const { catalog } = this.#options
    const data = catalog ? (catalog.validatePayload(name, payload) as Record<string, unknown>) : payload
    // What the catalog's schema returned is what is delivered and stored: it must be JSON too.
    assertJsonData(data, 'payload', 'event')
    return data
  }

  /** The part of outgoing names after the prefix: the catalog title or the event name. */
  #outgoingBase(name: string): string {
    const { catalog, outgoingName } = this.#options
    return (outgoingName === 'title' && catalog?.get(name)?.title) || name
  }

  /** Whether a delivery may make an attempt now, or why it is parked. */
  #admit(key: string, deliveryId: string): ParkReason | undefined {
    if (this.#shutdown.draining) return 'shutdown'
    const record = this.#integrations.recordByKey(key)
    if (!record?.integration.enabled) return 'integration_disabled'
    if (!this.#health.admit(key, deliveryId)) return 'circuit_open'
    return undefined
  }

  #integrationChanged(key: string, record: IntegrationRecord | undefined): void {
    if (this.#loading) return
    this.#health.integrationChanged(key, record)
    if (!record) {
      this.#lanes.remove(key)
      this.#statsSources.counts.forget(key)
    } else if (!record.integration.enabled) this.#lanes.cancel(key, 'integration_disabled')
    else this.#dispatcher.wake(key)
  }

  /** Runs a replay in the background; what goes wrong is reported on `error`, a close is not. */
  #replay(replay: Promise<unknown>): void {
    replay.catch((error: unknown) => {
      if (error instanceof RouterClosedError) return
      this.#notify(
        'error',
        error instanceof EventRouterError
          ? error
          : new EventRouterError(
              'ERR_DEAD_LETTER_STORE',
              `Replaying parked deliveries failed: ${String(error)}`,
              {
                cause: error,
              },
            ),
      )
    })
  }

  /** Queues dead letters again, each waiting for room under `maxPending`, each moved out of the dead letters as it is queued. */
  async #redeliver(
    letters: readonly DeadLetter[],
    signal: AbortSignal | undefined,
  ): Promise<RedeliveryReceipt> {
    const tickets: Ticket[] = []
    const deliveries: Delivery[] = []
    const separate = this.#options.deadLetterStore
    for (const letter of letters) {
      const eventTenant = letter.event.tenant ?? null
      await this.#dispatcher.waitForRoom(1, 'redeliver', eventTenant, signal)
      if (this.#closing) throw new RouterClosedError('redeliver')
      // Checked after each wait: the integration may be gone or disabled by now.
      const { delivery } = letter
      const integration = this.#integrations.record(delivery.tenant, delivery.integrationId)
      const record = newDeliveryRecord(
        {
          delivery,
          queue: integration
            ? queueOf(integration, eventTenant)
            : scopedKey(delivery.tenant, delivery.integrationId),
          event: {
            tenant: eventTenant,
            id: letter.event.id,
            name: letter.event.name,
            outgoingName: letter.event.outgoingName,
            payload: letter.event.payload,
            occurredAt: Date.parse(letter.event.occurredAt),
          },
          redeliveries: letter.redeliveries + 1,
          traceContext: this.#options.telemetry?.captureContext(),
        },
        this.#options.retry,
        Date.now(),
      )
      if (separate) await separate.remove([letter.id])
      if (integration?.integration.enabled) {
        // The letter leaves the dead letters in the write that makes it pending again.
        const move = separate ? [] : [{ type: 'deleteDeadLetter' as const, id: letter.id }]
        tickets.push(...this.#dispatcher.accept([record], move, `redeliver ${letter.id}`))
      } else {
        tickets.push(
          this.#dispatcher.refuse(
            record,
            'integration_disabled',
            new DeliveryError(
              'ERR_INTEGRATION_DISABLED',
              `Delivery ${delivery.id}: integration \`${delivery.integrationId}\` is disabled or was removed.`,
              { retryable: false },
            ),
          ),
        )
      }
      deliveries.push(record.delivery)
    }
    let settled: Promise<DeliveryResult[]> | undefined
    return {
      deliveries,
      get settled() {
        settled ??= Promise.all(tickets.map(outcomeOf))
        return settled
      },
    }
  }

  async #drain(timeoutMs: number, signal: AbortSignal | undefined): Promise<void> {
    this.#fleet?.stop()
    this.#dispatcher.stop()
    // Open batches leave now rather than after their linger time, before admission closes.
    if (this.#batchers.busy) {
      const started = Date.now()
      await this.#flushBatches(timeoutMs)
      timeoutMs = Math.max(0, timeoutMs - (Date.now() - started))
    }
    // No new attempt from here; retry waits end. Attempts in flight get until the deadline.
    this.#shutdown.drain()
    this.#health.stop()
    const inFlightDone = this.#lanes.stop()
    let timer: ReturnType<typeof setTimeout> | undefined
    const timedOut = await Promise.race([
      inFlightDone.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), timeoutMs)
        // An aborted close() signal is the deadline, now.
        if (signal?.aborted) resolve(true)
        else signal?.addEventListener('abort', () => resolve(true), { once: true })
      }),
    ])
    clearTimeout(timer)
    if (timedOut) this.#shutdown.trigger()
    // What still waits in a lane, retries included, stops: dead-lettered, or left in a durable store.
    this.#writer.immediate()
    this.#lanes.cancelAll('shutdown')
    if (!this.#store.durable) this.#dispatcher.abandonBacklog()
    else this.#dispatcher.leaveBacklog()
    await this.#dispatcher.quiet()
    await this.#writer.flush()
    if (this.#ready) await this.#storeCall(() => this.#store.close(), 'close the store')
    if (this.#options.ownsTransport) await (this.#options.transport as KyTransport).close()
    this.#detachTelemetry?.()
  }

  /** Sends every open batch, waiting at most `timeoutMs` for them to get their pacing slot. */
  async #flushBatches(timeoutMs: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined
    await Promise.race([
      this.#batchers.flush(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs)
      }),
    ])
    clearTimeout(timer)
  }

  readonly #notify = <E extends RouterEventName>(event: E, ...args: RouterEvents[E]): void => {
    // Listeners are wrapped by #invokerFor, so this cannot throw.
    ;(this.#emitter.emit as (event: string, ...args: unknown[]) => boolean)(event, ...args)
  }

  #invokerFor(event: RouterEventName): AnyListener {
    return event === 'error' ? this.#invokeQuietly : this.#invoke
  }

  // eventemitter3 calls a listener with `this` = the context it was registered with; the
  // router registers this shared invoker with the user's listener as the context, so that
  // off() finds it again and a throwing listener is isolated.
  readonly #invoke: AnyListener = (() => {
    const report = (error: unknown) => this.#notify('error', new ListenerError(error))
    return function (this: AnyListener, ...args: unknown[]) {
      callSafely(this, args, report)
    }
  })()

  readonly #invokeQuietly: AnyListener = function (this: AnyListener, ...args: unknown[]) {
    callSafely(this, args, () => {})
  }
}

/** `notify`, with each delivery's outcome counted by `counts` before its listeners are told of it. */
function countingSettled(
  notify: <E extends RouterEventName>(event: E, ...args: RouterEvents[E]) => void,
  counts: DeliveryStats,
): <E extends RouterEventName>(event: E, ...args: RouterEvents[E]) => void {
  return (event, ...args) => {
    if (event === 'deliverySucceeded' || event === 'deliveryFailed') counts.settled(args[0] as DeliveryResult)
    notify(event, ...args)
  }
}

/** The router's notify, typed for a stage's narrow event map: only events of `RouterEvents`, with their arguments. */
function narrowed<M extends { [K in keyof M]: K extends RouterEventName ? RouterEvents[K] : never }>(
  notify: <E extends RouterEventName>(event: E, ...args: RouterEvents[E]) => void,
): Notify<M> {
  return notify as unknown as Notify<M>
}

/** A tenant view's emit options: its own tenant, which the options cannot name otherwise. */
function scoped(
  tenant: string,
  options: TenantEmitAsyncOptions | undefined,
  known: readonly string[] = EMIT_KEYS,
): EmitAsyncOptions {
  if (options !== undefined && options !== null && typeof options === 'object' && 'tenant' in options) {
    const given = (options as { tenant?: unknown }).tenant
    if (given !== undefined && given !== tenant) {
      throw new ValidationError('event', [
        {
          path: 'options.tenant',
          message: `this view emits for tenant \`${tenant}\` only; leave \`tenant\` out`,
        },
      ])
    }
  }
  return { ...readEmitOptions(options ?? {}, known), tenant } as EmitAsyncOptions
}

function callSafely(listener: AnyListener, args: unknown[], report: (error: unknown) => void): void {
  try {
    const returned = listener(...args)
    if (
      returned !== null &&
      typeof returned === 'object' &&
      typeof (returned as Promise<unknown>).then === 'function'
    ) {
      ;(returned as Promise<unknown>).then(undefined, report)
    }
  } catch (error) {
    report(error)
  }
}
