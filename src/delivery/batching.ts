import { z } from 'zod'
import type { Adapter } from '../adapters/adapter.js'
import { MAX_LINGER_MS } from '../adapters/define-batching.js'
import { ValidationError } from '../errors/validation-error.js'
import type { IntegrationRecord } from '../integrations/integration-registry.js'
import { type Pacing, pacingSchema, type ResolvedPacing, resolvePacing } from './pacing.js'

/**
 * How an integration batches, over its adapter's batching (see `AdapterBatching`). Only
 * integrations of an adapter that batches can batch; there it is on unless `enabled` is
 * `false`. Every field is optional and falls back to the adapter's.
 */
export interface Batching {
  /** Whether deliveries go in batches. @default true (for an adapter that batches) */
  enabled?: boolean
  /** Most deliveries per request, at most the adapter's. @default the adapter's `maxItems` */
  maxItems?: number
  /** Largest request body in bytes, at most the adapter's. @default the adapter's `maxBytes` */
  maxBytes?: number
  /** How long a batch that is not full waits for more, in ms (0–60,000). @default the adapter's (100) */
  lingerMs?: number
  /** Pacing of the bulk endpoint (a batch is one request), over the adapter's. @default the adapter's batching pacing */
  pacing?: Pacing
}

/** The batching of an integration that batches, with every default applied. */
export interface ResolvedBatching {
  readonly maxItems: number
  readonly maxBytes: number
  readonly lingerMs: number
  readonly pacing: ResolvedPacing
}

const positive = z.number('expected a positive integer').int('expected a positive integer').min(1)

/** zod schema of {@link Batching}. */
export const batchingSchema = z.strictObject({
  enabled: z.boolean('expected a boolean').optional(),
  maxItems: positive.optional(),
  maxBytes: positive.optional(),
  lingerMs: z
    .number('expected a number of ms')
    .int('expected a whole number of ms')
    .min(0, 'expected at least 0')
    .max(MAX_LINGER_MS, `expected at most ${MAX_LINGER_MS}`)
    .optional(),
  pacing: pacingSchema.optional(),
})

/**
 * Throws a `ValidationError` when an integration's batching does not fit its adapter: batching
 * asked of an adapter without a bulk endpoint, or limits above the adapter's (the destination's).
 */
export function assertBatchingFits(adapter: Adapter<unknown>, batching: Batching | null | undefined): void {
  if (!batching) return
  const own = adapter.batching
  const issues: { path: string; message: string }[] = []
  if (!own) {
    if (batching.enabled !== false && Object.keys(batching).some((key) => key !== 'enabled')) {
      issues.push({
        path: 'batching',
        message: `adapter \`${adapter.type}\` sends one request per delivery and cannot batch; leave \`batching\` out`,
      })
    } else if (batching.enabled === true) {
      issues.push({
        path: 'batching.enabled',
        message: `adapter \`${adapter.type}\` sends one request per delivery and cannot batch`,
      })
    }
  } else {
    if (batching.maxItems !== undefined && batching.maxItems > own.maxItems) {
      issues.push({
        path: 'batching.maxItems',
        message: `expected at most ${own.maxItems}, the most adapter \`${adapter.type}\` sends in one request`,
      })
    }
    if (batching.maxBytes !== undefined && batching.maxBytes > own.maxBytes) {
      issues.push({
        path: 'batching.maxBytes',
        message: `expected at most ${own.maxBytes}, the largest request adapter \`${adapter.type}\` may send`,
      })
    }
  }
  if (issues.length > 0) throw new ValidationError('integration', issues)
}

// Integration records are replaced on every change: one resolution per record.
const resolved = new WeakMap<IntegrationRecord, ResolvedBatching | null>()

/** The batching of an integration, or `undefined` when it sends one request per delivery. */
export function resolveBatching(integration: IntegrationRecord): ResolvedBatching | undefined {
  let known = resolved.get(integration)
  if (known === undefined) {
    known = resolveOnce(integration)
    resolved.set(integration, known)
  }
  return known ?? undefined
}

function resolveOnce(integration: IntegrationRecord): ResolvedBatching | null {
  const own = integration.adapter.batching
  const settings = integration.integration.batching
  if (!own || settings?.enabled === false) return null
  return {
    maxItems: Math.min(settings?.maxItems ?? own.maxItems, own.maxItems),
    maxBytes: Math.min(settings?.maxBytes ?? own.maxBytes, own.maxBytes),
    lingerMs: settings?.lingerMs ?? own.lingerMs,
    pacing: resolvePacing(own.pacing, settings?.pacing),
  }
}

/**
 * The pacing of an integration's lane: its bulk endpoint's when it batches (a batch is one
 * request), else its own over its adapter's.
 */
export function lanePacing(integration: IntegrationRecord): ResolvedPacing {
  return (
    resolveBatching(integration)?.pacing ??
    resolvePacing(integration.adapter.pacing, integration.integration.pacing)
  )
}
