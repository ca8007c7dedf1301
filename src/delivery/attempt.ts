import type { Adapter, AdapterRequestContext, ResponseClassification } from '../adapters/adapter.js'
import { BlockedDestinationError } from '../errors/blocked-destination-error.js'
import { DeliveryError } from '../errors/delivery-error.js'
import type { RoutedEvent } from '../events/routed-event.js'
import type { SecretScrubber } from '../shared/secret-scrubber.js'
import type { Transport, TransportRequest, TransportResponse } from '../transport/transport.js'
import type { AttemptRecord, AttemptRequest, Delivery } from './delivery.js'
import type { Shutdown } from './shutdown.js'

/** Longest response body excerpt kept on errors, in characters. */
export const BODY_EXCERPT_LENGTH = 2048

/** What one attempt sends: the delivery, its event as the adapter sees it, and the integration's adapter and config. */
export interface AttemptJob {
  readonly delivery: Delivery
  readonly event: RoutedEvent
  readonly adapter: Adapter<unknown>
  /** The integration's config at the time of the attempt. */
  readonly config: unknown
  /** Removes the integration's credentials from every error, message and excerpt the attempt hands out. */
  readonly scrubber: SecretScrubber
  /** When given, receives the request sent and the response (test sends). */
  readonly trace?: AttemptTrace
}

/** The last request and response of a delivery, filled in when a job asks for it. */
export interface AttemptTrace {
  request?: TransportRequest
  response?: TransportResponse
}

/** What attempts need from the router: the transport, the TTL and the shutdown switch. */
export interface AttemptEnvironment {
  readonly transport: Transport
  readonly timeoutMs: number
  /** Triggering aborts attempts in flight. */
  readonly shutdown: Shutdown
  /** When given (telemetry), each attempt's history entry keeps what this returns of its request. */
  readonly describeRequest?: (request: TransportRequest, scrubber: SecretScrubber) => AttemptRequest
}

/** How one attempt went: the accepting HTTP status or the error, and its entry for the history. */
export interface AttemptOutcome {
  readonly outcome: number | DeliveryError
  readonly record: AttemptRecord
}

/**
 * Makes attempt number `attempt` of a delivery: builds the request with the adapter, sends it
 * through the transport with a fresh AbortController aborted at the TTL (or when shutdown is
 * triggered), and classifies the response. Never rejects: what goes wrong is the attempt's
 * {@link DeliveryError}, with the integration's credentials scrubbed from it.
 */
export async function attempt(
  job: AttemptJob,
  env: AttemptEnvironment,
  attempt: number,
): Promise<AttemptOutcome> {
  const context: AdapterRequestContext<unknown> = {
    event: job.event,
    config: job.config,
    delivery: job.delivery,
    attempt,
  }
  const attemptStartedAt = Date.now()
  const attemptStarted = performance.now()
  // Telemetry: the request is seen through a trace of the attempt's own (a test send has one).
  const seen = env.describeRequest !== undefined && !job.trace ? { ...job, trace: {} } : job
  const outcome = scrubbed(await attemptOnce(seen, context, env), job.scrubber)
  const durationMs = performance.now() - attemptStarted
  const failed = outcome instanceof DeliveryError
  const record: AttemptRecord = {
    attempt,
    startedAt: attemptStartedAt,
    durationMs,
    status: failed ? (outcome.status ?? null) : outcome,
    errorCode: failed ? outcome.code : null,
    errorClass: failed ? errorClassOf(outcome) : null,
    errorMessage: failed ? outcome.message : null,
    responseBodyExcerpt: failed ? (outcome.responseBodyExcerpt ?? null) : null,
  }
  const describeRequest = env.describeRequest
  const sent = describeRequest === undefined ? undefined : seen.trace?.request
  if (sent === undefined || describeRequest === undefined) return { outcome, record }
  return { outcome, record: { ...record, request: describeRequest(sent, job.scrubber) } }
}

/** The class of what made the attempt fail: its cause's, when it has one. */
function errorClassOf(error: DeliveryError): string {
  const cause: unknown = error.cause
  if (cause instanceof Error) return cause.name
  return cause === undefined ? error.name : typeof cause
}

