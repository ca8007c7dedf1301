import pRetry, { AbortError } from 'p-retry'
import { DeliveryError, type DeliveryErrorCode } from '../errors/delivery-error.js'
import type { IntegrationRecord } from '../integrations/integration-registry.js'
import { SecretScrubber } from '../shared/secret-scrubber.js'
import type { DeliveryRecord } from '../stores/store.js'
import {
  type AttemptEnvironment,
  type AttemptTrace,
  attempt,
  label,
  scrubbed,
  unexpected,
} from './attempt.js'
import { backoff } from './backoff.js'
import type { BatchGate } from './batcher.js'
import type { AttemptRecord, DeliveryFailureReason, DeliveryResult } from './delivery.js'
import { routedEventOf } from './delivery-records.js'
import type { DeliveryGate, ParkReason } from './integration-lane.js'
import { integrationKeyOf } from './queues.js'
import type { RetryOptions } from './retry-options.js'

/** A failed attempt, as reported on the `attemptFailed` lifecycle event. */
export interface AttemptFailure {
  /** The delivery the attempt was for. */
  readonly delivery: DeliveryRecord['delivery']
  /** Attempt number, starting at 1. */
  readonly attempt: number
  /** Why the attempt failed: its `code`, and the response status or the underlying `cause`. */
  readonly error: DeliveryError
  /** Retries still allowed after this attempt. */
  readonly retriesLeft: number
  /** Whether another attempt follows. */
  readonly willRetry: boolean
  /** Wait before the next attempt in ms, or `null` when none follows. */
  readonly delayMs: number | null
  /** The delivery's attempts so far, this one last: when it started, how long it took, its status. */
  readonly history: readonly AttemptRecord[]
}

/** What a delivery run needs besides its record: narrow, so that it never calls back into the router. */
export interface RunEnvironment extends AttemptEnvironment {
  readonly retry: Readonly<RetryOptions>
  /** The integration with this key as it is now (its config may have changed since the event), or `undefined` once removed. */
  integration(key: string): IntegrationRecord | undefined
  /** Where attempts to this integration wait for pacing and admission. */
  gateFor(integration: IntegrationRecord): DeliveryGate
  /**
   * Where the attempts of a delivery in `queue` join a batch instead, or `undefined` when the
   * integration sends one request per delivery. @default none (no batching)
   */
  batcherFor?(integration: IntegrationRecord, queue: string): BatchGate | undefined
  /** Keeps the record's new state (after a failed attempt, before the next one). */
  persist(record: DeliveryRecord): void
  onAttemptFailed(failure: AttemptFailure): void
  /**
   * Whether a delivery stopped by `close()` before its next attempt stays pending in the store
   * (a durable store) rather than failing with reason `shutdown`.
   */
  readonly keepsPendingOnClose: boolean
}

/** How a run ends: the delivery settled, or it was left pending in the store by `close()`. */
export type RunOutcome =
  | { readonly kind: 'settled'; readonly record: DeliveryRecord; readonly result: DeliveryResult }
  | { readonly kind: 'released'; readonly record: DeliveryRecord }

/** Options of a run beyond its record. */
export interface RunOptions {
  /** A test send: attempts skip pacing through this gate, and the last request and response are traced. */
  readonly gate?: DeliveryGate
  readonly trace?: AttemptTrace
  /** The event is a test (adapters mark the request). */
  readonly test?: boolean
}

/** Thrown inside the retry loop when the gate parks the delivery instead of attempting it. */
class Parked extends Error {
  constructor(readonly reason: ParkReason) {
    super(reason)
  }
}

/** The reason a run's retry wait was cut short by `close()`. */
class Stopped extends Error {}

const PARKED_CODES = {
  shutdown: 'ERR_DELIVERY_ABORTED',
  circuit_open: 'ERR_CIRCUIT_OPEN',
  integration_disabled: 'ERR_INTEGRATION_DISABLED',
} as const satisfies Record<ParkReason, DeliveryErrorCode>

