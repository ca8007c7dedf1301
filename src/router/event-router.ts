import { EventEmitter } from 'eventemitter3'
import type { Catalog } from '../catalog/catalog.js'
import type { DeadLetter } from '../dead-letters/dead-letter.js'
import { type DeadLetters, DeadLettersView, type RedeliveryReceipt } from '../dead-letters/dead-letters.js'
import { CircuitBreaker, type CircuitSignal } from '../delivery/circuit-breaker.js'
import {
  BODY_EXCERPT_LENGTH,
  type DeliveryEnvironment,
  type DeliveryTrace,
  deliver,
} from '../delivery/deliver.js'
import type { Delivery, DeliveryFailed, DeliveryResult } from '../delivery/delivery.js'
import { directGate, IntegrationLane, type ParkReason } from '../delivery/integration-lane.js'
import { resolvePacing } from '../delivery/pacing.js'
import { Shutdown } from '../delivery/shutdown.js'
import { BackpressureError } from '../errors/backpressure-error.js'
import { DeadLetterStoreError } from '../errors/dead-letter-store-error.js'
import { DeliveryError } from '../errors/delivery-error.js'
import { EventRouterError } from '../errors/event-router-error.js'
import { FilterEvaluationError } from '../errors/filter-evaluation-error.js'
import { ListenerError } from '../errors/listener-error.js'
import { parseInput } from '../errors/parse-input.js'
import { RouterClosedError } from '../errors/router-closed-error.js'
import { ValidationError } from '../errors/validation-error.js'
import { assertEventName, describe, isEventName } from '../events/event-name.js'
import { EventSwitches } from '../events/event-switches.js'
import { isoTimestamp } from '../events/iso-timestamp.js'
import type { RoutedEvent } from '../events/routed-event.js'
import { explainFilter } from '../filters/explain-filter.js'
import { isPlainObject } from '../filters/is-plain-object.js'
import type { IntegrationRecord, Integrations } from '../integrations/integration-store.js'
import { IntegrationStore } from '../integrations/integration-store.js'
import { redactRequest } from '../integrations/redact-request.js'
import type {
  SubscriptionRecord,
  Subscriptions,
  TestSendOptions,
  TestSendResult,
} from '../subscriptions/subscription-store.js'
import { SubscriptionStore } from '../subscriptions/subscription-store.js'
import type { KyTransport } from '../transport/ky-transport.js'
import { type CatalogView, catalogView, checkAgainstCatalog } from './catalog-view.js'
import { type EventRouterOptions, type ResolvedOptions, resolveOptions } from './event-router-options.js'
import type { Explanation, SubscriptionExplanation } from './explanation.js'
import { generateId, idSchema } from './ids.js'
import type { EventSkipped, RouterEventName, RouterEvents, SkipReason } from './router-events.js'
import { type RouterSnapshot, routerSnapshotSchema, type ToJSONOptions } from './router-snapshot.js'
import type { EmittableName, EmittablePayload } from './typed-events.js'

/** Options of `emit()`. */
export interface EmitOptions {
  /** Event id, e.g. your own event's primary key (1–128 chars of letters, digits, `_ . : -`). @default a random UUID */
  id?: string
  /** When the event happened: a Date, an ISO-8601 string or epoch milliseconds. @default now */
  occurredAt?: Date | string | number
}

/** What `emit()` returns. */
export interface EmitReceipt {
  /** The event's id. */
  readonly eventId: string
  /** One delivery per subscription that matched, each with its id (the idempotency key). */
  readonly deliveries: readonly Delivery[]
  /** Resolves with the outcome of every delivery once all have settled. Never rejects. */
  readonly settled: Promise<DeliveryResult[]>
}

/** Options of `close()`. */
export interface CloseOptions {
  /**
   * How long attempts already in flight may take to finish before they are aborted. What
   * is not delivered by then (aborted, queued, waiting to retry) is dead-lettered with
   * reason `shutdown`.
   * @default 30000
   */
  timeoutMs?: number
}

type Listener<E extends RouterEventName> = (...args: RouterEvents[E]) => unknown
type AnyListener = (...args: unknown[]) => unknown

/** Property added to the payload of test sends, so every destination can tell them apart. */
export const TEST_MARKER = 'eventrouter_test'

const NO_DELIVERIES: readonly Delivery[] = Object.freeze([])
const NO_RESULTS: Promise<DeliveryResult[]> = Promise.resolve([])

/**
 * Routes a host application's business events to its integrations.
 *
 * Holds integrations (configured adapters) and subscriptions (this event, to that
 * integration, when this filter matches, with this prefix). `emit()` matches
 * synchronously and starts one delivery per match; each delivery is retried and ends in
 * exactly one `deliverySucceeded` or `deliveryFailed`.
 *
 * @example
 * const router = new EventRouter({ adapters: [webhookAdapter()] })
 * router.integrations.add({ id: 'crm', type: 'webhook', config: { url: 'https://crm.example/hooks' } })
 * router.subscriptions.create({ event: 'wallet.coins_rewarded', integrationId: 'crm', filter: { coins: { $gte: 100 } } })
 * router.emit('wallet.coins_rewarded', { coins: 150 })
 */
