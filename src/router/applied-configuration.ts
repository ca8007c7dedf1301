import { scopedKey } from '../shared/scope.js'
import type { StoredConfiguration, StoredIntegration, StoredSubscription } from '../stores/store.js'

/** The objects a router's registries hold now, by tenant and id (`undefined`: none). */
export interface HeldConfiguration {
  readonly integration: (tenant: string | null, id: string) => object | undefined
  readonly subscription: (tenant: string | null, id: string) => object | undefined
}

/** What {@link AppliedConfiguration.select} picks from a read of the configuration. */
export interface ConfigurationSelection {
  /** The stored integrations not taken as they are now. */
  readonly integrations: readonly StoredIntegration[]
  /** The stored subscriptions not taken as they are now. */
  readonly subscriptions: readonly StoredSubscription[]
  /** `scopedKey(tenant, id)` of every stored integration. */
  readonly integrationKeys: ReadonlySet<string>
  /** `scopedKey(tenant, id)` of every stored subscription. */
  readonly subscriptionKeys: ReadonlySet<string>
}

/**
 * What a router last took from its fleet's stored configuration, record by record: the record as
 * stored (its JSON) and the object the router's registry held once it was taken. A record whose
 * stored form is the same and whose held object is still that one (nothing changed it here
 * since) needs nothing from the next read: its secrets are not opened and it is not compared
 * again. So a read costs what changed, plus one `JSON.stringify` per record, rather than opening
 * and comparing every integration and subscription of the fleet.
 */
export class AppliedConfiguration {
  readonly #taken = new Map<string, { readonly stored: string; readonly held: object | undefined }>()

  /** The records of `stored` that were not taken as they are now, and the keys of all of them. */
  select(stored: StoredConfiguration, held: HeldConfiguration): ConfigurationSelection {
    const integrationKeys = new Set<string>()
    const integrations = stored.integrations.filter((item) => {
      const key = scopedKey(item.tenant, item.id)
      integrationKeys.add(key)
      return !this.#unchanged(`i ${key}`, item, held.integration(item.tenant, item.id))
    })
    const subscriptionKeys = new Set<string>()
    const subscriptions = stored.subscriptions.filter((item) => {
      const key = scopedKey(item.tenant, item.id)
      subscriptionKeys.add(key)
      return !this.#unchanged(`s ${key}`, item, held.subscription(item.tenant, item.id))
    })
    return { integrations, subscriptions, integrationKeys, subscriptionKeys }
  }

  /**
   * Notes that the records `selection` picked were taken, as the registries now hold them, and
   * forgets the records no longer stored.
   */
  took(selection: ConfigurationSelection, held: HeldConfiguration): void {
    for (const item of selection.integrations) {
      this.#took(`i ${scopedKey(item.tenant, item.id)}`, item, held.integration(item.tenant, item.id))
    }
    for (const item of selection.subscriptions) {
      this.#took(`s ${scopedKey(item.tenant, item.id)}`, item, held.subscription(item.tenant, item.id))
    }
    for (const key of this.#taken.keys()) {
      const [kind, scoped] = [key.slice(0, 1), key.slice(2)]
      const keys = kind === 'i' ? selection.integrationKeys : selection.subscriptionKeys
      if (!keys.has(scoped)) this.#taken.delete(key)
    }
  }

  #unchanged(key: string, stored: unknown, held: object | undefined): boolean {
    const taken = this.#taken.get(key)
    return taken !== undefined && taken.held === held && taken.stored === JSON.stringify(stored)
  }

  #took(key: string, stored: unknown, held: object | undefined): void {
    this.#taken.set(key, { stored: JSON.stringify(stored), held })
  }
}
