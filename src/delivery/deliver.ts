import pRetry, { AbortError } from 'p-retry'
import type { Adapter, AdapterRequestContext } from '../adapters/adapter.js'
import { BlockedDestinationError } from '../errors/blocked-destination-error.js'
import { DeliveryError } from '../errors/delivery-error.js'
import type { RoutedEvent } from '../events/routed-event.js'
import { REDACTED } from '../integrations/redact-config.js'
import type { Transport, TransportRequest, TransportResponse } from '../transport/transport.js'
import { backoff } from './backoff.js'
import type { AttemptRecord, Delivery, DeliveryFailureReason, DeliveryResult } from './delivery.js'
import type { RetryOptions } from './retry-options.js'
import type { Shutdown } from './shutdown.js'

/** Longest response body excerpt kept on errors, in characters. */
export const BODY_EXCERPT_LENGTH = 2048

/** One delivery to perform. */
export interface DeliveryJob {
  readonly delivery: Delivery
  readonly event: RoutedEvent
  readonly adapter: Adapter<unknown>
  /** The integration config as it was when the event was emitted. */
  readonly config: unknown
  /** Credential values of the integration: scrubbed from response excerpts and reasons. */
  readonly secrets: readonly string[]
  /** When given, receives the last request sent and the last response (test sends). */
  readonly trace?: DeliveryTrace
}

/** The last request and response of a delivery, filled in when a job asks for it. */
export interface DeliveryTrace {
  request?: TransportRequest
  response?: TransportResponse
}

/** A failed attempt, as reported on the `attemptFailed` lifecycle event. */
export interface AttemptFailure {
  readonly delivery: Delivery
  /** Attempt number, starting at 1. */
  readonly attempt: number
  readonly error: DeliveryError
  /** Retries still allowed after this attempt. */
  readonly retriesLeft: number
  /** Whether another attempt follows. */
  readonly willRetry: boolean
  /** Wait before the next attempt in ms, or `null` when none follows. */
  readonly delayMs: number | null
}

/** What the delivery loop needs from the router. */
export interface DeliveryEnvironment {
  readonly transport: Transport
  readonly timeoutMs: number
  readonly retry: Readonly<RetryOptions>
  /** Aborted when `close()` gives up waiting: pending attempts and waits stop. */
  readonly shutdown: Shutdown
  readonly onAttemptFailed: (failure: AttemptFailure) => void
}

/**
 * Delivers one event to one integration: builds the request with the adapter, sends it
 * through the transport with a fresh AbortController per attempt (aborted at
 * `timeoutMs`), classifies the response, and retries with p-retry. Never rejects: every
 * delivery resolves to exactly one {@link DeliveryResult}.
 */
