import type { Integration, IntegrationInput, IntegrationPatch } from './integration.js'
import type { IntegrationRegistry, Integrations } from './integration-registry.js'

/**
 * `router.integrations` (the platform's) and `router.tenant(id).integrations`: the integrations
 * of one tenant. Another tenant's ids do not exist here: every method answers for them exactly as
 * for an id nobody uses.
 */
export class ScopedIntegrations implements Integrations {
  readonly #registry: IntegrationRegistry
  readonly #tenant: string | null

  constructor(registry: IntegrationRegistry, tenant: string | null) {
    this.#registry = registry
    this.#tenant = tenant
  }

  add(input: IntegrationInput): Integration {
    return this.#registry.add(this.#tenant, input)
  }

  update(id: string, patch: IntegrationPatch): Integration {
    return this.#registry.update(this.#tenant, id, patch)
  }

  remove(id: string): void {
    this.#registry.remove(this.#tenant, id)
  }

  get(id: string): Integration | undefined {
    return this.#registry.get(this.#tenant, id)
  }

  list(): Integration[] {
    return this.#registry.list(this.#tenant)
  }

  enable(id: string): Integration {
    return this.#registry.update(this.#tenant, id, { enabled: true })
  }

  disable(id: string): Integration {
    return this.#registry.update(this.#tenant, id, { enabled: false })
  }
}
