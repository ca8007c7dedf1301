import { EventEmitter } from 'eventemitter3'
import type { Catalog } from '../catalog/catalog.js'
import {
  BODY_EXCERPT_LENGTH,
  type DeliveryEnvironment,
  type DeliveryTrace,
  deliver,
} from '../delivery/deliver.js'
import type { Delivery, DeliveryResult } from '../delivery/delivery.js'
import { Shutdown } from '../delivery/shutdown.js'
import { EventRouterError } from '../errors/event-router-error.js'
import { FilterEvaluationError } from '../errors/filter-evaluation-error.js'
import { ListenerError } from '../errors/listener-error.js'
import { parseInput } from '../errors/parse-input.js'
import { RouterClosedError } from '../errors/router-closed-error.js'
import { ValidationError } from '../errors/validation-error.js'
import { assertEventName, describe, isEventName } from '../events/event-name.js'
import { EventSwitches } from '../events/event-switches.js'
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
   * How long to wait for pending deliveries (in flight or waiting to retry) before
   * aborting them; each aborted delivery fails with reason `shutdown`.
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
  readonly #env: DeliveryEnvironment
  #pending = 0
  #queue: QueuedDelivery[] = []
  #idleWaiters: (() => void)[] = []
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
    this.#integrations = new IntegrationStore(this.#options.adapters, (id) => this.#subscriptions.usersOf(id))
    this.integrations = this.#integrations
    this.subscriptions = this.#subscriptions
    this.#env = {
      transport: this.#options.transport,
      timeoutMs: this.#options.timeoutMs,
      retry: this.#options.retry,
      shutdown: this.#shutdown,
      onAttemptFailed: (failure) => this.#notify('attemptFailed', failure),
    }
  }

  /**
   * Routes an event: validates it, evaluates the filter of every subscription of `name`
   * (and of `'*'`), and starts one delivery per match. Matching is synchronous; delivery
   * is not. Throws `ValidationError` for a bad name, payload or option and
   * `RouterClosedError` after `close()`; nothing is dispatched then.
   *
   * The payload is read by adapters when each attempt is built: do not mutate it afterwards.
   */
  emit<N extends EmittableName<C>>(
    name: N,
    payload: EmittablePayload<C, N>,
    options?: EmitOptions,
  ): EmitReceipt {
    if (this.#closing) throw new RouterClosedError(`emit \`${String(name)}\``)
    const data = this.#validEvent(name, payload)
    const eventId =
      options?.id === undefined ? generateId() : parseInput(idSchema, options.id, 'event', 'options.id')
    const occurredAt = toDate(options?.occurredAt)

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
        const event = { id: eventId, name, outgoingName: delivery.outgoingName, payload: data, occurredAt }
        const entry: QueuedDelivery = { delivery, event, integration, result: undefined, waiters: undefined }
        queued.push(entry)
        this.#enqueue(entry)
      }
    }

    if (skipped.length > 0) this.#notify('eventSkipped', { eventId, eventName: name, skipped })
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

  /** Resolves when every delivery started so far has settled (at once if none is pending). */
  onIdle(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve()
    return new Promise((resolve) => this.#idleWaiters.push(resolve))
  }

  /** Number of deliveries started and not yet settled. */
  get pendingCount(): number {
    return this.#pending
  }

  /**
   * Stops accepting `emit()`, waits for pending deliveries, and resolves. Deliveries still
   * pending after `timeoutMs` are aborted and fail with reason `shutdown`, so each still
   * ends in exactly one `deliveryFailed`. Calling it again returns the same promise.
   */
  close(options: CloseOptions = {}): Promise<void> {
    if (this.#closing) return this.#closing
    const timeoutMs = options.timeoutMs ?? 30_000
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
        const { createdAt, updatedAt, ...input } = item as unknown as RouterSnapshot['integrations'][number]
        router.#integrations.add(input, { createdAt, updatedAt })
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
        delivery,
        event: {
          id: eventId,
          name,
          outgoingName: delivery.outgoingName,
          // Every destination can show a property: the marker that works for all adapters.
          payload: { ...data, [TEST_MARKER]: true },
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
      event: queued.event,
      adapter: integration.adapter,
      config: integration.integration.config,
      secrets: integration.secrets,
    }
    void deliver(job, this.#env).then((result) => {
      if (result.status === 'succeeded') this.#notify('deliverySucceeded', result)
      else this.#notify('deliveryFailed', result)
      queued.result = result
      if (queued.waiters) for (const resolve of queued.waiters) resolve(result)
      this.#pending--
      if (this.#pending === 0) {
        const waiters = this.#idleWaiters
        this.#idleWaiters = []
        for (const resolve of waiters) resolve()
      }
    })
  }

  async #drain(timeoutMs: number): Promise<void> {
    if (this.#pending === 0) return
    const idle = this.onIdle()
    let timer: ReturnType<typeof setTimeout> | undefined
    const timedOut = await Promise.race([
      idle.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), timeoutMs)
      }),
    ])
    clearTimeout(timer)
    if (timedOut) {
      this.#shutdown.trigger()
      await idle
    }
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
  readonly event: RoutedEvent
  readonly integration: IntegrationRecord
  result: DeliveryResult | undefined
  waiters: ((result: DeliveryResult) => void)[] | undefined
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

function toDate(value: EmitOptions['occurredAt']): Date {
  if (value === undefined) return new Date()
  const date = value instanceof Date ? new Date(value.getTime()) : new Date(value)
  if (Number.isNaN(date.getTime()) || (typeof value === 'string' && !/^\d{4}-\d{2}-\d{2}T/.test(value))) {
    throw new ValidationError('event', [
      {
        path: 'options.occurredAt',
        message: `expected a valid Date, ISO-8601 string or epoch ms, got ${describe(value)}`,
      },
    ])
  }
  return date
}