const PARKED_MESSAGES: Record<ParkReason, string> = {
  shutdown: 'the router closed before the delivery completed.',
  circuit_open: 'parked: the integration is suspended (circuit open) after repeated failures.',
  integration_disabled: 'parked: the integration is disabled or was removed.',
}

/**
 * Runs a claimed delivery to its outcome: each attempt waits in its integration's gate (pacing;
 * parked when the circuit is open, the integration disabled or the router closing), then is made.
 * Failed attempts are retried by p-retry on its own exponential schedule, with the delivery's
 * `jitter` folded into `minTimeout` so the delay is known (reported, and kept as the record's
 * `notBefore` for a restart); a restarted delivery resumes the schedule where its record stopped.
 * A throttled answer (429) pauses the gate instead and, within `throttledRetries`, uses up no
 * retry; a `Retry-After` longer than the backoff is waited for in full. Never rejects.
 */
export function runDelivery(
  claimed: DeliveryRecord,
  env: RunEnvironment,
  options: RunOptions = NO_OPTIONS,
): Promise<RunOutcome> {
  return new DeliveryRun(claimed, env, options).run()
}

const NO_OPTIONS: RunOptions = Object.freeze({})

/** One run of one delivery: its state between attempts, as methods rather than closures per run. */
class DeliveryRun {
  #record: DeliveryRecord
  readonly #env: RunEnvironment
  readonly #options: RunOptions
  #lastError: DeliveryError | undefined
  #decision: 'retry' | 'free' | undefined
  #reported: number
  /** The last attempt went in a batch, whose throttled answer paused the lane already. */
  #batched = false

  constructor(claimed: DeliveryRecord, env: RunEnvironment, options: RunOptions) {
    this.#record = claimed
    this.#env = env
    this.#options = options
    this.#reported = claimed.history.length
  }

  async run(): Promise<RunOutcome> {
    try {
      let status: number
      try {
        status = await this.#attemptOnce()
      } catch (first) {
        // Most deliveries succeed at once: p-retry, and its setup per call, only run for retries.
        if (first instanceof AbortError || this.#decide(first) === undefined) throw first
        status = await this.#retried(first)
      }
      return { kind: 'settled', record: this.#record, result: succeeded(this.#record, status) }
    } catch (thrown) {
      return this.#ended(thrown)
    }
  }

  async #attemptOnce(): Promise<number> {
    const env = this.#env
    const options = this.#options
    const record = this.#record
    // A disabled integration is parked by its gate (test sends, whose gate lets everything through, go on).
    const integration = env.integration(integrationKeyOf(record.queue))
    if (!integration) throw new AbortError(new Parked('integration_disabled'))
    const gate = options.gate ?? env.gateFor(integration)
    const event = routedEventOf(record)
    const job = {
      delivery: record.delivery,
      event: options.test ? { ...event, test: true } : event,
      adapter: integration.adapter,
      config: integration.integration.config,
      scrubber: integration.scrubber,
      ...(options.trace ? { trace: options.trace } : {}),
    }
    const number = Math.max(record.attempts, record.history.length + 1)
    // Test sends (their own gate) go alone; a batching integration's attempts join a batch.
    const batcher = options.gate === undefined ? env.batcherFor?.(integration, record.queue) : undefined
    this.#batched = batcher !== undefined
    const done = batcher
      ? await batcher.attempt(integration, job, number)
      : await gate.run(record.id, () => attempt(job, env, number))
    if (typeof done === 'string') throw new AbortError(new Parked(done))
    this.#record = { ...this.#record, attempts: number, history: [...this.#record.history, done.record] }
    if (typeof done.outcome === 'number') return done.outcome
    this.#lastError = done.outcome
    throw done.outcome.retryable ? done.outcome : new AbortError(done.outcome)
  }

  /** Whether the budget allows another attempt after this error: with a retry, free (throttled), or not. */
  #budget(error: unknown): 'retry' | 'free' | undefined {
    const { retry } = this.#env
    if (!(error instanceof DeliveryError) || !error.retryable) return undefined
    if (error.throttled && this.#record.throttledUsed < retry.throttledRetries) return 'free'
    return this.#record.retriesUsed < retry.retries ? 'retry' : undefined
  }

  /** Whether a failed attempt is retried in this process: not once close() has begun. */
  #decide(error: unknown): 'retry' | 'free' | undefined {
    return this.#env.shutdown.draining ? undefined : this.#budget(error)
  }

