import type { Catalog } from '../catalog/catalog.js'
import type { DeadLetters } from '../dead-letters/dead-letters.js'
import type { EventSwitches } from '../events/event-switches.js'
import type { Integrations } from '../integrations/integration-registry.js'
import type { RouterStats } from '../observability/router-stats.js'
import type { Subscriptions } from '../subscriptions/subscription-registry.js'
import type { CatalogView } from './catalog-view.js'
import type { EmitAsyncOptions, EmitOptions, EmitReceipt } from './event-router.js'
import type { Explanation } from './explanation.js'
import type { EmittableName, EmittablePayload } from './typed-events.js'

/** Options of a tenant's `emit()`: the router's, without `tenant` (the view's own). */
export type TenantEmitOptions = Omit<EmitOptions, 'tenant'>

/** Options of a tenant's `emitAsync()`: the router's, without `tenant`. */
export type TenantEmitAsyncOptions = Omit<EmitAsyncOptions, 'tenant'>

/** What a tenant's view asks of its router, scoped to that tenant. */
export interface TenantScope {
  /** The tenant's integrations, and only them. */
  readonly integrations: Integrations
  /** The tenant's subscriptions, and only them. */
  readonly subscriptions: Subscriptions
  /** The tenant's event switches. */
  readonly events: EventSwitches
  /** The tenant's dead letters, and only them. */
  readonly deadLetters: DeadLetters
  /** The router's catalog, which every tenant shares. */
  readonly catalog: CatalogView
  /** Routes an event as the tenant's: the router's `emit()` with `tenant` set. */
  emit(name: string, payload: unknown, options: TenantEmitOptions | undefined): EmitReceipt
  /** The router's `emitAsync()` with `tenant` set, waiting under the tenant's share of `maxPending`. */
  emitAsync(name: string, payload: unknown, options: TenantEmitAsyncOptions | undefined): Promise<EmitReceipt>
  /** The router's `explain()` for an event of the tenant: what it would deliver, and why not. */
  explain(name: string, payload: unknown): Explanation
  /** The router's `stats()` for the tenant's integrations only. */
  stats(): RouterStats
}

/**
 * One tenant's view of a router (`router.tenant(id)`), with the router's API: its own
 * integrations, subscriptions, event switches and dead letters, its events emitted, explained and
 * test-sent. It can neither see nor touch another tenant's records: another tenant's id is a
 * `NotFoundError`, as an id that does not exist. This is what a merchant's dashboard uses.
 *
 * Its events also reach the platform's subscriptions (the host's own analytics), which it does
 * not see. Its subscriptions can only deliver to its own integrations.
 */
export class TenantRouter<C extends Catalog | undefined = undefined> {
  /** The tenant this view belongs to. */
  readonly tenant: string
  /** The tenant's integrations. */
  readonly integrations: Integrations
  /** The tenant's subscriptions (to its own integrations). */
  readonly subscriptions: Subscriptions
  /** The tenant's switches of each event type (the platform's switch, when off, wins). */
  readonly events: EventSwitches
  /** The tenant's dead letters. */
  readonly deadLetters: DeadLetters
  /** The event catalog, shared by every tenant. */
  readonly catalog: CatalogView
  readonly #scope: TenantScope

  constructor(tenant: string, scope: TenantScope) {
    this.tenant = tenant
    this.#scope = scope
    this.integrations = scope.integrations
    this.subscriptions = scope.subscriptions
    this.events = scope.events
    this.deadLetters = scope.deadLetters
    this.catalog = scope.catalog
  }

  /** Routes an event of this tenant, as `router.emit(name, payload, { tenant })` does. */
  emit<N extends EmittableName<C>>(
    name: N,
    payload: EmittablePayload<C, N>,
    options?: TenantEmitOptions,
  ): EmitReceipt {
    return this.#scope.emit(name, payload, options)
  }

  /** `emit()`, waiting for room under this tenant's share of `maxPending` (`options.signal` stops the wait). */
  emitAsync<N extends EmittableName<C>>(
    name: N,
    payload: EmittablePayload<C, N>,
    options?: TenantEmitAsyncOptions,
  ): Promise<EmitReceipt> {
    return this.#scope.emitAsync(name, payload, options)
  }

  /** `router.stats()` for this tenant's own integrations. */
  stats(): RouterStats {
    return this.#scope.stats()
  }

  /** A dry run of this tenant's `emit()`, over this tenant's subscriptions. */
  explain<N extends EmittableName<C>>(name: N, payload: EmittablePayload<C, N>): Explanation {
    return this.#scope.explain(name, payload)
  }
}