export async function deliver(job: DeliveryJob, env: DeliveryEnvironment): Promise<DeliveryResult> {
  const startedAt = Date.now()
  const started = performance.now()
  let attempts = 0
  let notified = 0
  let responseStatus = 0
  const history: AttemptRecord[] = []

  const runAttempt = async (attempt: number): Promise<void> => {
    attempts = attempt
    const context: AdapterRequestContext<unknown> = {
      event: job.event,
      config: job.config,
      delivery: job.delivery,
      attempt,
    }
    const attemptStartedAt = Date.now()
    const attemptStarted = performance.now()
    const outcome = await attemptOnce(job, context, env)
    const durationMs = performance.now() - attemptStarted
    if (outcome instanceof DeliveryError) {
      history.push({
        attempt,
        startedAt: attemptStartedAt,
        durationMs,
        status: outcome.status ?? null,
        errorCode: outcome.code,
        errorMessage: outcome.message,
        responseBodyExcerpt: outcome.responseBodyExcerpt ?? null,
      })
      throw outcome.retryable ? outcome : new AbortError(outcome)
    }
    history.push({
      attempt,
      startedAt: attemptStartedAt,
      durationMs,
      status: outcome,
      errorCode: null,
      errorMessage: null,
      responseBodyExcerpt: null,
    })
    responseStatus = outcome
  }

  /** Reports a failed attempt that will be retried, then waits before the retry. */
  const waitBeforeRetry = async (
    error: unknown,
    attempt: number,
    retriesLeft: number,
    retryIndex: number,
  ) => {
    if (retriesLeft <= 0 || !(error instanceof DeliveryError)) return
    const delayMs =
      error.retryAfterMs === undefined
        ? backoff(retryIndex, env.retry)
        : Math.min(error.retryAfterMs, env.retry.maxTimeout)
    notified = attempt
    env.onAttemptFailed({
      delivery: job.delivery,
      attempt,
      error,
      retriesLeft: retriesLeft - 1,
      willRetry: true,
      delayMs,
    })
    await sleep(delayMs, env.shutdown)
  }

  try {
    try {
      await runAttempt(1)
    } catch (first) {
      // Most deliveries succeed at once: p-retry, and its setup per call, only run for retries.
      if (first instanceof AbortError) throw first.originalError
      if (!(first instanceof DeliveryError) || env.retry.retries === 0) throw first
      await waitBeforeRetry(first, 1, env.retry.retries, 0)
      await pRetry((retry) => runAttempt(retry + 1), {
        retries: env.retry.retries - 1,
        // p-retry has no hook for a per-error delay (Retry-After), so its own wait is zero
        // and the wait happens in onFailedAttempt, where the error is known.
        factor: 1,
        minTimeout: 0,
        maxTimeout: 0,
        maxRetryTime: Number.POSITIVE_INFINITY,
        randomize: false,
        unref: false,
        shouldRetry: () => true,
        shouldConsumeRetry: () => true,
        onFailedAttempt: ({ error, attemptNumber, retriesLeft, retriesConsumed }) =>
          waitBeforeRetry(error, attemptNumber + 1, retriesLeft, retriesConsumed + 1),
      })
    }
    return {
      status: 'succeeded',
      delivery: job.delivery,
      attempts,
      history,
      responseStatus,
      startedAt,
      durationMs: performance.now() - started,
    }
  } catch (thrown) {
    const last = thrown instanceof DeliveryError ? thrown : unexpected(thrown, job)
    let reason: DeliveryFailureReason = last.retryable ? 'retries_exhausted' : 'not_retryable'
    let error = last
    if (env.shutdown.triggered) {
      reason = 'shutdown'
      error =
        last.code === 'ERR_DELIVERY_ABORTED'
          ? last
          : new DeliveryError(
              'ERR_DELIVERY_ABORTED',
              `${label(job)}: the router closed before the delivery completed.`,
              {
                retryable: false,
                cause: last,
              },
            )
    }
    if (notified < attempts) {
      env.onAttemptFailed({
        delivery: job.delivery,
        attempt: attempts,
        error: last,
        retriesLeft: reason === 'retries_exhausted' ? 0 : Math.max(0, env.retry.retries - attempts + 1),
        willRetry: false,
        delayMs: null,
      })
    }
    return {
      status: 'failed',
      delivery: job.delivery,
      attempts,
      history,
      reason,
      error,
      startedAt,
      durationMs: performance.now() - started,
    }
  }
}