  /** The retries after a failed first attempt, on p-retry's schedule; resolves with the accepting status. */
  async #retried(first: unknown): Promise<number> {
    const { retry, shutdown } = this.#env
    const stop = new AbortController()
    const stopOnDrain = shutdown.onDrain(() => stop.abort(new Stopped()))
    // The first failure is handed to p-retry as its own first attempt, so that p-retry, not a
    // loop of ours, waits before the second one.
    let replay: unknown = first
    const base = retry.minTimeout * this.#record.jitter * retry.factor ** this.#record.retriesUsed
    try {
      return await pRetry(
        () => {
          if (replay === undefined) return this.#attemptOnce()
          const error = replay
          replay = undefined
          throw error
        },
        {
          // Our budget decides (shouldRetry); p-retry's limit only needs to stay out of the way.
          retries: retry.retries - this.#record.retriesUsed + 1,
          factor: retry.factor,
          minTimeout: base,
          maxTimeout: retry.maxTimeout,
          randomize: false,
          maxRetryTime: Number.POSITIVE_INFINITY,
          unref: false,
          signal: stop.signal,
          onFailedAttempt: ({ error, retriesConsumed }) => {
            this.#decision = this.#decide(error)
            if (this.#decision === undefined) return undefined
            // p-retry's own formula (calculateDelay with randomize off), so the delay reported is the one waited.
            const scheduled = Math.min(Math.round(base * retry.factor ** retriesConsumed), retry.maxTimeout)
            return this.#afterFailure(error as DeliveryError, this.#decision, scheduled, stop.signal)
          },
          shouldConsumeRetry: () => this.#decision === 'retry',
          shouldRetry: () => this.#decision !== undefined,
        },
      )
    } finally {
      stopOnDrain()
    }
  }

