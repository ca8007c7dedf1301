import pRetry, { AbortError } from 'p-retry'
import type { Adapter, AdapterRequestContext, ResponseClassification } from '../adapters/adapter.js'
import { BlockedDestinationError } from '../errors/blocked-destination-error.js'
import { DeliveryError, type DeliveryErrorCode } from '../errors/delivery-error.js'
import type { RoutedEvent } from '../events/routed-event.js'
import { REDACTED } from '../integrations/redact-config.js'
import type { Transport, TransportRequest, TransportResponse } from '../transport/transport.js'
import { backoff } from './backoff.js'
import type { AttemptRecord, Delivery, DeliveryFailureReason, DeliveryResult } from './delivery.js'
import type { DeliveryGate, ParkReason } from './integration-lane.js'
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
  /** Where attempts wait for their integration's pacing, and may be parked. */
  readonly gate: DeliveryGate
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
  /** close(): draining ends retry waits and stops retries; triggering aborts attempts in flight. */
  readonly shutdown: Shutdown
  readonly onAttemptFailed: (failure: AttemptFailure) => void
}

/** Thrown inside the retry loop when the gate parks the delivery instead of attempting it. */
class Parked extends Error {
  constructor(readonly reason: ParkReason) {
    super(reason)
  }
}

const PARKED_CODES = {
  shutdown: 'ERR_DELIVERY_ABORTED',
  circuit_open: 'ERR_CIRCUIT_OPEN',
  integration_disabled: 'ERR_INTEGRATION_DISABLED',
} as const satisfies Record<ParkReason, DeliveryErrorCode>

/**
 * Delivers one event to one integration: each attempt waits for a slot of the
 * integration's gate (pacing; parked when the circuit is open, the integration disabled or
 * the router closing), builds the request with the adapter, sends it through the transport
 * with a fresh AbortController (aborted at `timeoutMs`), and classifies the response.
 * Failed attempts are retried with p-retry; throttled ones (429) pause the gate instead of
 * using up a retry. Never rejects: every delivery resolves to exactly one {@link DeliveryResult}.
 */
