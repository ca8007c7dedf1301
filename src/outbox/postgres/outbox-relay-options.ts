import { z } from 'zod'
import { backoff } from '../../delivery/backoff.js'
import { DEFAULT_RETRY_OPTIONS } from '../../delivery/retry-options.js'
import { parseInput } from '../../errors/parse-input.js'
import { describe } from '../../events/event-name.js'
import { assertNoForbiddenKeys } from '../../shared/json-data.js'

/** An exponential backoff: `min(maxTimeout, minTimeout * factor ** n * jitter)`, jitter in [1, 2). */
export interface RelayBackoff {
  /** Delay after the first failure, in ms. @default 1000 for `retry`, 100 for `reconnect` */
  minTimeout?: number
  /** Upper bound of any delay, in ms. @default 60000 for `retry`, 5000 for `reconnect` */
  maxTimeout?: number
  /** Exponential factor. @default 2 */
  factor?: number
}

/** Options of `outbox.relay(router, options)`. */
export interface OutboxRelayOptions {
  /**
   * Most rows claimed (and emitted) in one database transaction.
   * @default 100
   */
  batchSize?: number
  /**
   * How often the relay looks for due rows without being notified: the fallback when a
   * notification is lost (the LISTEN connection was down, `notify: false`), and how soon a row
   * whose retry delay has passed is claimed again.
   * @default 1000
   */
  pollIntervalMs?: number
  /**
   * Whether the relay holds a connection that LISTENs to the outbox's channel, so that a commit
   * that published wakes it at once. Turn it off behind a pooler in transaction mode (PgBouncer),
   * where LISTEN does not work: the relay then polls.
   * @default true
   */
  listen?: boolean
  /**
   * Delays before a row whose `emit()` failed for a reason that can pass (`BackpressureError`,
   * `StoreError`, a router not started yet) is emitted again. Meanwhile the relay pauses.
   * Such rows are retried until they are relayed: none is ever dropped.
   * @default { minTimeout: 1000, maxTimeout: 60000, factor: 2 }
   */
  retry?: RelayBackoff
  /**
   * Delays between attempts to reach the database again after it was lost (a restart, a
   * failover, the network).
   * @default { minTimeout: 100, maxTimeout: 5000, factor: 2 }
   */
  reconnect?: RelayBackoff
  /**
   * How long relayed rows are kept before the relay deletes them, in ms; `false` keeps them.
   * Failed rows are never deleted. Keep it above the router's `eventIdRetentionMs`.
   * @default 604800000 (7 days)
   */
  retentionMs?: number | false
  /**
   * How often the relay deletes the relayed rows older than `retentionMs`: checked after every
   * batch, so a relay that never catches up prunes too; the first time after its first batch.
   * @default 600000 (10 minutes)
   */
  pruneIntervalMs?: number
}

/** {@link OutboxRelayOptions} after validation, with defaults applied. */
export interface ResolvedOutboxRelayOptions {
  readonly batchSize: number
  readonly pollIntervalMs: number
  readonly listen: boolean
  readonly retry: Readonly<Required<RelayBackoff>>
  readonly reconnect: Readonly<Required<RelayBackoff>>
  readonly retentionMs: number | false
  readonly pruneIntervalMs: number
}

/** The defaults of {@link OutboxRelayOptions}. */
export const OUTBOX_RELAY_DEFAULTS = {
  /** {@link OutboxRelayOptions.batchSize}: 100 rows per transaction. */
  batchSize: 100,
  /** {@link OutboxRelayOptions.pollIntervalMs}: 1 second. */
  pollIntervalMs: 1000,
  /** {@link OutboxRelayOptions.listen}: LISTEN to the outbox's channel. */
  listen: true,
  /** {@link OutboxRelayOptions.retry}: from 1 second, doubling, up to 1 minute. */
  retry: {
    /** First delay: 1 second. */
    minTimeout: 1000,
    /** Longest delay: 1 minute. */
    maxTimeout: 60_000,
    /** Each delay doubles. */
    factor: 2,
  },
  /** {@link OutboxRelayOptions.reconnect}: from 100 ms, doubling, up to 5 seconds. */
  reconnect: {
    /** First delay: 100 ms. */
    minTimeout: 100,
    /** Longest delay: 5 seconds. */
    maxTimeout: 5000,
    /** Each delay doubles. */
    factor: 2,
  },
  /** {@link OutboxRelayOptions.retentionMs}: relayed rows are kept 7 days. */
  retentionMs: 7 * 24 * 60 * 60 * 1000,
  /** {@link OutboxRelayOptions.pruneIntervalMs}: pruned at most every 10 minutes. */
  pruneIntervalMs: 10 * 60 * 1000,
} as const

