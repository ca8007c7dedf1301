import type { DeliveryResult } from '../delivery/delivery.js'
import { ConflictError } from '../errors/conflict-error.js'
import { NotFoundError } from '../errors/not-found-error.js'
import { parseInput } from '../errors/parse-input.js'
import { QuotaExceededError } from '../errors/quota-exceeded-error.js'
import { compileFilter } from '../filters/compile-filter.js'
import type { Filter, FilterPredicate } from '../filters/filter.js'
import { parseFilter } from '../filters/parse-filter.js'
import type { Timestamps } from '../integrations/integration-registry.js'
import { generateId } from '../shared/ids.js'
import { scopedKey, scopeKey } from '../shared/scope.js'
import type { TransportRequest } from '../transport/transport.js'
import type {
  EventSelector,
  Subscription,
  SubscriptionInput,
  SubscriptionPatch,
  SubscriptionQuery,
} from './subscription.js'
import {
  subscriptionInputSchema,
  subscriptionPatchSchema,
  subscriptionQuerySchema,
  testSendOptionsSchema,
} from './subscription-schema.js'

/** What `router.subscriptions` offers (one tenant's). Every rejected call throws a typed error and changes nothing. */
export interface Subscriptions {
  /** Creates a subscription; its filter is validated and compiled once. */
  create(input: SubscriptionInput): Subscription
  /** Changes any field; `eventNamePrefix: null` removes the prefix, `filter: {}` removes the filter. */
  update(id: string, patch: SubscriptionPatch): Subscription
  /** Deletes a subscription. Deliveries already started go on. */
  remove(id: string): void
  /** The subscription with this id, or `undefined`. */
  get(id: string): Subscription | undefined
  /**
   * Subscriptions in creation order, optionally only those of an event or an integration.
   * Throws `ValidationError` for a query with other keys or values that are not strings.
   */
  list(query?: SubscriptionQuery): Subscription[]
  /** Enables a subscription. */
  enable(id: string): Subscription
  /** Disables a subscription: it is skipped with reason `subscription_disabled`. */
  disable(id: string): Subscription
  /**
   * Sends one real test delivery to the subscription's integration, whatever its filter
   * and status, with `payload` (or the catalog's sample for its event). It is marked as a
   * test: the payload gets `eventrouter_test: true`, and adapters may add their own marker
   * (webhook: the `webhook-test: true` header).
   * Resolves with the outcome, the request sent (credentials redacted) and the response.
   * Test sends are not reported on lifecycle events.
   */
  test(id: string, payload?: Record<string, unknown>, options?: TestSendOptions): Promise<TestSendResult>
}

/** Options of `subscriptions.test()`. */
export interface TestSendOptions {
  /** The event name to send, for subscriptions of several events or `'*'`. @default the subscription's (first) event */
  event?: string
  /** Retries after the first attempt. @default 0: one attempt, for prompt feedback */
  retries?: number
  /** Aborts the test send (the attempt in flight too): the promise rejects with the signal's reason. */
  signal?: AbortSignal
}

/** What `subscriptions.test()` resolves with. */
export interface TestSendResult {
  /** The outcome, as for any delivery. */
  readonly result: DeliveryResult
  /** The last request sent, credentials redacted; `null` when none could be built. */
  readonly request: TransportRequest | null
  /** The last response: status, headers and the first 2 KB of the body; `null` when none arrived. */
  readonly response: {
    /** HTTP status. */
    readonly status: number
    /** Response headers, names in lower case. */
    readonly headers: Readonly<Record<string, string>>
    /** The first 2 KB of the body, as text. */
    readonly bodyExcerpt: string
  } | null
}

/** A subscription with its compiled filter. */
export interface SubscriptionRecord {
  /** The tenant it belongs to, or `null` for the platform. */
  readonly tenant: string | null
  readonly subscription: Subscription
  readonly matches: FilterPredicate
  /** The prefix of outgoing names, `''` when there is none. */
  readonly prefix: string
}

/** Validates a subscription's event selector and filter beyond their syntax; throws to refuse. */
export type SubscriptionCheck = (event: EventSelector, filter: Filter) => void

/** Performs a test send; provided by the router. */
export type TestSender = (
  record: SubscriptionRecord,
  payload: Record<string, unknown> | undefined,
  options: TestSendOptions,
) => Promise<TestSendResult>

/** What the subscription registry needs from the router. */
export interface SubscriptionRegistryDeps {
  /** Whether `tenant` has an integration with this id (another tenant's does not count). */
  readonly integrationExists: (tenant: string | null, id: string) => boolean
  /** Performs a test send for `test()`. */
  readonly testSend: TestSender
  /** Extra validation of the event selector and filter (the catalog's), run before any change. */
  readonly check?: SubscriptionCheck
  /**
   * Keeps a change before it is made: the new subscription, or `undefined` for a removal. Throwing
   * (a `StoreError`) refuses the change, which then changes nothing.
   */
  readonly persist?: (tenant: string | null, id: string, subscription: Subscription | undefined) => void
  /** Most subscriptions a tenant may have, or `undefined` for no limit. */
  readonly quota?: (tenant: string | null) => number | undefined
}

