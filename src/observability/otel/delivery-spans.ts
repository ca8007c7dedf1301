import {
  type Attributes,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api'
import type { AttemptRecord, DeliveryResult } from '../../delivery/delivery.js'
import type { AttemptFailure } from '../../delivery/delivery-run.js'
import type { LifecycleSource } from '../lifecycle-source.js'
import {
  ATTEMPT_NUMBER,
  DELIVERY_ATTEMPTS,
  DELIVERY_ID,
  DELIVERY_OUTCOME,
  ERROR_TYPE,
  EVENT_ID,
  EVENT_NAME,
  FAILURE_REASON,
  HTTP_REQUEST_METHOD,
  HTTP_REQUEST_RESEND_COUNT,
  HTTP_RESPONSE_STATUS_CODE,
  INTEGRATION_ID,
  INTEGRATION_TYPE,
  RETRY_DELAY_MS,
  SERVER_ADDRESS,
  SERVER_PORT,
  SUBSCRIPTION_ID,
  TENANT,
  URL_FULL,
} from './attribute-names.js'
import { hrTimeOf } from './hr-time.js'
import { emitLinks } from './span-link.js'

/** `error.type` of a failed attempt: its status code for an HTTP error (semantic conventions), else our code. */
export function errorTypeOf(attempt: AttemptRecord): string | undefined {
  if (attempt.errorCode === null) return undefined
  return attempt.status !== null && attempt.status >= 400 ? String(attempt.status) : attempt.errorCode
}

/**
 * Turns each settled delivery into a span tree, after the fact and with the times its history
 * recorded: a `deliver <event>` span from the first attempt to the outcome, linked to the span
 * that was active at `emit()` (kept in the record, so the link survives a restart), and one HTTP
 * client span per attempt under it, the attempts of a previous process included. Spans are made
 * when the delivery settles, so nothing is held open across retries or restarts.
 */
export class DeliverySpans {
  readonly #tracer: Tracer
  /** The retry delays announced by `attemptFailed`, per delivery, until it settles. */
  readonly #delays = new Map<string, Map<number, number>>()

  constructor(tracer: Tracer) {
    this.#tracer = tracer
  }

  /** Subscribes to the lifecycle events it needs. */
  listen(source: LifecycleSource): void {
    source.on('attemptFailed', this.#attemptFailed)
    source.on('deliverySucceeded', this.#settled)
    source.on('deliveryFailed', this.#settled)
  }

  /** Forgets what it kept for deliveries still pending (the router closed). */
  clear(): void {
    this.#delays.clear()
  }

  readonly #attemptFailed = (failure: AttemptFailure): void => {
    if (failure.delayMs === null) return
    let delays = this.#delays.get(failure.delivery.id)
    if (!delays) {
      delays = new Map()
      this.#delays.set(failure.delivery.id, delays)
    }
    delays.set(failure.attempt, failure.delayMs)
  }

  readonly #settled = (result: DeliveryResult): void => {
    const { delivery } = result
    const delays = this.#delays.get(delivery.id)
    this.#delays.delete(delivery.id)
    const attributes: Attributes = {
      [EVENT_NAME]: delivery.eventName,
      [EVENT_ID]: delivery.eventId,
      [DELIVERY_ID]: delivery.id,
      [INTEGRATION_ID]: delivery.integrationId,
      [INTEGRATION_TYPE]: delivery.integrationType,
      [SUBSCRIPTION_ID]: delivery.subscriptionId,
      [DELIVERY_OUTCOME]: result.status,
      [DELIVERY_ATTEMPTS]: result.attempts,
    }
    if (delivery.tenant !== null) attributes[TENANT] = delivery.tenant
    if (result.status === 'failed') {
      attributes[FAILURE_REASON] = result.reason
      attributes[ERROR_TYPE] = result.error.code
    }
    const span = this.#tracer.startSpan(
      `deliver ${delivery.eventName}`,
      {
        kind: SpanKind.INTERNAL,
        startTime: hrTimeOf(result.startedAt),
        attributes,
        links: emitLinks(result.traceContext),
      },
      // A root of its own: the link, not the async context of the run, ties it to the emitter.
      ROOT_CONTEXT,
    )
    if (result.status === 'failed')
      span.setStatus({ code: SpanStatusCode.ERROR, message: result.error.message })
    const parent = trace.setSpan(ROOT_CONTEXT, span)
    for (const attempt of result.history) this.#attemptSpan(attempt, delivery.id, delays, parent)
    span.end(hrTimeOf(result.startedAt + result.durationMs))
  }

  #attemptSpan(
    attempt: AttemptRecord,
    deliveryId: string,
    delays: ReadonlyMap<number, number> | undefined,
    parent: ReturnType<typeof trace.setSpan>,
  ): void {
    const { request } = attempt
    const attributes: Attributes = {
      [DELIVERY_ID]: deliveryId,
      [ATTEMPT_NUMBER]: attempt.attempt,
    }
    if (request) {
      attributes[HTTP_REQUEST_METHOD] = request.method
      attributes[URL_FULL] = request.url
      if (request.serverAddress !== null) attributes[SERVER_ADDRESS] = request.serverAddress
      attributes[SERVER_PORT] = request.serverPort
    }
    if (attempt.status !== null) attributes[HTTP_RESPONSE_STATUS_CODE] = attempt.status
    if (attempt.attempt > 1) attributes[HTTP_REQUEST_RESEND_COUNT] = attempt.attempt - 1
    const errorType = errorTypeOf(attempt)
    if (errorType !== undefined) attributes[ERROR_TYPE] = errorType
    const delay = delays?.get(attempt.attempt)
    if (delay !== undefined) attributes[RETRY_DELAY_MS] = delay
    // HTTP client spans are named after the method (semantic conventions), `HTTP` when unknown.
    const span = this.#tracer.startSpan(
      request?.method ?? 'HTTP',
      { kind: SpanKind.CLIENT, startTime: hrTimeOf(attempt.startedAt), attributes },
      parent,
    )
    if (errorType !== undefined) {
      span.setStatus({
        code: SpanStatusCode.ERROR,
        ...(attempt.errorMessage ? { message: attempt.errorMessage } : {}),
      })
    }
    span.end(hrTimeOf(attempt.startedAt + attempt.durationMs))
  }
}
