import { z } from 'zod'
import type { Adapter } from '../adapters/adapter.js'
import type { Pacing } from '../delivery/pacing.js'
import { pacingSchema } from '../delivery/pacing.js'
import { ConflictError } from '../errors/conflict-error.js'
import { NotFoundError } from '../errors/not-found-error.js'
import { parseInput } from '../errors/parse-input.js'
import { generateId, idSchema } from '../router/ids.js'
import type { Integration, IntegrationInput, IntegrationPatch } from './integration.js'
import { redactConfig } from './redact-config.js'
import { secretValues } from './redact-request.js'

/** What `router.integrations` offers: the configured destinations, editable at run time. */
export interface Integrations {
  /** Adds an integration. Throws `ValidationError`, `NotFoundError` (unknown adapter type) or `ConflictError` (duplicate id); nothing changes then. */
  add(input: IntegrationInput): Integration
  /** Changes an integration's config, name or status. A rejected patch changes nothing. */
  update(id: string, patch: IntegrationPatch): Integration
  /** Removes an integration. Throws `ConflictError` (`ERR_INTEGRATION_IN_USE`) while subscriptions use it. */
  remove(id: string): void
  /** The integration with this id (secrets redacted), or `undefined`. */
  get(id: string): Integration | undefined
  /** Every integration, in the order they were added (secrets redacted). */
  list(): Integration[]
  /** Enables an integration. */
  enable(id: string): Integration
  /** Disables an integration: its subscriptions are skipped with reason `integration_disabled`. */
  disable(id: string): Integration
}

/** What a snapshot restores beyond the input: creation and change times, why it was disabled. */
export interface Timestamps {
  readonly createdAt: string
  readonly updatedAt: string
  readonly disabledReason?: string | null
}

/** An integration with what the router needs to deliver to it. */
export interface IntegrationRecord {
  /** Unredacted integration. */
  readonly integration: Integration
  /** What `get()`/`list()` return. */
  readonly redacted: Integration
  readonly adapter: Adapter<unknown>
  /** Credential values found in the config's secret fields, longest first. */
  readonly secrets: readonly string[]
}

const inputSchema = z.strictObject({
  id: idSchema.optional(),
  type: z.string().min(1, 'expected an adapter type'),
  config: z.record(z.string(), z.unknown(), 'expected an object'),
  name: z.string().max(200).nullable().optional(),
  enabled: z.boolean().optional(),
  pacing: pacingSchema.nullable().optional(),
})

const patchSchema = z.strictObject({
  config: z.record(z.string(), z.unknown(), 'expected an object').optional(),
  name: z.string().max(200).nullable().optional(),
  enabled: z.boolean().optional(),
  pacing: pacingSchema.nullable().optional(),
})

/** The integration registry behind `router.integrations`. */
export class IntegrationStore implements Integrations {
  readonly #adapters: ReadonlyMap<string, Adapter<unknown>>
  readonly #records = new Map<string, IntegrationRecord>()
  readonly #usersOf: (integrationId: string) => string[]
  readonly #onChange: (id: string, record: IntegrationRecord | undefined) => void

  /**
   * @param adapters registered adapters by type
   * @param usersOf ids of the subscriptions that use an integration
   * @param onChange called after an integration was added, changed (the new record) or removed (`undefined`)
   */
  constructor(
    adapters: ReadonlyMap<string, Adapter<unknown>>,
    usersOf: (integrationId: string) => string[],
    onChange: (id: string, record: IntegrationRecord | undefined) => void = () => {},
  ) {
    this.#adapters = adapters
    this.#usersOf = usersOf
    this.#onChange = onChange
  }

