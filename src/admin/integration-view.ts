import type { Adapter } from '../adapters/adapter.js'
import { ValidationError } from '../errors/validation-error.js'
import type { Integration } from '../integrations/integration.js'
import { REDACTED } from '../integrations/redact-config.js'
import type { IntegrationView } from './admin-api-types.js'

/**
 * An integration as the API shows it: secret fields are taken out of `config` (the router has
 * already replaced their values with `[REDACTED]`), and `secrets` says which are set. A field
 * counts as secret when the adapter lists it, or when the router redacted it (an adapter the
 * handler was not given).
 */
export function toIntegrationView(
  integration: Integration,
  adapter: Adapter<unknown> | undefined,
): IntegrationView {
  const secretNames = new Set(adapter?.secretFields ?? [])
  for (const [key, value] of Object.entries(integration.config)) {
    if (value === REDACTED) secretNames.add(key)
  }
  const config: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(integration.config)) {
    if (!secretNames.has(key)) config[key] = value
  }
  const secrets: Record<string, boolean> = {}
  for (const name of secretNames) secrets[name] = integration.config[name] !== undefined
  return {
    id: integration.id,
    tenant: integration.tenant,
    type: integration.type,
    name: integration.name,
    enabled: integration.enabled,
    disabledReason: integration.disabledReason,
    pacing: integration.pacing ? { ...integration.pacing } : null,
    config,
    secrets,
    createdAt: integration.createdAt,
    updatedAt: integration.updatedAt,
  }
}

/**
 * `[REDACTED]` stands for a hidden value: a client that sends it back (a form filled from an
 * older answer) would store the placeholder as the credential. Refused.
 */
export function assertNoPlaceholder(config: unknown, what: string): void {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) return
  const issues = Object.entries(config)
    .filter(([, value]) => value === REDACTED)
    .map(([key]) => ({
      path: `config.${key}`,
      message: `\`${REDACTED}\` stands for a hidden secret: send the secret itself, or leave the field out to keep the current one`,
    }))
  if (issues.length > 0) throw new ValidationError(what, issues)
}
