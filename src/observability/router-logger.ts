import type { EventRouterError } from '../errors/event-router-error.js'
import type { LifecycleSource } from './lifecycle-source.js'
import { type LogFields, type Logger, writeLog } from './logger.js'

/** How an error is logged: its name, stable code and (scrubbed) message; never its cause or stack. */
function errorFields(error: EventRouterError): LogFields {
  return { name: error.name, code: error.code, message: error.message }
}

/**
 * Writes the router's lifecycle to `logger` at these levels (a table in docs/observability.md):
 * `error` for errors outside a delivery (store, listener, dead-letter store, filter); `warn` for an
 * integration suspended or disabled and a delivery that failed for good; `info` for an integration
 * resumed or throttled; `debug` for each failed attempt, each delivery that succeeded and each
 * dead letter kept. Fields are ids, counts, codes and the router's own messages, whose credentials
 * the router has scrubbed: never a config value, a payload, a header or a URL.
 */
export function logLifecycle(source: LifecycleSource, logger: Logger): void {
  source.on('error', (error) => {
    writeLog(
      logger,
      error.name === 'FilterEvaluationError' ? 'warn' : 'error',
      { lifecycleEvent: 'error', err: errorFields(error) },
      error.message,
    )
  })
  source.on('integrationSuspended', (event) => {
    writeLog(
      logger,
      'warn',
      {
        lifecycleEvent: 'integrationSuspended',
        integrationId: event.integrationId,
        tenant: event.tenant,
        consecutiveFailures: event.consecutiveFailures,
        probeAt: new Date(event.probeAt).toISOString(),
      },
      `Integration \`${event.integrationId}\` suspended after ${event.consecutiveFailures} failed deliveries in a row: its deliveries are parked until a probe succeeds.`,
    )
  })
  source.on('integrationResumed', (event) => {
    writeLog(
      logger,
      'info',
      { lifecycleEvent: 'integrationResumed', integrationId: event.integrationId, tenant: event.tenant },
      `Integration \`${event.integrationId}\` resumed: a probe delivery succeeded.`,
    )
  })
  source.on('integrationDisabled', (event) => {
    writeLog(
      logger,
      'warn',
      {
        lifecycleEvent: 'integrationDisabled',
        integrationId: event.integrationId,
        tenant: event.tenant,
        deliveryId: event.deliveryId,
      },
      `Integration \`${event.integrationId}\` disabled: ${event.reason}`,
    )
  })
  source.on('integrationThrottled', (event) => {
    writeLog(
      logger,
      'info',
      {
        lifecycleEvent: 'integrationThrottled',
        integrationId: event.integrationId,
        tenant: event.tenant,
        pauseMs: event.pauseMs,
      },
      `Integration \`${event.integrationId}\` throttled by its destination: paused for ${event.pauseMs} ms.`,
    )
  })
  source.on('deliveryFailed', (result) => {
    const { delivery } = result
    writeLog(
      logger,
      'warn',
      {
        lifecycleEvent: 'deliveryFailed',
        deliveryId: delivery.id,
        eventId: delivery.eventId,
        eventName: delivery.eventName,
        integrationId: delivery.integrationId,
        tenant: delivery.tenant,
        reason: result.reason,
        attempts: result.attempts,
        err: errorFields(result.error),
      },
      result.error.message,
    )
  })
  source.on('attemptFailed', (failure) => {
    const { delivery } = failure
    writeLog(
      logger,
      'debug',
      {
        lifecycleEvent: 'attemptFailed',
        deliveryId: delivery.id,
        integrationId: delivery.integrationId,
        tenant: delivery.tenant,
        attempt: failure.attempt,
        willRetry: failure.willRetry,
        delayMs: failure.delayMs,
        status: failure.error.status ?? null,
        err: errorFields(failure.error),
      },
      failure.error.message,
    )
  })
  source.on('deliverySucceeded', (result) => {
    const { delivery } = result
    writeLog(
      logger,
      'debug',
      {
        lifecycleEvent: 'deliverySucceeded',
        deliveryId: delivery.id,
        eventId: delivery.eventId,
        integrationId: delivery.integrationId,
        tenant: delivery.tenant,
        attempts: result.attempts,
        status: result.responseStatus,
        durationMs: result.durationMs,
      },
      `Delivery ${delivery.id} to integration \`${delivery.integrationId}\` succeeded after ${result.attempts} attempt(s).`,
    )
  })
  source.on('deliveryDeadLettered', (letter) => {
    writeLog(
      logger,
      'debug',
      {
        lifecycleEvent: 'deliveryDeadLettered',
        deliveryId: letter.id,
        integrationId: letter.delivery.integrationId,
        tenant: letter.delivery.tenant,
        reason: letter.reason,
      },
      `Delivery ${letter.id} kept as a dead letter (${letter.reason}).`,
    )
  })
}
