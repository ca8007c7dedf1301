import type {
  AdapterBatching,
  BatchEntry,
  BatchItemOutcome,
  BatchRequestContext,
} from '../adapters/adapter-batching.js'
import { DeliveryError } from '../errors/delivery-error.js'
import type { TransportRequest, TransportResponse } from '../transport/transport.js'
import {
  type AttemptEnvironment,
  BODY_EXCERPT_LENGTH,
  blockedIn,
  label,
  message,
  safeOrigin,
} from './attempt.js'
import type { Delivery } from './delivery.js'

/** What one delivery of a batch request ends with: the accepting status, an error, or sent again. */
export type BatchEntryResult =
  | { readonly kind: 'done'; readonly outcome: number | DeliveryError }
  | { readonly kind: 'resend'; readonly reason: string }

/** How one batch request went: per entry, in order; or the batch is over `maxBytes` and must be split. */
export type BatchRequestResult =
  | {
      readonly kind: 'sent'
      readonly results: readonly BatchEntryResult[]
      readonly response?: TransportResponse
    }
  | { readonly kind: 'split' }

/**
 * Builds, sends and classifies the one request of a batch, and says what it means for each
 * delivery: the pure part of a batch attempt, without pacing or bookkeeping. The request has
 * the attempt's TTL (`timeoutMs`) and is aborted when shutdown is triggered, as a single
 * attempt is. Never rejects. Errors name each delivery; the caller scrubs the credentials.
 */
export async function sendBatchRequest(
  batching: AdapterBatching<unknown>,
  batch: BatchRequestContext<unknown>,
  maxBytes: number,
  env: AttemptEnvironment,
): Promise<BatchRequestResult> {
  const { entries } = batch
  const all = (make: (delivery: Delivery) => DeliveryError): BatchRequestResult => ({
    kind: 'sent',
    results: entries.map((entry) => ({ kind: 'done', outcome: make(entry.context.delivery) })),
  })
  const size = entries.length
  let request: TransportRequest
  try {
    request = checkRequest(batching.buildRequest(batch))
  } catch (error) {
    return all(
      (delivery) =>
        new DeliveryError(
          'ERR_ADAPTER',
          `${label(delivery)}: the adapter could not build the batch request (${size} deliveries): ${message(error)}`,
          { retryable: false, cause: error },
        ),
    )
  }
  const bytes = request.body === undefined ? 0 : Buffer.byteLength(request.body, 'utf8')
  if (bytes > maxBytes) {
    if (size > 1) return { kind: 'split' }
    return all(
      (delivery) =>
        new DeliveryError(
          'ERR_ADAPTER',
          `${label(delivery)}: the event is ${bytes} bytes as a batch request, over the batch limit of ${maxBytes} bytes, so it was not sent; send a smaller payload.`,
          { retryable: false },
        ),
    )
  }
  const target = () => `${request.method} ${safeOrigin(request.url)} (a batch of ${size})`
  if (env.shutdown.triggered) {
    return all(
      (delivery) =>
        new DeliveryError(
          'ERR_DELIVERY_ABORTED',
          `${label(delivery)}: the router closed before ${target()}.`,
          {
            retryable: false,
          },
        ),
    )
  }
  const sent = await sendWithDeadline(request, env)
  if ('failure' in sent) {
    const { failure, cause } = sent
    return all((delivery) => {
      const where = `${label(delivery)}: ${target()}`
      switch (failure) {
        case 'timeout':
          return new DeliveryError('ERR_ATTEMPT_TIMEOUT', `${where} took longer than ${env.timeoutMs} ms.`, {
            retryable: true,
            cause,
          })
        case 'shutdown':
          return new DeliveryError(
            'ERR_DELIVERY_ABORTED',
            `${where} was aborted because the router closed.`,
            {
              retryable: false,
              cause,
            },
          )
        case 'blocked':
          return new DeliveryError('ERR_BLOCKED_DESTINATION', `${where} refused: ${message(cause)}`, {
            retryable: false,
            cause,
          })
        default:
          return new DeliveryError('ERR_NETWORK', `${where} failed: ${message(cause)}`, {
            retryable: true,
            cause,
          })
      }
    })
  }
  const { response } = sent
  let outcomes: readonly BatchItemOutcome[]
  try {
    const classification = batching.classifyResponse(response, batch)
    outcomes = classification.outcome === 'partial' ? classification.items : entries.map(() => classification)
    if (!Array.isArray(outcomes) || outcomes.length !== size) {
      throw new TypeError(
        `expected one outcome per delivery (${size}), got ${Array.isArray(outcomes) ? outcomes.length : typeof outcomes}`,
      )
    }
    for (const outcome of outcomes) checkOutcome(outcome)
  } catch (error) {
    return all(
      (delivery) =>
        new DeliveryError(
          'ERR_ADAPTER',
          `${label(delivery)}: the adapter could not classify the batch response: ${message(error)}`,
          { retryable: false, cause: error },
        ),
    )
  }
  const results = entries.map((entry: BatchEntry<unknown>, index): BatchEntryResult => {
    const outcome = outcomes[index] as BatchItemOutcome
    if (outcome.outcome === 'success') return { kind: 'done', outcome: response.status }
    if (outcome.outcome === 'resend') return { kind: 'resend', reason: outcome.reason }
    const retry = outcome.outcome === 'retry'
    return {
      kind: 'done',
      outcome: new DeliveryError(
        'ERR_HTTP_STATUS',
        `${label(entry.context.delivery)}: ${target()} answered ${response.status} (${outcome.reason}).`,
        {
          retryable: retry,
          status: response.status,
          responseBodyExcerpt: response.body.slice(0, BODY_EXCERPT_LENGTH),
          ...(retry && outcome.retryAfterMs !== undefined ? { retryAfterMs: outcome.retryAfterMs } : {}),
          throttled: retry && (outcome.throttled ?? response.status === 429),
          disablesIntegration: outcome.outcome === 'fail' && outcome.disableIntegration === true,
        },
      ),
    }
  })
  return { kind: 'sent', results, response }
}

