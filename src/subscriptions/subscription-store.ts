import type { DeliveryResult } from '../delivery/delivery.js'
import { ConflictError } from '../errors/conflict-error.js'
import { NotFoundError } from '../errors/not-found-error.js'
import { parseInput } from '../errors/parse-input.js'
import { compileFilter } from '../filters/compile-filter.js'
import type { Filter, FilterPredicate } from '../filters/filter.js'
import { parseFilter } from '../filters/parse-filter.js'
import type { Timestamps } from '../integrations/integration-store.js'
import { generateId } from '../router/ids.js'
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

/** What `router.subscriptions` offers. Every rejected call throws a typed error and changes nothing. */
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
}

/** What `subscriptions.test()` resolves with. */
export interface TestSendResult {
  /** The outcome, as for any delivery. */
  readonly result: DeliveryResult
  /** The last request sent, credentials redacted; `null` when none could be built. */
  readonly request: TransportRequest | null
  /** The last response: status, headers and the first 2 KB of the body; `null` when none arrived. */
  readonly response: {
    readonly status: number
    readonly headers: Readonly<Record<string, string>>
    readonly bodyExcerpt: string
  } | null
}

/** A subscription with its compiled filter. */
export interface SubscriptionRecord {
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

const NONE: readonly SubscriptionRecord[] = Object.freeze([])

/**
 * The subscription registry behind `router.subscriptions`, indexed by event name so that
 * `emit()` looks at the subscriptions of the emitted event only.
 */
export class SubscriptionStore implements Subscriptions {
  readonly #records = new Map<string, SubscriptionRecord>()
  // Arrays are replaced, never mutated, so an emit() in progress keeps a stable view.
  readonly #byEvent = new Map<string, readonly SubscriptionRecord[]>()
  #wildcard: readonly SubscriptionRecord[] = NONE
  readonly #integrationExists: (id: string) => boolean
  readonly #testSend: TestSender
  readonly #check: SubscriptionCheck | undefined

  /**
   * @param integrationExists whether an integration id is known
   * @param testSend performs a test send for `test()`
   * @param check extra validation of the event selector and filter (the catalog's), run before any change
   */
  constructor(integrationExists: (id: string) => boolean, testSend: TestSender, check?: SubscriptionCheck) {
    this.#integrationExists = integrationExists
    this.#testSend = testSend
    this.#check = check
  }

  /** @param restored timestamps kept when restoring a snapshot */
  create(input: SubscriptionInput, restored?: Timestamps): Subscription {
    const parsed = parseInput(subscriptionInputSchema, input, 'subscription')
    const id = parsed.id ?? generateId()
    if (this.#records.has(id)) {
      throw new ConflictError(
        'ERR_DUPLICATE_ID',
        'id',
        `A subscription with id \`${id}\` already exists (id).`,
      )
    }
    this.#assertIntegration(parsed.integrationId)
    const filter = parseFilter(parsed.filter ?? {}, 'filter')
    this.#check?.(parsed.event, filter)
    const now = new Date().toISOString()
    const record = toRecord({
      id,
      event: freezeSelector(parsed.event),
      integrationId: parsed.integrationId,
      filter,
      eventNamePrefix: parsed.eventNamePrefix ?? null,
      enabled: parsed.enabled ?? true,
      createdAt: restored?.createdAt ?? now,
      updatedAt: restored?.updatedAt ?? now,
    })
    this.#records.set(id, record)
    this.#index(record)
    return record.subscription
  }

