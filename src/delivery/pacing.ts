import { z } from 'zod'

/**
 * How fast the router sends to one integration. Every attempt (first tries and retries)
 * waits for a free slot. An adapter declares defaults (Klaviyo's published rate limits, for
 * example); an integration's `pacing` overrides them field by field, and `null` removes a
 * limit the adapter declared.
 */
export interface Pacing {
  /** Most attempts to the integration in flight at once. @default the adapter's, else 16 */
  concurrency?: number
  /** Most attempts started in any rolling second, or `null` for no limit. @default the adapter's, else none */
  perSecond?: number | null
  /** Most attempts started in any rolling minute, or `null` for no limit. @default the adapter's, else none */
  perMinute?: number | null
}

/** Pacing with every default applied. */
export interface ResolvedPacing {
  readonly concurrency: number
  readonly perSecond: number | null
  readonly perMinute: number | null
}

/** Concurrency of an integration whose adapter and config declare none. */
export const DEFAULT_CONCURRENCY = 16

const count = (max: number) =>
  z
    .number('expected a positive integer')
    .int('expected a positive integer')
    .min(1, 'expected a positive integer')
    .max(max, `expected at most ${max}`)

/** zod schema of {@link Pacing}, shared by adapters and integrations. */
export const pacingSchema = z.strictObject({
  concurrency: count(10_000).optional(),
  perSecond: count(1_000_000).nullable().optional(),
  perMinute: count(60_000_000).nullable().optional(),
})

/** The pacing of an integration: its own settings over its adapter's over the defaults. */
export function resolvePacing(
  adapter: Pacing | undefined,
  integration: Pacing | null | undefined,
): ResolvedPacing {
  return {
    concurrency: integration?.concurrency ?? adapter?.concurrency ?? DEFAULT_CONCURRENCY,
    perSecond: pick(integration?.perSecond, adapter?.perSecond),
    perMinute: pick(integration?.perMinute, adapter?.perMinute),
  }
}

function pick(own: number | null | undefined, inherited: number | null | undefined): number | null {
  return own === undefined ? (inherited ?? null) : own
}