  /** @param restored timestamps kept when restoring a snapshot */
  add(input: IntegrationInput, restored?: Timestamps): Integration {
    const parsed = parseInput(inputSchema, input, 'integration')
    const id = parsed.id ?? generateId()
    if (this.#records.has(id)) {
      throw new ConflictError(
        'ERR_DUPLICATE_ID',
        'id',
        `An integration with id \`${id}\` already exists (id).`,
      )
    }
    const adapter = this.#adapters.get(parsed.type)
    if (!adapter) {
      const known = [...this.#adapters.keys()].map((type) => `\`${type}\``).join(', ') || 'none'
      throw new NotFoundError('adapter', parsed.type, 'type', `Registered adapter types: ${known}.`)
    }
    const now = new Date().toISOString()
    return this.#store(adapter, {
      id,
      type: parsed.type,
      name: parsed.name ?? null,
      config: parseConfig(adapter, parsed.config),
      enabled: parsed.enabled ?? true,
      disabledReason: (parsed.enabled === false && restored?.disabledReason) || null,
      pacing: (parsed.pacing as Pacing | null | undefined) ?? null,
      createdAt: restored?.createdAt ?? now,
      updatedAt: restored?.updatedAt ?? now,
    })
  }

  update(id: string, patch: IntegrationPatch): Integration {
    return this.#update(id, patch, null)
  }

  /** Disables an integration on the destination's word, keeping why (`disabledReason`). */
  disableBecause(id: string, reason: string): Integration {
    return this.#update(id, { enabled: false }, reason)
  }

  #update(id: string, patch: IntegrationPatch, disabledReason: string | null): Integration {
    const record = this.#require(id)
    const parsed = parseInput(patchSchema, patch, 'integration patch')
    const current = record.integration
    let config = current.config
    if (parsed.config !== undefined) {
      const merged: Record<string, unknown> = { ...current.config }
      for (const [key, value] of Object.entries(parsed.config)) {
        if (value === undefined) delete merged[key]
        else merged[key] = value
      }
      config = parseConfig(record.adapter, merged)
    }
    return this.#store(record.adapter, {
      ...current,
      config,
      name: parsed.name === undefined ? current.name : parsed.name,
      enabled: parsed.enabled ?? current.enabled,
      disabledReason:
        disabledReason ?? (parsed.enabled === true || current.enabled ? null : current.disabledReason),
      pacing: parsed.pacing === undefined ? current.pacing : ((parsed.pacing as Pacing | null) ?? null),
      updatedAt: new Date().toISOString(),
    })
  }

  remove(id: string): void {
    this.#require(id)
    const users = this.#usersOf(id)
    if (users.length > 0) {
      throw new ConflictError(
        'ERR_INTEGRATION_IN_USE',
        'id',
        `Integration \`${id}\` (id) is used by subscription(s) ${users.map((u) => `\`${u}\``).join(', ')}; remove them or move them to another integration first.`,
      )
    }
    this.#records.delete(id)
    this.#onChange(id, undefined)
  }

  get(id: string): Integration | undefined {
    return this.#records.get(id)?.redacted
  }

  list(): Integration[] {
    return [...this.#records.values()].map((record) => record.redacted)
  }

  enable(id: string): Integration {
    return this.update(id, { enabled: true })
  }

  disable(id: string): Integration {
    return this.update(id, { enabled: false })
  }

  /** The full record (unredacted config, adapter) for delivery and persistence. */
  record(id: string): IntegrationRecord | undefined {
    return this.#records.get(id)
  }

  /** Every record, in insertion order. */
  records(): IterableIterator<IntegrationRecord> {
    return this.#records.values()
  }

  #require(id: string): IntegrationRecord {
    const record = this.#records.get(id)
    if (!record) throw new NotFoundError('integration', id, 'id')
    return record
  }

  #store(adapter: Adapter<unknown>, integration: Integration): Integration {
    const frozen = Object.freeze({
      ...integration,
      config: Object.freeze(integration.config),
      pacing: integration.pacing && Object.freeze({ ...integration.pacing }),
    })
    const redacted = Object.freeze({ ...frozen, config: redactConfig(frozen.config, adapter.secretFields) })
    const secrets = Object.freeze(secretValues(frozen.config, adapter.secretFields))
    const record = { integration: frozen, redacted, adapter, secrets }
    this.#records.set(frozen.id, record)
    this.#onChange(frozen.id, record)
    return redacted
  }
}

function parseConfig(adapter: Adapter<unknown>, config: Record<string, unknown>): Record<string, unknown> {
  return parseInput(
    adapter.configSchema,
    config,
    `config for adapter \`${adapter.type}\``,
    'config',
  ) as Record<string, unknown>
}
