import type { Subscription, SubscriptionInput, SubscriptionPatch, SubscriptionQuery } from './subscription.js'
import type {
  SubscriptionRegistry,
  Subscriptions,
  TestSendOptions,
  TestSendResult,
} from './subscription-registry.js'

/**
 * `router.subscriptions` (the platform's) and `router.tenant(id).subscriptions`: the subscriptions
 * of one tenant, which can only deliver to that tenant's integrations. Another tenant's ids do not
 * exist here.
 */
export class ScopedSubscriptions implements Subscriptions {
  readonly #registry: SubscriptionRegistry
  readonly #tenant: string | null

  constructor(registry: SubscriptionRegistry, tenant: string | null) {
    this.#registry = registry
    this.#tenant = tenant
  }

  create(input: SubscriptionInput): Subscription {
    return this.#registry.create(this.#tenant, input)
  }

  update(id: string, patch: SubscriptionPatch): Subscription {
    return this.#registry.update(this.#tenant, id, patch)
  }

  remove(id: string): void {
    this.#registry.remove(this.#tenant, id)
  }

  get(id: string): Subscription | undefined {
    return this.#registry.get(this.#tenant, id)
  }

  list(query?: SubscriptionQuery): Subscription[] {
    return this.#registry.list(this.#tenant, query)
  }

  enable(id: string): Subscription {
    return this.#registry.update(this.#tenant, id, { enabled: true })
  }

  disable(id: string): Subscription {
    return this.#registry.update(this.#tenant, id, { enabled: false })
  }

  test(id: string, payload?: Record<string, unknown>, options?: TestSendOptions): Promise<TestSendResult> {
    return this.#registry.test(this.#tenant, id, payload, options)
  }
}