export class EventRouter<C extends Catalog | undefined = undefined> {
  /** The integrations: configured destinations. */
  readonly integrations: Integrations
  /** The subscriptions: which event goes where, when, under which name. */
  readonly subscriptions: Subscriptions
  /** The on/off status of each event type. */
  readonly events: EventSwitches = new EventSwitches()
  /** The event catalog, for dashboards: events, their fields and JSON Schemas (empty without a catalog). */
  readonly catalog: CatalogView

  readonly #options: ResolvedOptions
  readonly #integrations: IntegrationStore
  readonly #subscriptions: SubscriptionStore
  readonly #emitter = new EventEmitter()
  readonly #shutdown = new Shutdown()
  /** Deliveries that failed or were parked: list them, redeliver them after an outage. */
  readonly deadLetters: DeadLetters

  readonly #env: DeliveryEnvironment
  readonly #lanes = new Map<string, IntegrationLane>()
  readonly #circuits = new Map<string, CircuitBreaker>()
  readonly #retiredLanes = new Set<IntegrationLane>()
  readonly #laneOfRecord = new WeakMap<IntegrationRecord, IntegrationLane>()
  readonly #probeTimers = new Map<string, ReturnType<typeof setTimeout>>()
  /** The config each circuit judged: editing it resets the circuit. */
  readonly #circuitConfigs = new Map<string, unknown>()
  #pending = 0
  /** Deliveries refused or parked without being queued, whose dead letter is being stored. */
  #storing = 0
  #queue: QueuedDelivery[] = []
  #idleWaiters: (() => void)[] = []
  #roomWaiters: {
    readonly needed: number
    readonly operation: string
    readonly resolve: () => void
    readonly reject: (error: Error) => void
  }[] = []
  #closing: Promise<void> | undefined

  constructor(options: EventRouterOptions<C>) {
    this.#options = resolveOptions(options as EventRouterOptions<Catalog | undefined>)
    const { catalog } = this.#options
    this.catalog = catalogView(catalog)
    this.#subscriptions = new SubscriptionStore(
      (id) => this.#integrations.record(id) !== undefined,
      (record, payload, testOptions) => this.#testSend(record, payload, testOptions),
      catalog ? (event, filter) => checkAgainstCatalog(catalog, event, filter) : undefined,
    )
    this.#integrations = new IntegrationStore(
      this.#options.adapters,
      (id) => this.#subscriptions.usersOf(id),
      (id, record) => this.#integrationChanged(id, record),
    )
    this.integrations = this.#integrations
    this.subscriptions = this.#subscriptions
    this.#env = {
      transport: this.#options.transport,
      timeoutMs: this.#options.timeoutMs,
      retry: this.#options.retry,
      shutdown: this.#shutdown,
      onAttemptFailed: (failure) => this.#notify('attemptFailed', failure),
    }
    this.deadLetters = new DeadLettersView(this.#options.deadLetterStore, {
      redeliver: (letters) => this.#redeliver(letters),
      assertOpen: (operation) => {
        if (this.#closing) throw new RouterClosedError(operation)
      },
    })
  }

  /**
   * Routes an event: validates it, evaluates the filter of every subscription of `name`
   * (and of `'*'`), and starts one delivery per match. Matching is synchronous; delivery
   * is not. Throws `ValidationError` for a bad name, payload or option and
   * `RouterClosedError` after `close()`; nothing is dispatched then.
   *
   * When `maxPending` deliveries are already pending, throws `BackpressureError` (policy
   * `throw`, the default; nothing is dispatched) or dead-letters the deliveries that do not
   * fit (policy `deadLetter`). `emitAsync()` waits for room instead.
   *
   * The payload is read by adapters when each attempt is built: do not mutate it afterwards.
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
   * `RouterClosedError` if the router closes while it waits.
   */
  async emitAsync<N extends EmittableName<C>>(
    name: N,
    payload: EmittablePayload<C, N>,
    options?: EmitOptions,
  ): Promise<EmitReceipt> {
    for (;;) {
      try {
        const receipt = this.#emit(name, payload, options, 'throw')
        this.#wakeRoomWaiters()
        return receipt
      } catch (error) {
        if (!(error instanceof BackpressureError)) throw error
        await this.#room(error.requested, `emit \`${String(name)}\``)
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
    const data = this.#validEvent(name, payload)
    const { id, occurredAt: when } = options === undefined ? NO_OPTIONS : readEmitOptions(options)
    const eventId = id === undefined ? generateId() : parseInput(idSchema, id, 'event', 'options.id')
    const occurredAt = toEpochMs(when)

    const exact = this.#subscriptions.forEvent(name)
    const wildcard = this.#subscriptions.wildcard()
    if (exact.length === 0 && wildcard.length === 0) {
      return { eventId, deliveries: NO_DELIVERIES, settled: NO_RESULTS }
    }

    const eventOn = this.events.isEnabled(name)
    const baseName = this.#outgoingBase(name)
    const reportSkips = this.#emitter.listenerCount('eventSkipped') > 0
    const skipped: EventSkipped['skipped'][number][] = []
    const deliveries: Delivery[] = []
    const queued: QueuedDelivery[] = []

    for (let list = exact, pass = 0; pass < 2; list = wildcard, pass++) {
      for (const record of list) {
        const integration = this.#integrations.record(record.subscription.integrationId)
        const reason = integration
          ? this.#skipReason(record, integration, eventOn, data, eventId)
          : 'integration_disabled'
        if (reason !== undefined || !integration) {
          if (reportSkips) {
            skipped.push({
              subscriptionId: record.subscription.id,
              integrationId: record.subscription.integrationId,
              reason: reason ?? 'integration_disabled',
            })
          }
          continue
        }
        const delivery: Delivery = {
          id: generateId(),
          eventId,
          eventName: name,
          outgoingName: record.prefix + baseName,
          subscriptionId: record.subscription.id,
          integrationId: integration.integration.id,
          integrationType: integration.adapter.type,
        }
        deliveries.push(delivery)
        queued.push(queuedDelivery(delivery, data, occurredAt, integration, 0))
      }
    }

    const room = this.#hasRoom(queued.length)
      ? queued.length
      : Math.max(0, this.#options.maxPending - this.#pending)
    if (room < queued.length && policy === 'throw') {
      throw new BackpressureError(this.#pending, this.#options.maxPending, queued.length)
    }
    if (skipped.length > 0) this.#notify('eventSkipped', { eventId, eventName: name, skipped })
    for (let index = 0; index < queued.length; index++) {
      const entry = queued[index] as QueuedDelivery
      if (index < room) this.#enqueue(entry)
      else this.#refuse(entry)
    }
    if (deliveries.length === 0) return { eventId, deliveries: NO_DELIVERIES, settled: NO_RESULTS }
    let settled: Promise<DeliveryResult[]> | undefined
    return {
      eventId,
      deliveries,
      // Built on first read: most callers never await it.
      get settled() {
        settled ??= Promise.all(queued.map(outcomeOf))
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
    const data = this.#validEvent(name, payload)
    const baseName = this.#outgoingBase(name)
    const eventEnabled = this.events.isEnabled(name)
    const subscriptions = [...this.#subscriptions.forEvent(name), ...this.#subscriptions.wildcard()].map(
      (record): SubscriptionExplanation => {
        const { subscription } = record
        const integration = this.#integrations.record(subscription.integrationId)
        let reason: SkipReason | undefined = integration
          ? this.#skipReason(record, integration, eventEnabled, data, undefined)
          : 'integration_disabled'
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
      },
    )
    return { eventName: name, eventEnabled, subscriptions }
  }

  /**
   * Resolves when every delivery started so far has settled, its dead letter (if any)
   * included (at once if none is pending).
   */
  onIdle(): Promise<void> {
    if (this.#pending === 0 && this.#storing === 0) return Promise.resolve()
    return new Promise((resolve) => this.#idleWaiters.push(resolve))
  }

  /** Deliveries started and not yet settled: queued, in flight or waiting to retry (bounded by `maxPending`). */
  get pendingCount(): number {
    return this.#pending
  }

  /**
   * Shuts down gracefully: stops accepting `emit()` and redeliveries, lets attempts in
   * flight finish within `timeoutMs` (then aborts them), and hands every delivery not
   * delivered (queued, waiting to retry, aborted) to the dead-letter store with reason
   * `shutdown`, each ending in exactly one `deliveryFailed`. Resolves once every letter is
   * stored. Calling it again returns the same promise.
   */
  close(options: CloseOptions = {}): Promise<void> {
    if (this.#closing) return this.#closing
    const timeoutMs = readOption(options, 'timeoutMs', 'close options') ?? 30_000
    if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs) || timeoutMs < 0) {
      throw new ValidationError('close options', [
        { path: 'timeoutMs', message: `expected a non-negative number of ms, got ${describe(timeoutMs)}` },
      ])
    }
    this.#closing = this.#drain(timeoutMs)
    return this.#closing
  }

  /** Listens to a lifecycle event. A listener that throws or rejects is reported on `error`. */
  on<E extends RouterEventName>(event: E, listener: Listener<E>): this {
    this.#emitter.on(event, this.#invokerFor(event), listener)
    return this
  }

  /** Listens to the next occurrence of a lifecycle event. */
  once<E extends RouterEventName>(event: E, listener: Listener<E>): this {
    this.#emitter.once(event, this.#invokerFor(event), listener)
    return this
  }

  /** Removes a listener added with `on()` or `once()`. */
  off<E extends RouterEventName>(event: E, listener: Listener<E>): this {
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
    return {
      version: 1,
      integrations,
      subscriptions: this.#subscriptions.list(),
      disabledEvents: this.events.listDisabled(),
    }
  }

  /**
   * Builds a router from a snapshot made by `toJSON({ includeSecrets: true })`. Every
   * integration and subscription is validated again; the first problem throws a
   * `ValidationError` whose `field` locates it (e.g. `integrations.0.config.url`).
   */
  static fromJSON<C extends Catalog | undefined = undefined>(
    snapshot: unknown,
    options: EventRouterOptions<C>,
  ): EventRouter<C> {
    const data = parseInput(routerSnapshotSchema, snapshot, 'router snapshot')
    const router = new EventRouter<C>(options)
    data.integrations.forEach((item, index) => {
      at(`integrations.${index}`, () => {
        const { createdAt, updatedAt, disabledReason, ...input } =
          item as unknown as RouterSnapshot['integrations'][number]
        router.#integrations.add(input, { createdAt, updatedAt, disabledReason })
      })
    })
    data.subscriptions.forEach((item, index) => {
      at(`subscriptions.${index}`, () => {
        const { createdAt, updatedAt, ...input } = item as unknown as RouterSnapshot['subscriptions'][number]
        router.#subscriptions.create(input, { createdAt, updatedAt })
      })
    })
    data.disabledEvents.forEach((name, index) => {
      at(`disabledEvents.${index}`, () => router.events.disable(name))
    })
    return router
  }

  #skipReason(
    record: SubscriptionRecord,
    integration: IntegrationRecord,
    eventOn: boolean,
    payload: Record<string, unknown>,
    eventId: string | undefined,
  ): SkipReason | undefined {
    if (!eventOn) return 'event_disabled'
    if (!record.subscription.enabled) return 'subscription_disabled'
    if (!integration.integration.enabled) return 'integration_disabled'
    try {
      return record.matches(payload) ? undefined : 'filter_not_matched'
    } catch (error) {
      // A dry run (no event id) reports the reason only.
      if (eventId !== undefined)
        this.#notify('error', new FilterEvaluationError(record.subscription.id, eventId, error))
      return 'filter_error'
    }
  }

  async #testSend(
    record: SubscriptionRecord,
    payload: Record<string, unknown> | undefined,
    options: TestSendOptions,
  ): Promise<TestSendResult> {
    if (this.#closing) throw new RouterClosedError('send a test')
    const { subscription } = record
    const name =
      options.event ?? (typeof subscription.event === 'string' ? subscription.event : subscription.event[0])
    if (name === undefined || name === '*') {
      throw new ValidationError('test send', [
        { path: 'options.event', message: 'a subscription to `*` needs the event name to send' },
      ])
    }
    const given = payload ?? this.#options.catalog?.get(name)?.sample
    if (given === undefined) {
      throw new ValidationError('test send', [
        {
          path: 'payload',
          message: `expected a payload to send (the event \`${name}\` has no catalog sample)`,
        },
      ])
    }
    const data = this.#validEvent(name, given as Record<string, unknown>)
    const retries = options.retries ?? 0
    if (!Number.isInteger(retries) || retries < 0 || retries > this.#options.retry.retries) {
      throw new ValidationError('test send', [
        {
          path: 'options.retries',
          message: `expected an integer from 0 to ${this.#options.retry.retries}, got ${describe(retries)}`,
        },
      ])
    }
    // The integration exists: integrations in use cannot be removed.
    const integration = this.#integrations.record(subscription.integrationId) as IntegrationRecord
    const eventId = generateId()
    const delivery: Delivery = {
      id: generateId(),
      eventId,
      eventName: name,
      outgoingName: record.prefix + this.#outgoingBase(name),
      subscriptionId: subscription.id,
      integrationId: integration.integration.id,
      integrationType: integration.adapter.type,
    }
    const trace: DeliveryTrace = {}
    const result = await deliver(
      {
        // Test sends skip pacing and the circuit: they are how one checks a suspended integration.
        gate: directGate(() => this.#shutdown.draining),
        delivery,
        event: {
          id: eventId,
          name,
          outgoingName: delivery.outgoingName,
          // Every destination can show a property: the marker that works for all adapters.
          payload: markedAsTest(data),
          occurredAt: new Date(),
          test: true,
        },
        adapter: integration.adapter,
        config: integration.integration.config,
        secrets: integration.secrets,
        trace,
      },
      { ...this.#env, retry: { ...this.#options.retry, retries }, onAttemptFailed: () => {} },
    )
    const { response } = trace
    return {
      result,
      request: trace.request ? redactRequest(trace.request, integration.secrets) : null,
      response: response
        ? {
            status: response.status,
            headers: response.headers,
            bodyExcerpt: response.body.slice(0, BODY_EXCERPT_LENGTH),
          }
        : null,
    }
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
    return catalog ? (catalog.validatePayload(name, payload) as Record<string, unknown>) : payload
  }

  /** The part of outgoing names after the prefix: the catalog title or the event name. */
  #outgoingBase(name: string): string {
    const { catalog, outgoingName } = this.#options
    return (outgoingName === 'title' && catalog?.get(name)?.title) || name
  }

  // emit() only queues deliveries; they start together in a microtask, once the host's
  // synchronous code has moved on: building and sending requests stays off its hot path.
  #enqueue(queued: QueuedDelivery): void {
    this.#pending++
    queued.admitted = true
    this.#queue.push(queued)
    if (this.#queue.length === 1) queueMicrotask(this.#startQueued)
  }

  readonly #startQueued = (): void => {
    const queue = this.#queue
    this.#queue = []
    for (const queued of queue) this.#start(queued)
  }

  #start(queued: QueuedDelivery): void {
    const { integration } = queued
    const job = {
      delivery: queued.delivery,
      event: routedEvent(queued),
      adapter: integration.adapter,
      config: integration.integration.config,
      secrets: integration.secrets,
      gate: this.#laneFor(integration),
    }
    void deliver(job, this.#env).then((result) => this.#finish(queued, result))
  }

  /** Settles a delivery: circuit, 410, lifecycle events, dead letter; then frees its room. */
  #finish(queued: QueuedDelivery, result: DeliveryResult): void {
    const { integrationId } = result.delivery
    this.#recordHealth(integrationId, result)
    if (result.status === 'succeeded') {
      this.#notify('deliverySucceeded', result)
      this.#settle(queued, result)
      return
    }
    if (result.error.disablesIntegration) this.#disableGone(integrationId, result)
    this.#notify('deliveryFailed', result)
    this.#storeDeadLetter(queued, result)
  }

  /** Dead-letters a delivery that did not fit under `maxPending` (policy `deadLetter`). */
  #refuse(queued: QueuedDelivery): void {
    const { delivery } = queued
    this.#failUnattempted(
      queued,
      'backpressure',
      new DeliveryError(
        'ERR_BACKPRESSURE',
        `Delivery ${delivery.id} to integration \`${delivery.integrationId}\`: not queued, ${this.#options.maxPending} deliveries were pending (maxPending).`,
        { retryable: false },
      ),
    )
  }

  /** Settles a delivery that never got an attempt, and keeps it as a dead letter. */
  #failUnattempted(queued: QueuedDelivery, reason: DeliveryFailed['reason'], error: DeliveryError): void {
    this.#storing++
    const result: DeliveryFailed = {
      status: 'failed',
      delivery: queued.delivery,
      attempts: 0,
      history: [],
      reason,
      error,
      startedAt: Date.now(),
      durationMs: 0,
    }
    this.#notify('deliveryFailed', result)
    this.#storeDeadLetter(queued, result)
  }

  #storeDeadLetter(queued: QueuedDelivery, result: DeliveryFailed): void {
    const letter = toDeadLetter(queued, result)
    const stored = () => {
      this.#notify('deliveryDeadLettered', letter)
      this.#settle(queued, result)
    }
    const refused = (error: unknown) => {
      this.#notify('error', new DeadLetterStoreError(letter, error))
      this.#settle(queued, result)
    }
    try {
      const added = this.#options.deadLetterStore.add(letter)
      if (isThenable(added)) added.then(stored, refused)
      else stored()
    } catch (error) {
      refused(error)
    }
  }

  #settle(queued: QueuedDelivery, result: DeliveryResult): void {
    queued.result = result
    if (queued.waiters) for (const resolve of queued.waiters) resolve(result)
    if (queued.admitted) this.#pending--
    else this.#storing--
    this.#wakeRoomWaiters()
    if (this.#pending === 0 && this.#storing === 0) {
      const waiters = this.#idleWaiters
      this.#idleWaiters = []
      for (const resolve of waiters) resolve()
    }
  }

  #hasRoom(needed: number): boolean {
    return this.#pending === 0 || this.#pending + needed <= this.#options.maxPending
  }

  /** Resolves when `needed` deliveries fit under `maxPending`, after earlier waiters. */
  #room(needed: number, operation: string): Promise<void> {
    if (this.#closing) return Promise.reject(new RouterClosedError(operation))
    if (this.#roomWaiters.length === 0 && this.#hasRoom(needed)) return Promise.resolve()
    return new Promise((resolve, reject) => this.#roomWaiters.push({ needed, operation, resolve, reject }))
  }

  #wakeRoomWaiters(): void {
    const next = this.#roomWaiters[0]
    if (next && this.#hasRoom(next.needed)) {
      this.#roomWaiters.shift()
      next.resolve()
    }
  }

  /** The lane of an integration, built again when its pacing changed. */
  #laneFor(integration: IntegrationRecord): IntegrationLane {
    // Records are replaced on every change: the same record always maps to the same lane.
    const known = this.#laneOfRecord.get(integration)
    if (known) return known
    const { id } = integration.integration
    const pacing = resolvePacing(integration.adapter.pacing, integration.integration.pacing)
    let lane = this.#lanes.get(id)
    if (
      !lane ||
      lane.pacing.concurrency !== pacing.concurrency ||
      lane.pacing.perSecond !== pacing.perSecond ||
      lane.pacing.perMinute !== pacing.perMinute
    ) {
      // Attempts already queued in the old lane stay there and drain at the old pace.
      if (lane) this.#retire(lane)
      lane = new IntegrationLane(
        pacing,
        (deliveryId) => this.#admit(id, deliveryId),
        (pauseMs) => this.#notify('integrationThrottled', { integrationId: id, pauseMs }),
      )
      this.#lanes.set(id, lane)
    }
    this.#laneOfRecord.set(integration, lane)
    return lane
  }

  /** Keeps a replaced lane until it has drained, so that close() can still stop it. */
  #retire(lane: IntegrationLane): void {
    this.#retiredLanes.add(lane)
    void lane.drained().then(() => this.#retiredLanes.delete(lane))
  }

  /** Whether a delivery may make an attempt now, or why it is parked. */
  #admit(integrationId: string, deliveryId: string): ParkReason | undefined {
    if (this.#shutdown.draining) return 'shutdown'
    const record = this.#integrations.record(integrationId)
    if (!record?.integration.enabled) return 'integration_disabled'
    const circuit = this.#circuits.get(integrationId)
    if (circuit && !circuit.admit(deliveryId)) return 'circuit_open'
    return undefined
  }

  #integrationChanged(id: string, record: IntegrationRecord | undefined): void {
    const circuit = this.#circuits.get(id)
    if (circuit && record?.integration.config !== this.#circuitConfigs.get(id)) {
      // Removed, or its config edited (a new URL, a new key): the failures were about the old one.
      this.#circuits.delete(id)
      this.#circuitConfigs.delete(id)
      clearTimeout(this.#probeTimers.get(id))
      this.#probeTimers.delete(id)
      if (record?.integration.enabled && !circuit.isClosed) this.#resumed(id)
    }
    if (record?.integration.enabled) return
    this.#lanes.get(id)?.cancel('integration_disabled')
    if (!record) this.#lanes.delete(id)
  }

  /** The circuit of an integration closed: say so, and replay what it parked. */
  #resumed(integrationId: string): void {
    this.#notify('integrationResumed', { integrationId })
    const { circuitBreaker } = this.#options
    if (circuitBreaker !== false && circuitBreaker.replayParked) {
      this.#replay(this.deadLetters.redeliver({ integrationId, reason: 'circuit_open' }))
    }
  }

  /** Feeds a final outcome to the integration's circuit breaker and reports transitions. */
  #recordHealth(integrationId: string, result: DeliveryResult): void {
    const options = this.#options.circuitBreaker
    if (options === false) return
    const signal = healthSignal(result)
    let circuit = this.#circuits.get(integrationId)
    if (!circuit) {
      if (signal !== 'failing') return
      circuit = new CircuitBreaker(options)
      this.#circuits.set(integrationId, circuit)
      this.#circuitConfigs.set(integrationId, this.#integrations.record(integrationId)?.integration.config)
    }
    const transition = circuit.record(result.delivery.id, signal)
    if (transition?.to === 'open') {
      this.#lanes.get(integrationId)?.cancel('circuit_open')
      this.#notify('integrationSuspended', {
        integrationId,
        consecutiveFailures: transition.consecutiveFailures,
        probeAt: transition.probeAt,
      })
      if (options.replayParked) this.#scheduleProbe(integrationId, transition.probeAt - Date.now())
    } else if (transition?.to === 'closed') {
      this.#resumed(integrationId)
    }
  }

  /** After the cool-down, sends the oldest delivery the circuit parked as its probe. */
  #scheduleProbe(integrationId: string, delayMs: number): void {
    clearTimeout(this.#probeTimers.get(integrationId))
    const timer = setTimeout(() => {
      this.#probeTimers.delete(integrationId)
      // A new delivery may have become the probe meanwhile: then there is nothing to do.
      if (this.#closing || !this.#circuits.get(integrationId)?.awaitingProbe) return
      this.#replay(
        this.deadLetters
          .list({ integrationId, reason: 'circuit_open', limit: 1 })
          .then((oldest) =>
            oldest.length === 0 ? undefined : this.deadLetters.redeliver(oldest.map((l) => l.id)),
          ),
      )
    }, delayMs)
    // A router waiting to probe should not keep the host's process alive by itself.
    timer.unref?.()
    this.#probeTimers.set(integrationId, timer)
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

  /** A destination answered that the integration is gone (410): disable it, say why. */
  #disableGone(integrationId: string, result: DeliveryFailed): void {
    const record = this.#integrations.record(integrationId)
    if (!record?.integration.enabled) return
    const reason = `The destination answered ${result.error.status ?? 'that it is gone'} to delivery ${result.delivery.id}: the endpoint no longer exists. Fix the config and enable the integration again.`
    this.#integrations.disableBecause(integrationId, reason)
    this.#notify('integrationDisabled', { integrationId, reason, deliveryId: result.delivery.id })
  }

  /** Queues dead letters again, as they wait for room under `maxPending`. */
  async #redeliver(letters: readonly DeadLetter[]): Promise<RedeliveryReceipt> {
    const queued: QueuedDelivery[] = []
    for (const [index, letter] of letters.entries()) {
      try {
        await this.#room(1, 'redeliver')
        if (this.#closing) throw new RouterClosedError('redeliver')
      } catch (error) {
        // The router closed while waiting for room: the letters not requeued go back, unchanged.
        await this.#restore(letters.slice(index))
        throw error
      }
      // Checked after each wait: the integration may be gone or disabled by now.
      const integration = this.#integrations.record(letter.delivery.integrationId)
      const { payload, occurredAt } = letter.event
      const entry = queuedDelivery(
        letter.delivery,
        payload,
        Date.parse(occurredAt),
        integration,
        letter.redeliveries + 1,
      )
      queued.push(entry)
      if (integration?.integration.enabled) this.#enqueue(entry)
      else this.#park(entry)
    }
    let settled: Promise<DeliveryResult[]> | undefined
    return {
      deliveries: queued.map((entry) => entry.delivery),
      get settled() {
        settled ??= Promise.all(queued.map(outcomeOf))
        return settled
      },
    }
  }

  /** Puts dead letters back in the store as they were; a refusal is reported like any other. */
  async #restore(letters: readonly DeadLetter[]): Promise<void> {
    for (const letter of letters) {
      try {
        await this.#options.deadLetterStore.add(letter)
      } catch (error) {
        this.#notify('error', new DeadLetterStoreError(letter, error))
      }
    }
  }

  /** Settles a delivery that cannot be attempted (its integration is disabled or gone). */
  #park(queued: QueuedDelivery): void {
    const { delivery } = queued
    this.#failUnattempted(
      queued,
      'integration_disabled',
      new DeliveryError(
        'ERR_INTEGRATION_DISABLED',
        `Delivery ${delivery.id}: integration \`${delivery.integrationId}\` is disabled or was removed.`,
        { retryable: false },
      ),
    )
  }

  async #drain(timeoutMs: number): Promise<void> {
    for (const waiter of this.#roomWaiters.splice(0)) waiter.reject(new RouterClosedError(waiter.operation))
    // No new attempt from here; retry waits end. Attempts in flight get until the deadline.
    this.#shutdown.drain()
    for (const timer of this.#probeTimers.values()) clearTimeout(timer)
    this.#probeTimers.clear()
    const lanes = [...this.#lanes.values(), ...this.#retiredLanes]
    const inFlightDone = Promise.all(lanes.map((lane) => lane.stop()))
    let timer: ReturnType<typeof setTimeout> | undefined
    const timedOut = await Promise.race([
      inFlightDone.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), timeoutMs)
      }),
    ])
    clearTimeout(timer)
    if (timedOut) this.#shutdown.trigger()
    // What is still queued, retries included, is dead-lettered with reason shutdown.
    for (const lane of lanes) lane.cancel('shutdown')
    await this.onIdle()
    if (this.#options.ownsTransport) await (this.#options.transport as KyTransport).close()
  }

  #notify<E extends RouterEventName>(event: E, ...args: RouterEvents[E]): void {
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