const NONE: readonly SubscriptionRecord[] = Object.freeze([])

/**
 * Every tenant's subscriptions, indexed by tenant and event name so that `emit()` looks only at
 * the subscriptions of the emitting tenant (and the platform's) for the emitted event, however
 * many tenants there are. Scoped views act through it for one tenant.
 */
export class SubscriptionRegistry {
  readonly #byKey = new Map<string, SubscriptionRecord>()
  readonly #byScope = new Map<string, Map<string, SubscriptionRecord>>()
  // Arrays are replaced, never mutated, so an emit() in progress keeps a stable view.
  readonly #byEvent = new Map<string, readonly SubscriptionRecord[]>()
  readonly #wildcard = new Map<string, readonly SubscriptionRecord[]>()
  readonly #deps: SubscriptionRegistryDeps

  constructor(deps: SubscriptionRegistryDeps) {
    this.#deps = deps
  }

  /** @param restored timestamps kept when restoring a snapshot */
  create(tenant: string | null, input: SubscriptionInput, restored?: Timestamps): Subscription {
    return this.#create(tenant, input, restored, false)
  }

  /**
   * Creates a subscription, or replaces the one with its id as a whole: what another process of
   * a fleet wrote. Validated like `create()`; the quota counts only a new one.
   */
  put(tenant: string | null, input: SubscriptionInput, restored: Timestamps): Subscription {
    return this.#create(tenant, input, restored, true)
  }