const MAX_TIMER = 2_147_483_647

/** A number option: `expected an integer from 1 to 10000, got \`0\` (number)`. */
const numberOption = (min: number, max: number, integer = true, orFalse = false) =>
  z.unknown().superRefine((value, context) => {
    if (orFalse && value === false) return
    const valid =
      typeof value === 'number' &&
      (integer ? Number.isInteger(value) : Number.isFinite(value)) &&
      value >= min
    if (valid && value <= max) return
    const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`
    context.addIssue({
      code: 'custom',
      message: `expected ${integer ? 'an integer' : 'a number'} ${range}${orFalse ? ', or false' : ''}, got ${describe(value)}`,
    })
  })

const backoffSchema = z
  .strictObject(
    {
      minTimeout: numberOption(0, MAX_TIMER).optional(),
      maxTimeout: numberOption(0, MAX_TIMER).optional(),
      factor: numberOption(1, 100, false).optional(),
    },
    'expected { minTimeout?, maxTimeout?, factor? }',
  )
  .refine(
    (value) => Number(value.minTimeout ?? 0) <= Number(value.maxTimeout ?? MAX_TIMER),
    'expected minTimeout <= maxTimeout',
  )
  .optional()
const optionsSchema = z.strictObject(
  {
    batchSize: numberOption(1, 10_000).optional(),
    pollIntervalMs: numberOption(1, MAX_TIMER).optional(),
    listen: z.boolean().optional(),
    retry: backoffSchema,
    reconnect: backoffSchema,
    retentionMs: numberOption(0, Number.MAX_SAFE_INTEGER, true, true).optional(),
    pruneIntervalMs: numberOption(1, MAX_TIMER).optional(),
  },
  'expected an options object { batchSize?, pollIntervalMs?, listen?, retry?, reconnect?, retentionMs?, pruneIntervalMs? }',
)

/** Validates options and applies defaults. Throws `ValidationError` naming the option. */
export function resolveOutboxRelayOptions(options: OutboxRelayOptions): ResolvedOutboxRelayOptions {
  parseInput(optionsSchema, options, 'outbox relay options')
  assertNoForbiddenKeys(options, 'outbox relay options', '')
  const defaults = OUTBOX_RELAY_DEFAULTS
  return {
    batchSize: options.batchSize ?? defaults.batchSize,
    pollIntervalMs: options.pollIntervalMs ?? defaults.pollIntervalMs,
    listen: options.listen ?? defaults.listen,
    retry: Object.freeze(withDefaults(options.retry, defaults.retry)),
    reconnect: Object.freeze(withDefaults(options.reconnect, defaults.reconnect)),
    retentionMs: options.retentionMs ?? defaults.retentionMs,
    pruneIntervalMs: options.pruneIntervalMs ?? defaults.pruneIntervalMs,
  }
}

function withDefaults(
  given: RelayBackoff | undefined,
  defaults: Required<RelayBackoff>,
): Required<RelayBackoff> {
  const minTimeout = given?.minTimeout ?? defaults.minTimeout
  return {
    minTimeout,
    // A minTimeout above the default maximum raises the maximum with it.
    maxTimeout: given?.maxTimeout ?? Math.max(defaults.maxTimeout, minTimeout),
    factor: given?.factor ?? defaults.factor,
  }
}

/** The delay before retry number `retryIndex` (0 for the first), with jitter in [1, 2). */
export function relayDelay(retryIndex: number, policy: Readonly<Required<RelayBackoff>>): number {
  return backoff(retryIndex, { ...DEFAULT_RETRY_OPTIONS, ...policy, randomize: true })
}