type Sent =
  | { readonly response: TransportResponse }
  | { readonly failure: 'timeout' | 'shutdown' | 'blocked' | 'network'; readonly cause: unknown }

/** Sends with the TTL and the shutdown trigger; a transport ignoring its signal cannot hold the batch past them. */
async function sendWithDeadline(request: TransportRequest, env: AttemptEnvironment): Promise<Sent> {
  const controller = new AbortController()
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
  try {
    const response = await Promise.race([
      Promise.resolve().then(() => env.transport.send(request, { signal: controller.signal })),
      stopped,
    ])
    if (
      response === null ||
      typeof response !== 'object' ||
      !Number.isInteger(response.status) ||
      typeof response.body !== 'string' ||
      response.headers === null ||
      typeof response.headers !== 'object'
    ) {
      throw new TypeError(
        'the transport resolved something that is not a response ({ status, headers, body })',
      )
    }
    return { response }
  } catch (error) {
    if (timedOut) return { failure: 'timeout', cause: error }
    if (env.shutdown.triggered) return { failure: 'shutdown', cause: error }
    const blocked = blockedIn(error)
    if (blocked) return { failure: 'blocked', cause: blocked }
    return { failure: 'network', cause: error }
  } finally {
    clearTimeout(timer)
    stopOnShutdown()
  }
}

const METHODS = new Set(['POST', 'PUT', 'PATCH'])
const ABSOLUTE_HTTP = /^https?:\/\/[^/?#]/i

function checkRequest(request: TransportRequest): TransportRequest {
  if (request === null || typeof request !== 'object') {
    throw new TypeError(`expected a request object, got ${typeof request}`)
  }
  if (!METHODS.has(request.method))
    throw new TypeError(`unsupported batch method \`${String(request.method)}\``)
  if (typeof request.url !== 'string' || !ABSOLUTE_HTTP.test(request.url)) {
    throw new TypeError(`expected an absolute http(s) URL, got \`${String(request.url)}\``)
  }
  if (request.headers === null || typeof request.headers !== 'object')
    throw new TypeError('expected a headers object')
  if (typeof request.body !== 'string')
    throw new TypeError(`expected a string body, got ${typeof request.body}`)
  return request
}

function checkOutcome(outcome: BatchItemOutcome): void {
  const kind = (outcome as { outcome?: unknown } | null)?.outcome
  if (kind !== 'success' && kind !== 'retry' && kind !== 'fail' && kind !== 'resend') {
    throw new TypeError(`expected an outcome of success, retry, fail or resend, got \`${String(kind)}\``)
  }
}