/** A delivery from emit() to its result; `waiters` exist only once `settled` is read. */
interface QueuedDelivery {
  readonly delivery: Delivery
  readonly payload: Readonly<Record<string, unknown>>
  /** Epoch ms: the Date is built when the delivery starts, off emit()'s path. */
  readonly occurredAt: number
  /** Undefined only for a redelivery whose integration was removed (it is parked at once). */
  readonly integration: IntegrationRecord
  /** Times this delivery was redelivered from the dead letters. */
  readonly redeliveries: number
  /** Whether it was queued (counts toward `maxPending`) rather than refused or parked at once. */
  admitted: boolean
  result: DeliveryResult | undefined
  waiters: ((result: DeliveryResult) => void)[] | undefined
}

function queuedDelivery(
  delivery: Delivery,
  payload: Readonly<Record<string, unknown>>,
  occurredAt: number,
  integration: IntegrationRecord | undefined,
  redeliveries: number,
): QueuedDelivery {
  return {
    delivery,
    payload,
    occurredAt,
    integration: integration as IntegrationRecord,
    redeliveries,
    admitted: false,
    result: undefined,
    waiters: undefined,
  }
}

/** The event as adapters see it, for one delivery. */
function routedEvent(queued: QueuedDelivery): RoutedEvent {
  const { delivery } = queued
  return {
    id: delivery.eventId,
    name: delivery.eventName,
    outgoingName: delivery.outgoingName,
    payload: queued.payload,
    occurredAt: new Date(queued.occurredAt),
  }
}

