import { EventRouterError } from './event-router-error.js'

/**
 * Thrown when a tenant already has as many integrations or subscriptions as its quota allows
 * (`tenants.maxIntegrations`, `tenants.maxSubscriptions`, or `tenants.limits(tenant)`). Nothing
 * was added.
 */
export class QuotaExceededError extends EventRouterError {
  override readonly code = 'ERR_QUOTA_EXCEEDED' as const
  /** What the quota counts. */
  readonly resource: 'integrations' | 'subscriptions'
  /** The quota. */
  readonly limit: number

  constructor(resource: 'integrations' | 'subscriptions', limit: number, tenant: string | null) {
    super(
      'ERR_QUOTA_EXCEEDED',
      `Cannot add: ${tenant === null ? 'the platform' : `tenant \`${tenant}\``} already has ${limit} ${resource}, its quota. Remove one, or raise the quota (option tenants).`,
    )
    this.name = 'QuotaExceededError'
    this.resource = resource
    this.limit = limit
  }
}