/** One attempt: resolves with the accepting status, or with the error of the attempt. */
async function attemptOnce(
  job: DeliveryJob,
  context: AdapterRequestContext<unknown>,
  env: DeliveryEnvironment,
): Promise<number | DeliveryError> {
  let request: TransportRequest
  try {
    request = await job.adapter.buildRequest(context)
  } catch (error) {
    return new DeliveryError(
      'ERR_ADAPTER',
      `${label(job)}: the adapter could not build the request: ${message(error)}`,
      {
        retryable: false,
        cause: error,
      },
    )
  }
  // Parsing the URL costs more than the rest of an attempt's bookkeeping: only for messages.
  const target = () => `${request.method} ${safeOrigin(request.url)}`
  if (env.shutdown.triggered) {
    return new DeliveryError('ERR_DELIVERY_ABORTED', `${label(job)}: the router closed before ${target()}.`, {
      retryable: false,
    })
  }

  const controller = new AbortController()
  // The same callbacks that abort the request also settle the attempt, so that a transport
  // ignoring its signal cannot hold it past the TTL (no listener on the signal needed).
  let giveUp!: (reason: unknown) => void
  const stopped = new Promise<never>((_, reject) => {
    giveUp = reject
  })
  const abort = () => {
    controller.abort()
    giveUp(controller.signal.reason)
  }
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    abort()
  }, env.timeoutMs)
  timer.unref?.()
  const stopOnShutdown = env.shutdown.onTrigger(abort)

  if (job.trace) {
    job.trace.request = request
    delete job.trace.response
  }
  let response: TransportResponse
  try {
    response = await Promise.race([send(env.transport, request, controller.signal), stopped])
    if (job.trace) job.trace.response = response
  } catch (error) {
    if (timedOut) {
      return new DeliveryError(
        'ERR_ATTEMPT_TIMEOUT',
        `${label(job)}: ${target()} took longer than ${env.timeoutMs} ms.`,
        {
          retryable: true,
          cause: error,
        },
      )
    }
    if (env.shutdown.triggered) {
      return new DeliveryError(
        'ERR_DELIVERY_ABORTED',
        `${label(job)}: ${target()} was aborted because the router closed.`,
        {
          retryable: false,
          cause: error,
        },
      )
    }
    const blocked = blockedIn(error)
    if (blocked) {
      return new DeliveryError(
        'ERR_BLOCKED_DESTINATION',
        `${label(job)}: ${target()} refused: ${blocked.message}`,
        {
          retryable: false,
          cause: blocked,
        },
      )
    }
    return new DeliveryError('ERR_NETWORK', `${label(job)}: ${target()} failed: ${message(error)}`, {
      retryable: true,
      cause: error,
    })
  } finally {
    clearTimeout(timer)
    stopOnShutdown()
  }

  let classification: ReturnType<typeof job.adapter.classifyResponse>
  try {
    classification = job.adapter.classifyResponse(response, context)
  } catch (error) {
    return new DeliveryError(
      'ERR_ADAPTER',
      `${label(job)}: the adapter could not classify the response: ${message(error)}`,
      {
        retryable: false,
        cause: error,
      },
    )
  }
  if (classification.outcome === 'success') return response.status
  const retryable = classification.outcome === 'retry'
  return new DeliveryError(
    'ERR_HTTP_STATUS',
    `${label(job)}: ${target()} answered ${response.status} (${scrub(classification.reason, job.secrets)}).`,
    {
      retryable,
      status: response.status,
      // A destination may echo a credential back (a 401 quoting the key): never pass it on.
      responseBodyExcerpt: scrub(response.body.slice(0, BODY_EXCERPT_LENGTH), job.secrets),
      ...(classification.outcome === 'retry' && classification.retryAfterMs !== undefined
        ? { retryAfterMs: classification.retryAfterMs }
        : {}),
    },
  )
}

// A transport that throws synchronously rejects like one that rejects.
async function send(
  transport: Transport,
  request: TransportRequest,
  signal: AbortSignal,
): Promise<TransportResponse> {
  return transport.send(request, { signal })
}

function sleep(ms: number, shutdown: Shutdown): Promise<void> {
  if (ms <= 0 || shutdown.triggered) return Promise.resolve()
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      stopOnShutdown()
      resolve()
    }
    const timer = setTimeout(done, ms)
    const stopOnShutdown = shutdown.onTrigger(done)
  })
}

function scrub(text: string, secrets: readonly string[]): string {
  let result = text
  for (const secret of secrets) if (result.includes(secret)) result = result.split(secret).join(REDACTED)
  return result
}

function label(job: DeliveryJob): string {
  return `Delivery ${job.delivery.id} to integration \`${job.delivery.integrationId}\` (${job.delivery.integrationType})`
}

// Only the origin: paths and query strings may carry credentials (Slack webhook URLs).
function safeOrigin(url: string): string {
  try {
    return new URL(url).origin
  } catch {
    return '(invalid URL)'
  }
}

/** The transport's SSRF refusal, possibly wrapped by fetch (`TypeError: fetch failed`, cause ...). */
function blockedIn(error: unknown): BlockedDestinationError | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    if (current instanceof BlockedDestinationError) return current
    current = current.cause
  }
  return undefined
}

function message(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : ''
    return `${error.message}${cause}`
  }
  return String(error)
}

function unexpected(error: unknown, job: DeliveryJob): DeliveryError {
  return new DeliveryError('ERR_ADAPTER', `${label(job)}: unexpected failure: ${message(error)}`, {
    retryable: false,
    cause: error,
  })
}