/** One attempt: resolves with the accepting status, or with the error of the attempt. */
async function attemptOnce(
  job: AttemptJob,
  context: AdapterRequestContext<unknown>,
  env: AttemptEnvironment,
): Promise<number | DeliveryError> {
  let request: TransportRequest
  try {
    request = checkRequest(await job.adapter.buildRequest(context))
  } catch (error) {
    return new DeliveryError(
      'ERR_ADAPTER',
      `${label(job.delivery)}: the adapter could not build the request: ${message(error)}`,
      {
        retryable: false,
        cause: error,
      },
    )
  }
  // Parsing the URL costs more than the rest of an attempt's bookkeeping: only for messages.
  const target = () => `${request.method} ${safeOrigin(request.url)}`
  if (env.shutdown.triggered) {
    return new DeliveryError(
      'ERR_DELIVERY_ABORTED',
      `${label(job.delivery)}: the router closed before ${target()}.`,
      {
        retryable: false,
      },
    )
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
        `${label(job.delivery)}: ${target()} took longer than ${env.timeoutMs} ms.`,
        {
          retryable: true,
          cause: error,
        },
      )
    }
    if (env.shutdown.triggered) {
      return new DeliveryError(
        'ERR_DELIVERY_ABORTED',
        `${label(job.delivery)}: ${target()} was aborted because the router closed.`,
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
        `${label(job.delivery)}: ${target()} refused: ${blocked.message}`,
        {
          retryable: false,
          cause: blocked,
        },
      )
    }
    return new DeliveryError('ERR_NETWORK', `${label(job.delivery)}: ${target()} failed: ${message(error)}`, {
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
      `${label(job.delivery)}: the adapter could not classify the response: ${message(error)}`,
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
    `${label(job.delivery)}: ${target()} answered ${response.status} (${classification.reason}).`,
    {
      retryable,
      status: response.status,
      // A destination may echo a credential back (a 401 quoting the key): scrubbed by timedAttempt.
      responseBodyExcerpt: response.body.slice(0, BODY_EXCERPT_LENGTH),
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

/**
 * `error` with the integration's credentials removed from its message, body excerpt and causes:
 * a destination may quote a key back (a 401 naming it), and a transport's error may carry one.
 */
export function scrubbed<T>(outcome: T | DeliveryError, scrubber: SecretScrubber): T | DeliveryError {
  if (!(outcome instanceof DeliveryError) || !scrubber.active) return outcome
  const message = scrubber.scrub(outcome.message)
  const excerpt =
    outcome.responseBodyExcerpt === undefined ? undefined : scrubber.scrub(outcome.responseBodyExcerpt)
  const cause = scrubber.scrubError(outcome.cause)
  if (message === outcome.message && excerpt === outcome.responseBodyExcerpt && cause === outcome.cause) {
    return outcome
  }
  return new DeliveryError(outcome.code, message, {
    retryable: outcome.retryable,
    ...(outcome.status === undefined ? {} : { status: outcome.status }),
    ...(outcome.retryAfterMs === undefined ? {} : { retryAfterMs: outcome.retryAfterMs }),
    ...(excerpt === undefined ? {} : { responseBodyExcerpt: excerpt }),
    ...(cause === undefined ? {} : { cause }),
    throttled: outcome.throttled,
    disablesIntegration: outcome.disablesIntegration,
  })
}

/** How messages name a delivery: `Delivery <id> to integration \`<id>\` (<type>)`. */
export function label(delivery: Delivery): string {
  return `Delivery ${delivery.id} to integration \`${delivery.integrationId}\` (${delivery.integrationType})`
}

/** A URL as messages may show it: only the origin, as paths and query strings may carry credentials (Slack webhook URLs). */
export function safeOrigin(url: string): string {
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
export function blockedIn(error: unknown): Error | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    if (current instanceof BlockedDestinationError || current.name === 'BlockedDestinationError')
      return current
    current = current.cause
  }
  return undefined
}

/** An error's message with its cause's, for a delivery error's text. */
export function message(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : ''
    return `${error.message}${cause}`
  }
  return String(error)
}

/** What an adapter or transport threw where nothing should have: the delivery fails, not retried. */
export function unexpected(error: unknown, delivery: Delivery): DeliveryError {
  return new DeliveryError('ERR_ADAPTER', `${label(delivery)}: unexpected failure: ${message(error)}`, {
    retryable: false,
    cause: error,
  })
}