function toDeadLetter(queued: QueuedDelivery, result: DeliveryFailed): DeadLetter {
  const { delivery } = result
  return {
    id: delivery.id,
    delivery,
    event: {
      id: delivery.eventId,
      name: delivery.eventName,
      outgoingName: delivery.outgoingName,
      payload: queued.payload,
      occurredAt: isoTimestamp(queued.occurredAt),
    },
    reason: result.reason,
    error: { code: result.error.code, message: result.error.message, status: result.error.status ?? null },
    history: result.history,
    deadLetteredAt: new Date().toISOString(),
    redeliveries: queued.redeliveries,
  }
}

/** What a final outcome says about the destination: it answered, it is failing, or nothing. */
function healthSignal(result: DeliveryResult): CircuitSignal {
  if (result.status === 'succeeded') return 'healthy'
  if (result.reason === 'retries_exhausted') return 'failing'
  // A final 4xx is about the event or the config, and shows the destination is up.
  if (result.reason === 'not_retryable' && result.error.status !== undefined) return 'healthy'
  return 'neutral'
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null && typeof value === 'object' && typeof (value as PromiseLike<unknown>).then === 'function'
  )
}

function outcomeOf(queued: QueuedDelivery): DeliveryResult | Promise<DeliveryResult> {
  if (queued.result) return queued.result
  return new Promise((resolve) => {
    queued.waiters ??= []
    queued.waiters.push(resolve)
  })
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

function at(path: string, action: () => void): void {
  try {
    action()
  } catch (error) {
    if (error instanceof ValidationError) {
      throw new ValidationError(
        'router snapshot',
        error.issues.map((issue) => ({
          path: issue.path ? `${path}.${issue.path}` : path,
          message: issue.message,
        })),
        { cause: error },
      )
    }
    if (error instanceof EventRouterError) {
      throw new ValidationError('router snapshot', [{ path, message: error.message }], { cause: error })
    }
    throw error
  }
}

const NO_OPTIONS: { readonly id?: unknown; readonly occurredAt?: unknown } = Object.freeze({})

/** Reads emit()'s options; anything that is not a readable plain object is a ValidationError. */
function readEmitOptions(options: unknown): { readonly id?: unknown; readonly occurredAt?: unknown } {
  try {
    if (isPlainObject(options)) return { id: options.id, occurredAt: options.occurredAt }
  } catch {
    // A getter that throws: reported below like any unreadable options.
  }
  throw new ValidationError('event', [
    { path: 'options', message: `expected an options object { id?, occurredAt? }, got ${describe(options)}` },
  ])
}

/** Reads one option of an options object that may be anything (null, a throwing Proxy). */
function readOption(options: unknown, key: string, subject: string): unknown {
  try {
    if (isPlainObject(options)) return options[key]
  } catch {
    // Reported below.
  }
  throw new ValidationError(subject, [
    { path: 'options', message: `expected an options object, got ${describe(options)}` },
  ])
}

/** The test payload: the event's, plus the marker. A getter that throws is the caller's input error. */
function markedAsTest(data: Record<string, unknown>): Record<string, unknown> {
  try {
    return { ...data, [TEST_MARKER]: true }
  } catch (error) {
    const why = error instanceof Error ? error.message : 'a property could not be read'
    throw new ValidationError('test send', [{ path: 'payload', message: `could not be read: ${why}` }], {
      cause: error,
    })
  }
}

function toEpochMs(value: unknown): number {
  if (value === undefined) return Date.now()
  let date = new Date(Number.NaN)
  try {
    if (value instanceof Date) date = new Date(value.getTime())
    else if (typeof value === 'string' || typeof value === 'number') date = new Date(value)
  } catch {
    // A revoked Proxy, a Date subclass whose getTime throws: not a valid date.
  }
  if (Number.isNaN(date.getTime()) || (typeof value === 'string' && !/^\d{4}-\d{2}-\d{2}T/.test(value))) {
    throw new ValidationError('event', [
      {
        path: 'options.occurredAt',
        message: `expected a valid Date, ISO-8601 string or epoch ms, got ${describe(value)}`,
      },
    ])
  }
  return date.getTime()
}