  /** Records a failed attempt that will be retried, reports it, and pauses or waits as the answer asks. */
  async #afterFailure(
    error: DeliveryError,
    how: 'retry' | 'free',
    scheduled: number,
    signal: AbortSignal,
  ): Promise<void> {
    const env = this.#env
    const { pauseMs, waitMs } = this.#scheduleRetry(error, how, scheduled)
    const record = this.#record
    env.persist(record)
    this.#reported = record.history.length
    env.onAttemptFailed({
      delivery: record.delivery,
      attempt: record.history.length,
      error,
      retriesLeft: env.retry.retries - record.retriesUsed,
      willRetry: true,
      delayMs: waitMs,
      history: record.history,
    })
    if (error.throttled && !this.#batched) {
      const integration = env.integration(integrationKeyOf(record.queue))
      if (integration) (this.#options.gate ?? env.gateFor(integration)).throttle(pauseMs)
    }
    // A Retry-After longer than the backoff: p-retry waits the backoff after this, we wait the rest.
    const extra = how === 'retry' && !error.throttled ? waitMs - scheduled : 0
    if (extra > 0) await wait(extra, signal)
  }

  /** Moves the record to its next attempt after `error`: the budget used, the wait, the attempt counted. */
  #scheduleRetry(error: DeliveryError, how: 'retry' | 'free', scheduled: number) {
    const { retry } = this.#env
    const record = this.#record
    const retriesUsed = record.retriesUsed + (how === 'retry' ? 1 : 0)
    const throttledUsed = record.throttledUsed + (how === 'free' ? 1 : 0)
    const asked =
      error.retryAfterMs === undefined ? undefined : Math.min(error.retryAfterMs, retry.maxTimeout)
    // A throttled destination is paused as a whole: this delivery waits in the queue with the others.
    const pauseMs = error.throttled
      ? (asked ?? backoff(how === 'free' ? throttledUsed - 1 : retriesUsed - 1, retry, record.jitter - 1))
      : 0
    const waitMs = how === 'free' ? pauseMs : Math.max(scheduled, asked ?? 0, pauseMs)
    this.#record = {
      ...record,
      retriesUsed,
      throttledUsed,
      // The next attempt is counted now: a crash during the wait leaves it to the next process.
      attempts: record.history.length + 1,
      notBefore: Date.now() + waitMs,
    }
    return { pauseMs, waitMs }
  }

  #ended(thrown: unknown): RunOutcome {
    const env = this.#env
    const cause = thrown instanceof AbortError ? thrown.originalError : thrown
    const parked = cause instanceof Parked ? cause.reason : undefined
    // Stopped by close() before the next attempt was made: waiting in the gate or to retry.
    const stopped = cause instanceof Stopped || parked === 'shutdown'
    if (env.keepsPendingOnClose && env.shutdown.draining) {
      if (stopped) return { kind: 'released', record: this.#record }
      // An attempt failed as close() began: its retry is scheduled for the next process.
      const how = this.#budget(cause)
      if (how !== undefined) {
        this.#scheduleRetry(
          cause as DeliveryError,
          how,
          backoff(this.#record.retriesUsed, env.retry, this.#record.jitter - 1),
        )
        return { kind: 'released', record: this.#record }
      }
    }
    const record = this.#record
    const lastError = this.#lastError
    const scrubber = env.integration(integrationKeyOf(record.queue))?.scrubber ?? SecretScrubber.NONE
    const last =
      cause instanceof DeliveryError
        ? cause
        : parked === undefined && !stopped
          ? (scrubbed(unexpected(cause, record.delivery), scrubber) as DeliveryError)
          : undefined
    let reason: DeliveryFailureReason
    let error: DeliveryError
    if (parked !== undefined || stopped) {
      const why: ParkReason = parked ?? 'shutdown'
      reason = why
      error = new DeliveryError(PARKED_CODES[why], `${label(record.delivery)}: ${PARKED_MESSAGES[why]}`, {
        retryable: false,
        ...(lastError ? { cause: lastError } : {}),
      })
    } else {
      const failed = last as DeliveryError
      error = failed
      reason = failed.retryable ? 'retries_exhausted' : 'not_retryable'
      if (env.shutdown.draining && (failed.retryable || failed.code === 'ERR_DELIVERY_ABORTED')) {
        reason = 'shutdown'
        if (failed.code !== 'ERR_DELIVERY_ABORTED') {
          error = new DeliveryError(
            'ERR_DELIVERY_ABORTED',
            `${label(record.delivery)}: the router closed before the delivery completed.`,
            { retryable: false, cause: failed },
          )
        }
      }
    }
    if (last && this.#reported < record.history.length) {
      env.onAttemptFailed({
        delivery: record.delivery,
        attempt: record.history.length,
        error: last,
        retriesLeft: env.retry.retries - record.retriesUsed,
        willRetry: false,
        delayMs: null,
        history: record.history,
      })
    }
    const startedAt = record.firstAttemptAt ?? Date.now()
    return {
      kind: 'settled',
      record,
      result: {
        status: 'failed',
        delivery: record.delivery,
        attempts: record.history.length,
        history: record.history,
        reason,
        error,
        startedAt,
        durationMs: Date.now() - startedAt,
      },
    }
  }
}

function succeeded(record: DeliveryRecord, responseStatus: number): DeliveryResult {
  const startedAt = record.firstAttemptAt ?? Date.now()
  return {
    status: 'succeeded',
    delivery: record.delivery,
    attempts: record.history.length,
    history: record.history,
    responseStatus,
    startedAt,
    durationMs: Date.now() - startedAt,
  }
}

/** Waits `ms`, or less when `signal` aborts (the run then ends as stopped). */
function wait(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal.reason)
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal.addEventListener('abort', onAbort, { once: true })
  })
}