export async function deliver(job: DeliveryJob, env: DeliveryEnvironment): Promise<DeliveryResult> {
  const startedAt = Date.now()
  const started = performance.now()
  let attempts = 0
  let notified = 0
  let responseStatus = 0
  let retriesUsed = 0
  let throttledUsed = 0
  let retryNext = false
  let lastError: DeliveryError | undefined
  const history: AttemptRecord[] = []

  const runAttempt = async (): Promise<void> => {
    const attempt = attempts + 1
    const outcome = await job.gate.run(job.delivery.id, () => {
      attempts = attempt
      return timedAttempt(job, env, attempt, history)
    })
    if (typeof outcome === 'string') throw new AbortError(new Parked(outcome))
    if (outcome instanceof DeliveryError) {
      lastError = outcome
      throw outcome.retryable ? outcome : new AbortError(outcome)
    }
    responseStatus = outcome
  }

  /** Decides whether a failed attempt is retried; if so, reports it and waits (or pauses the gate). */
  const afterFailure = async (error: unknown): Promise<boolean> => {
    retryNext = false
    if (!(error instanceof DeliveryError) || !error.retryable || env.shutdown.draining) return false
    const free = error.throttled && throttledUsed < env.retry.throttledRetries
    if (!free && retriesUsed >= env.retry.retries) return false
    if (free) throttledUsed++
    else retriesUsed++
    const delayMs =
      error.retryAfterMs === undefined
        ? backoff(free ? throttledUsed - 1 : retriesUsed - 1, env.retry)
        : Math.min(error.retryAfterMs, env.retry.maxTimeout)
    notified = attempts
    env.onAttemptFailed({
      delivery: job.delivery,
      attempt: attempts,
      error,
      retriesLeft: env.retry.retries - retriesUsed,
      willRetry: true,
      delayMs,
    })
    retryNext = true
    // A throttled destination is paused as a whole: this delivery waits in the queue with the others.
    if (error.throttled) job.gate.throttle(delayMs)
    else await sleep(delayMs, env.shutdown)
    return true
  }

  try {
    try {
      await runAttempt()
    } catch (first) {
      // Most deliveries succeed at once: p-retry, and its setup per call, only run for retries.
      if (first instanceof AbortError) throw first.originalError
      if (!(await afterFailure(first))) throw first
      await pRetry(runAttempt, {
        // Our own budget (retries plus free throttled retries) decides, in afterFailure.
        retries: env.retry.retries + env.retry.throttledRetries,
        // p-retry has no hook for a per-error delay (Retry-After), so its own wait is zero
        // and the wait happens in onFailedAttempt, where the error is known.
        factor: 1,
        minTimeout: 0,
        maxTimeout: 0,
        maxRetryTime: Number.POSITIVE_INFINITY,
        randomize: false,
        unref: false,
        shouldConsumeRetry: () => true,
        onFailedAttempt: ({ error }) => afterFailure(error).then(() => {}),
        shouldRetry: () => retryNext,
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
    const parked = thrown instanceof Parked ? thrown.reason : undefined
    const last =
      thrown instanceof DeliveryError ? thrown : parked === undefined ? unexpected(thrown, job) : undefined
    let reason: DeliveryFailureReason
    let error: DeliveryError
    if (parked !== undefined) {
      reason = parked
      error = new DeliveryError(PARKED_CODES[parked], `${label(job)}: ${PARKED_MESSAGES[parked]}`, {
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
            `${label(job)}: the router closed before the delivery completed.`,
            { retryable: false, cause: failed },
          )
        }
      }
    }
    if (last && notified < attempts) {
      env.onAttemptFailed({
        delivery: job.delivery,
        attempt: attempts,
        error: last,
        retriesLeft: env.retry.retries - retriesUsed,
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

const PARKED_MESSAGES: Record<ParkReason, string> = {
  shutdown: 'the router closed before the delivery completed.',
  circuit_open: 'parked: the integration is suspended (circuit open) after repeated failures.',
  integration_disabled: 'parked: the integration is disabled or was removed.',
}

/** The class of what made the attempt fail: its cause's, when it has one. */
function errorClassOf(error: DeliveryError): string {
  const cause: unknown = error.cause
  if (cause instanceof Error) return cause.name
  return cause === undefined ? error.name : typeof cause
}

/** One attempt, timed and recorded in `history`: resolves with the accepting status or the error. */
async function timedAttempt(
  job: DeliveryJob,
  env: DeliveryEnvironment,
  attempt: number,
  history: AttemptRecord[],
): Promise<number | DeliveryError> {
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
  const failed = outcome instanceof DeliveryError
  history.push({
    attempt,
    startedAt: attemptStartedAt,
    durationMs,
    status: failed ? (outcome.status ?? null) : outcome,
    errorCode: failed ? outcome.code : null,
    errorClass: failed ? errorClassOf(outcome) : null,
    errorMessage: failed ? outcome.message : null,
    responseBodyExcerpt: failed ? (outcome.responseBodyExcerpt ?? null) : null,
  })
  return outcome
}

/** One attempt: resolves with the accepting status, or with the error of the attempt. */
async function attemptOnce(
  job: DeliveryJob,
  context: AdapterRequestContext<unknown>,
  env: DeliveryEnvironment,
): Promise<number | DeliveryError> {
  let request: TransportRequest
  try {
    request = checkRequest(await job.adapter.buildRequest(context))
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
    classification = checkClassification(job.adapter.classifyResponse(response, context))
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
      throttled: classification.outcome === 'retry' && (classification.throttled ?? response.status === 429),
      disablesIntegration: classification.outcome === 'fail' && classification.disableIntegration === true,
    },
  )
}

const METHODS = new Set(['POST', 'PUT', 'PATCH', 'GET', 'DELETE'])
const ABSOLUTE_HTTP = /^https?:\/\/[^/?#]/i

/** An adapter that returns garbage fails its delivery (not the host): say what is wrong. */
function checkRequest(request: TransportRequest): TransportRequest {
  if (request === null || typeof request !== 'object')
    throw new TypeError(`expected a request object, got ${typeof request}`)
  if (!METHODS.has(request.method)) throw new TypeError(`unsupported method \`${String(request.method)}\``)
  // The scheme only: parsing every URL would cost more than the rest of these checks together.
  if (typeof request.url !== 'string' || !ABSOLUTE_HTTP.test(request.url)) {
    throw new TypeError(`expected an absolute http(s) URL, got \`${String(request.url)}\``)
  }
  if (request.headers === null || typeof request.headers !== 'object')
    throw new TypeError('expected a headers object')
  if (request.body !== undefined && typeof request.body !== 'string') {
    throw new TypeError(`expected a string body, got ${typeof request.body}`)
  }
  return request
}

function checkClassification(classification: ResponseClassification): ResponseClassification {
  const outcome = (classification as { outcome?: unknown } | null)?.outcome
  if (outcome !== 'success' && outcome !== 'retry' && outcome !== 'fail') {
    throw new TypeError(`expected an outcome of success, retry or fail, got \`${String(outcome)}\``)
  }
  return classification
}

// A transport that throws synchronously rejects like one that rejects.
async function send(
  transport: Transport,
  request: TransportRequest,
  signal: AbortSignal,
): Promise<TransportResponse> {
  const response = await transport.send(request, { signal })
  if (
    response === null ||
    typeof response !== 'object' ||
    !Number.isInteger(response.status) ||
    typeof response.body !== 'string' ||
    response.headers === null ||
    typeof response.headers !== 'object'
  ) {
    throw new TypeError('the transport resolved something that is not a response ({ status, headers, body })')
  }
  return response
}

// A retry wait ends early when close() begins: the delivery is then dead-lettered, not retried.
function sleep(ms: number, shutdown: Shutdown): Promise<void> {
  if (ms <= 0 || shutdown.draining) return Promise.resolve()
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      stopOnShutdown()
      resolve()
    }
    const timer = setTimeout(done, ms)
    const stopOnShutdown = shutdown.onDrain(done)
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

/**
 * The transport's SSRF refusal, possibly wrapped by fetch (`TypeError: fetch failed`, cause ...).
 * Recognised by name too: a transport from another copy of the package throws its own class.
 */
function blockedIn(error: unknown): Error | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    if (current instanceof BlockedDestinationError || current.name === 'BlockedDestinationError')
      return current
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