  #create(
    tenant: string | null,
    input: SubscriptionInput,
    restored: Timestamps | undefined,
    replace: boolean,
  ): Subscription {
    const parsed = parseInput(subscriptionInputSchema, input, 'subscription')
    const id = parsed.id ?? generateId()
    const current = this.#byKey.get(scopedKey(tenant, id))
    if (current && !replace) {
      throw new ConflictError(
        'ERR_DUPLICATE_ID',
        'id',
        `A subscription with id \`${id}\` already exists (id).`,
      )
    }
    this.#assertIntegration(tenant, parsed.integrationId)
    const filter = parseFilter(parsed.filter ?? {}, 'filter')
    this.#deps.check?.(parsed.event, filter)
    const limit = this.#deps.quota?.(tenant)
    if (!current && limit !== undefined && this.count(tenant) >= limit) {
      throw new QuotaExceededError('subscriptions', limit, tenant)
    }
    const now = new Date().toISOString()
    const record = toRecord(tenant, {
      id,
      tenant,
      event: freezeSelector(parsed.event),
      integrationId: parsed.integrationId,
      filter,
      eventNamePrefix: parsed.eventNamePrefix ?? null,
      enabled: parsed.enabled ?? true,
      createdAt: restored?.createdAt ?? now,
      updatedAt: restored?.updatedAt ?? now,
    })
    this.#deps.persist?.(tenant, id, record.subscription)
    if (current) this.#unindex(current)
    this.#put(record)
    return record.subscription
  }

  update(tenant: string | null, id: string, patch: SubscriptionPatch): Subscription {
    const current = this.#require(tenant, id)
    const parsed = parseInput(subscriptionPatchSchema, patch, 'subscription patch')
    if (parsed.integrationId !== undefined) this.#assertIntegration(tenant, parsed.integrationId)
    const filter = parsed.filter === undefined ? undefined : parseFilter(parsed.filter, 'filter')
    const before = current.subscription
    if (parsed.event !== undefined || filter !== undefined) {
      this.#deps.check?.(parsed.event ?? before.event, filter ?? before.filter)
    }
    const record = toRecord(
      tenant,
      {
        ...before,
        event: parsed.event === undefined ? before.event : freezeSelector(parsed.event),
        integrationId: parsed.integrationId ?? before.integrationId,
        filter: filter ?? before.filter,
        eventNamePrefix:
          parsed.eventNamePrefix === undefined ? before.eventNamePrefix : parsed.eventNamePrefix,
        enabled: parsed.enabled ?? before.enabled,
        updatedAt: new Date().toISOString(),
      },
      filter === undefined ? current.matches : undefined,
    )
    this.#deps.persist?.(tenant, id, record.subscription)
    this.#unindex(current)
    this.#put(record)
    return record.subscription
  }

  remove(tenant: string | null, id: string): void {
    const record = this.#require(tenant, id)
    this.#deps.persist?.(tenant, id, undefined)
    this.#byKey.delete(scopedKey(tenant, id))
    this.#byScope.get(scopeKey(tenant))?.delete(id)
    this.#unindex(record)
  }

  get(tenant: string | null, id: string): Subscription | undefined {
    return this.#byKey.get(scopedKey(tenant, id))?.subscription
  }

  list(tenant: string | null, query?: SubscriptionQuery): Subscription[] {
    return this.#select(
      tenant,
      query === undefined ? {} : parseInput(subscriptionQuerySchema, query, 'subscription query'),
    )
  }

  /** How many subscriptions a tenant has. */
  count(tenant: string | null): number {
    return this.#byScope.get(scopeKey(tenant))?.size ?? 0
  }

  /** Every tenant's subscriptions, in creation order. */
  all(): Subscription[] {
    return [...this.#byKey.values()].map((record) => record.subscription)
  }

  #select(
    tenant: string | null,
    query: { readonly event?: string | undefined; readonly integrationId?: string | undefined },
  ): Subscription[] {
    const result: Subscription[] = []
    const scope = this.#byScope.get(scopeKey(tenant))
    if (!scope) return result
    for (const { subscription } of scope.values()) {
      if (query.integrationId !== undefined && subscription.integrationId !== query.integrationId) continue
      if (query.event !== undefined && !selects(subscription.event, query.event)) continue
      result.push(subscription)
    }
    return result
  }

  test(
    tenant: string | null,
    id: string,
    payload?: Record<string, unknown>,
    options?: TestSendOptions,
  ): Promise<TestSendResult> {
    try {
      const record = this.#require(tenant, id)
      // Checked here, so that the sender reads plain data (`retries` is checked against the policy there).
      const parsed =
        options === undefined ? {} : parseInput(testSendOptionsSchema, options, 'test send', 'options')
      return this.#deps.testSend(record, payload, parsed as TestSendOptions)
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /** A tenant's subscriptions of exactly this event name (wildcards excluded). Hot path of emit(). */
  forEvent(tenant: string | null, name: string): readonly SubscriptionRecord[] {
    return this.#byEvent.get(eventKey(tenant, name)) ?? NONE
  }

  /** A tenant's wildcard (`'*'`) subscriptions. */
  wildcard(tenant: string | null): readonly SubscriptionRecord[] {
    return this.#wildcard.get(scopeKey(tenant)) ?? NONE
  }

  /** The subscription record with this id in a tenant. */
  record(tenant: string | null, id: string): SubscriptionRecord | undefined {
    return this.#byKey.get(scopedKey(tenant, id))
  }

  /** Ids of a tenant's subscriptions that deliver to an integration. */
  usersOf(tenant: string | null, integrationId: string): string[] {
    return this.#select(tenant, { integrationId }).map((subscription) => subscription.id)
  }

  #assertIntegration(tenant: string | null, integrationId: string): void {
    if (!this.#deps.integrationExists(tenant, integrationId)) {
      throw new NotFoundError('integration', integrationId, 'integrationId', 'Add the integration first.')
    }
  }

  #require(tenant: string | null, id: string): SubscriptionRecord {
    const record = this.#byKey.get(scopedKey(tenant, id))
    // Another tenant's id is refused exactly like an id that does not exist.
    if (!record) throw new NotFoundError('subscription', id, 'id')
    return record
  }

  #put(record: SubscriptionRecord): void {
    const { tenant } = record
    const { id } = record.subscription
    this.#byKey.set(scopedKey(tenant, id), record)
    let scope = this.#byScope.get(scopeKey(tenant))
    if (!scope) {
      scope = new Map()
      this.#byScope.set(scopeKey(tenant), scope)
    }
    scope.set(id, record)
    this.#index(record)
  }

  #index(record: SubscriptionRecord): void {
    const { event } = record.subscription
    if (event === '*') {
      const key = scopeKey(record.tenant)
      this.#wildcard.set(key, [...(this.#wildcard.get(key) ?? NONE), record])
      return
    }
    for (const name of typeof event === 'string' ? [event] : event) {
      const key = eventKey(record.tenant, name)
      this.#byEvent.set(key, [...(this.#byEvent.get(key) ?? NONE), record])
    }
  }

  #unindex(record: SubscriptionRecord): void {
    const { event } = record.subscription
    if (event === '*') {
      const key = scopeKey(record.tenant)
      const remaining = (this.#wildcard.get(key) ?? NONE).filter((r) => r !== record)
      if (remaining.length === 0) this.#wildcard.delete(key)
      else this.#wildcard.set(key, remaining)
      return
    }
    for (const name of typeof event === 'string' ? [event] : event) {
      const key = eventKey(record.tenant, name)
      const remaining = (this.#byEvent.get(key) ?? NONE).filter((r) => r !== record)
      if (remaining.length === 0) this.#byEvent.delete(key)
      else this.#byEvent.set(key, remaining)
    }
  }
}

function eventKey(tenant: string | null, name: string): string {
  return `${scopeKey(tenant)}\u0000${name}`
}

function toRecord(
  tenant: string | null,
  subscription: Subscription,
  matches?: FilterPredicate,
): SubscriptionRecord {
  const frozen = Object.freeze(subscription)
  return Object.freeze({
    tenant,
    subscription: frozen,
    matches: matches ?? compileFilter(frozen.filter),
    prefix: frozen.eventNamePrefix ?? '',
  })
}

function freezeSelector(selector: EventSelector): EventSelector {
  return typeof selector === 'string' ? selector : Object.freeze([...selector])
}

function selects(selector: EventSelector, name: string): boolean {
  return selector === '*' || selector === name || (typeof selector !== 'string' && selector.includes(name))
}
