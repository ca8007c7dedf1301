import { isDeepStrictEqual } from 'node:util'
import { ValidationError } from '../errors/validation-error.js'
import type { EventSwitches } from '../events/event-switches.js'
import type { IntegrationInput } from '../integrations/integration.js'
import type { IntegrationRegistry } from '../integrations/integration-registry.js'
import { scopedKey } from '../shared/scope.js'
import type { StoredSubscription } from '../stores/store.js'
import type { SubscriptionInput } from '../subscriptions/subscription.js'
import type { SubscriptionRegistry } from '../subscriptions/subscription-registry.js'
import type { RouterSnapshot } from './router-snapshot.js'

/**
 * The configuration another process of the fleet wrote: the integrations (their secrets opened)
 * and subscriptions that may have changed since this router last took them, the keys
 * (`scopedKey(tenant, id)`) of every stored one, and the event switches.
 */
export interface FleetConfiguration {
  readonly integrations: RouterSnapshot['integrations']
  readonly subscriptions: readonly StoredSubscription[]
  readonly integrationKeys: ReadonlySet<string>
  readonly subscriptionKeys: ReadonlySet<string>
  readonly disabledEvents: readonly { readonly tenant: string | null; readonly name: string }[]
}

/** What {@link applyFleetConfiguration} changes: the router's registries, without writing back to the store. */
export interface ConfigurationTarget {
  readonly integrations: IntegrationRegistry
  readonly subscriptions: SubscriptionRegistry
  /** The event switches of a tenant (`null`: the platform's), made when missing. */
  readonly switchesOf: (tenant: string | null) => EventSwitches
  /** The tenants that have event switches here. */
  readonly switchTenants: () => Iterable<string | null>
}

/** Plain JSON, so that a record read from the store and one held here compare by value. */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value))
}

/**
 * Brings the registries to the configuration a fleet keeps in its store: integrations and
 * subscriptions that another process added or changed are put (validated as `add()`/`create()`
 * would), the ones no longer stored are removed, and event switches follow. A record that this process
 * cannot take (an adapter type it does not have, a filter its catalog refuses) is reported to
 * `onError` as a `ValidationError` naming it, and skipped; the rest still applies.
 */
export function applyFleetConfiguration(
  target: ConfigurationTarget,
  config: FleetConfiguration,
  onError: (error: unknown) => void,
): void {
  const attempt = (path: string, change: () => void) => {
    try {
      change()
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      onError(new ValidationError('fleet configuration', [{ path, message }], { cause: error }))
    }
  }
  const { integrationKeys, subscriptionKeys } = config
  for (const item of config.integrations) {
    const { createdAt, updatedAt, disabledReason, tenant: given, ...input } = item
    const tenant = given ?? null
    const held = target.integrations.record(tenant, item.id)?.integration
    if (held && isDeepStrictEqual(plain({ ...held, tenant }), plain({ ...item, tenant }))) continue
    attempt(`integrations.${item.id}`, () =>
      target.integrations.put(tenant, input as IntegrationInput, { createdAt, updatedAt, disabledReason }),
    )
  }
  for (const item of config.subscriptions) {
    const { createdAt, updatedAt, tenant, ...input } = item
    const held = target.subscriptions.get(tenant, item.id)
    if (held && isDeepStrictEqual(plain(held), plain(item))) continue
    attempt(`subscriptions.${item.id}`, () =>
      target.subscriptions.put(tenant, input as unknown as SubscriptionInput, { createdAt, updatedAt }),
    )
  }
  for (const held of target.subscriptions.all()) {
    if (!subscriptionKeys.has(scopedKey(held.tenant, held.id))) {
      attempt(`subscriptions.${held.id}`, () => target.subscriptions.remove(held.tenant, held.id))
    }
  }
  for (const record of [...target.integrations.records()]) {
    if (!integrationKeys.has(record.key)) {
      attempt(`integrations.${record.integration.id}`, () =>
        target.integrations.remove(record.tenant, record.integration.id),
      )
    }
  }
  const disabled = new Map<string | null, Set<string>>()
  for (const { tenant, name } of config.disabledEvents) {
    let names = disabled.get(tenant)
    if (!names) {
      names = new Set()
      disabled.set(tenant, names)
    }
    names.add(name)
  }
  for (const tenant of new Set([...target.switchTenants(), ...disabled.keys()])) {
    const switches = target.switchesOf(tenant)
    const wanted = disabled.get(tenant) ?? new Set<string>()
    for (const name of switches.listDisabled()) {
      if (!wanted.has(name)) attempt(`disabledEvents.${name}`, () => switches.enable(name))
    }
    for (const name of wanted) {
      if (switches.isEnabled(name)) attempt(`disabledEvents.${name}`, () => switches.disable(name))
    }
  }
}
