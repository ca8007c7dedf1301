import type { IntegrationRecord } from '../integrations/integration-registry.js'
import type { Subscription } from '../subscriptions/subscription.js'
import type { SecretSealer } from './secret-sealer.js'
import type { SealedSecrets, StoredIntegration, StoredSubscription } from './store.js'

/**
 * An integration as a store keeps it: its config without the adapter's secret fields, which are
 * sealed by `sealer` (kept as they are without one: a store that is not durable).
 */
export function toStoredIntegration(
  record: IntegrationRecord,
  tenant: string | null,
  sealer: SecretSealer | undefined,
): StoredIntegration {
  const { integration, adapter } = record
  const config: Record<string, unknown> = {}
  const secretValues: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(integration.config)) {
    if (adapter.secretFields.includes(key)) secretValues[key] = value
    else config[key] = value
  }
  const owner = { tenant, integrationId: integration.id, type: integration.type }
  const secrets: SealedSecrets = sealer
    ? sealer.seal(secretValues, owner)
    : { format: 'plain', values: secretValues }
  return {
    tenant,
    id: integration.id,
    type: integration.type,
    name: integration.name,
    config,
    secrets,
    enabled: integration.enabled,
    disabledReason: integration.disabledReason,
    pacing: integration.pacing,
    ...(integration.batching ? { batching: integration.batching } : {}),
    createdAt: integration.createdAt,
    updatedAt: integration.updatedAt,
  }
}

/** A subscription as a store keeps it. */
export function toStoredSubscription(subscription: Subscription, tenant: string | null): StoredSubscription {
  return {
    tenant,
    id: subscription.id,
    event: subscription.event,
    integrationId: subscription.integrationId,
    filter: subscription.filter as Readonly<Record<string, unknown>>,
    eventNamePrefix: subscription.eventNamePrefix,
    enabled: subscription.enabled,
    createdAt: subscription.createdAt,
    updatedAt: subscription.updatedAt,
  }
}