  update(id: string, patch: SubscriptionPatch): Subscription {
    const current = this.#require(id)
    const parsed = parseInput(subscriptionPatchSchema, patch, 'subscription patch')
    if (parsed.integrationId !== undefined) this.#assertIntegration(parsed.integrationId)
    const filter = parsed.filter === undefined ? undefined : parseFilter(parsed.filter, 'filter')
    const before = current.subscription
    if (parsed.event !== undefined || filter !== undefined) {
      this.#check?.(parsed.event ?? before.event, filter ?? before.filter)
    }
    const record = toRecord(
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
    this.#unindex(current)
    this.#records.set(id, record)
    this.#index(record)
    return record.subscription
  }

  remove(id: string): void {
    const record = this.#require(id)
    this.#records.delete(id)
    this.#unindex(record)
  }

  get(id: string): Subscription | undefined {
    return this.#records.get(id)?.subscription
  }

  list(query?: SubscriptionQuery): Subscription[] {
    return this.#select(
      query === undefined ? {} : parseInput(subscriptionQuerySchema, query, 'subscription query'),
    )
  }

  #select(query: {
    readonly event?: string | undefined
    readonly integrationId?: string | undefined
  }): Subscription[] {
    const result: Subscription[] = []
    for (const { subscription } of this.#records.values()) {
      if (query.integrationId !== undefined && subscription.integrationId !== query.integrationId) continue
      if (query.event !== undefined && !selects(subscription.event, query.event)) continue
      result.push(subscription)
    }
    return result
  }

  enable(id: string): Subscription {
    return this.update(id, { enabled: true })
  }

  disable(id: string): Subscription {
    return this.update(id, { enabled: false })
  }

  test(id: string, payload?: Record<string, unknown>, options?: TestSendOptions): Promise<TestSendResult> {
    try {
      const record = this.#require(id)
      // Checked here, so that the sender reads plain data (`retries` is checked against the policy there).
      const parsed =
        options === undefined ? {} : parseInput(testSendOptionsSchema, options, 'test send', 'options')
      return this.#testSend(record, payload, parsed as TestSendOptions)
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /** Subscriptions of exactly this event name (wildcards excluded). Hot path of emit(). */
  forEvent(name: string): readonly SubscriptionRecord[] {
    return this.#byEvent.get(name) ?? NONE
  }

  /** Wildcard (`'*'`) subscriptions. */
  wildcard(): readonly SubscriptionRecord[] {
    return this.#wildcard
  }

  /** Ids of the subscriptions that deliver to an integration. */
  usersOf(integrationId: string): string[] {
    return this.#select({ integrationId }).map((subscription) => subscription.id)
  }

  #assertIntegration(integrationId: string): void {
    if (!this.#integrationExists(integrationId)) {
      throw new NotFoundError('integration', integrationId, 'integrationId', 'Add the integration first.')
    }
  }

  #require(id: string): SubscriptionRecord {
    const record = this.#records.get(id)
    if (!record) throw new NotFoundError('subscription', id, 'id')
    return record
  }

  #index(record: SubscriptionRecord): void {
    const { event } = record.subscription
    if (event === '*') {
      this.#wildcard = [...this.#wildcard, record]
      return
    }
    for (const name of typeof event === 'string' ? [event] : event) {
      this.#byEvent.set(name, [...(this.#byEvent.get(name) ?? NONE), record])
    }
  }

  #unindex(record: SubscriptionRecord): void {
    const { event } = record.subscription
    if (event === '*') {
      this.#wildcard = this.#wildcard.filter((r) => r !== record)
      return
    }
    for (const name of typeof event === 'string' ? [event] : event) {
      const remaining = (this.#byEvent.get(name) ?? NONE).filter((r) => r !== record)
      if (remaining.length === 0) this.#byEvent.delete(name)
      else this.#byEvent.set(name, remaining)
    }
  }
}

function toRecord(subscription: Subscription, matches?: FilterPredicate): SubscriptionRecord {
  const frozen = Object.freeze(subscription)
  return Object.freeze({
    subscription: frozen,
    matches: matches ?? compileFilter(frozen.filter),
    prefix: frozen.eventNamePrefix ?? '',
  })
}

/** An id from an untyped caller, as text for messages: String() throws for some objects. */

function freezeSelector(selector: EventSelector): EventSelector {
  return typeof selector === 'string' ? selector : Object.freeze([...selector])
}

function selects(selector: EventSelector, name: string): boolean {
  return selector === '*' || selector === name || (typeof selector !== 'string' && selector.includes(name))
}
