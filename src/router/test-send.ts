import type { Catalog } from '../catalog/catalog.js'
import type { AttemptTrace } from '../delivery/attempt.js'
import { BODY_EXCERPT_LENGTH } from '../delivery/attempt.js'
import type { Delivery } from '../delivery/delivery.js'
import { claimedForAttempt, newDeliveryRecord } from '../delivery/delivery-records.js'
import { type RunEnvironment, runDelivery } from '../delivery/delivery-run.js'
import { directGate } from '../delivery/integration-lane.js'
import { queueOf } from '../delivery/queues.js'
import type { RetryOptions } from '../delivery/retry-options.js'
import { Shutdown } from '../delivery/shutdown.js'
import { ValidationError } from '../errors/validation-error.js'
import { describe } from '../events/event-name.js'
import type { IntegrationRecord } from '../integrations/integration-registry.js'
import { redactRequest } from '../integrations/redact-request.js'
import { generateId } from '../shared/ids.js'
import type {
  SubscriptionRecord,
  TestSendOptions,
  TestSendResult,
} from '../subscriptions/subscription-registry.js'
import { markedAsTest } from './router-input.js'

/** What a test send needs from the router. */
export interface TestSendContext {
  readonly catalog: Catalog | undefined
  readonly retry: Readonly<RetryOptions>
  readonly run: RunEnvironment
  readonly shutdown: Shutdown
  /** Checks the event as `emit()` does; returns the payload to send. */
  readonly validEvent: (name: string, payload: unknown) => Record<string, unknown>
  /** The part of outgoing names after the prefix. */
  readonly outgoingBase: (name: string) => string
  readonly integration: (tenant: string | null, id: string) => IntegrationRecord | undefined
}

/**
 * One real delivery of `payload` (or the catalog's sample) to a subscription's integration,
 * whatever its filter and status, marked as a test: the payload gets `eventrouter_test: true`
 * and adapters add their own marker. It skips pacing and the circuit (it is how one checks a
 * suspended integration), is not stored, and reports no lifecycle event. Resolves with the
 * outcome, the last request (credentials redacted) and the last response (scrubbed).
 */
export async function sendTest(
  context: TestSendContext,
  record: SubscriptionRecord,
  payload: Record<string, unknown> | undefined,
  options: TestSendOptions,
): Promise<TestSendResult> {
  const { signal } = options
  signal?.throwIfAborted()
  const { subscription } = record
  const name =
    options.event ?? (typeof subscription.event === 'string' ? subscription.event : subscription.event[0])
  if (name === undefined || name === '*') {
    throw new ValidationError('test send', [
      { path: 'options.event', message: 'a subscription to `*` needs the event name to send' },
    ])
  }
  const given = payload ?? context.catalog?.get(name)?.sample
  if (given === undefined) {
    throw new ValidationError('test send', [
      {
        path: 'payload',
        message: `expected a payload to send (the event \`${name}\` has no catalog sample)`,
      },
    ])
  }
  const data = context.validEvent(name, given)
  const retries = options.retries ?? 0
  if (!Number.isInteger(retries) || retries < 0 || retries > context.retry.retries) {
    throw new ValidationError('test send', [
      {
        path: 'options.retries',
        message: `expected an integer from 0 to ${context.retry.retries}, got ${describe(retries)}`,
      },
    ])
  }
  // The integration exists: integrations in use cannot be removed.
  const integration = context.integration(record.tenant, subscription.integrationId) as IntegrationRecord
  const eventId = generateId()
  const outgoingName = record.prefix + context.outgoingBase(name)
  const delivery: Delivery = {
    id: generateId(),
    tenant: integration.tenant,
    eventId,
    eventName: name,
    outgoingName,
    subscriptionId: subscription.id,
    integrationId: integration.integration.id,
    integrationType: integration.adapter.type,
  }
  const now = Date.now()
  const retry = { ...context.retry, retries }
  const pending = newDeliveryRecord(
    {
      delivery,
      queue: queueOf(integration, record.tenant),
      // Every destination can show a property: the marker that works for all adapters.
      event: {
        tenant: record.tenant,
        id: eventId,
        name,
        outgoingName,
        payload: markedAsTest(data),
        occurredAt: now,
      },
    },
    retry,
    now,
  )
  const trace: AttemptTrace = {}
  // The router's close() stops the test send; so does its own signal, without stopping anything else.
  const shutdown = signal ? linkedShutdown(context.shutdown, signal) : context.shutdown
  const outcome = await runDelivery(
    claimedForAttempt(pending, now),
    {
      ...context.run,
      shutdown,
      retry,
      persist: () => {},
      onAttemptFailed: () => {},
      keepsPendingOnClose: false,
    },
    { gate: directGate(() => shutdown.draining), trace, test: true },
  )
  signal?.throwIfAborted()
  // Not kept pending on close (keepsPendingOnClose is off): a test send always settles.
  const result = outcome.kind === 'settled' ? outcome.result : undefined
  if (!result) throw new Error('a test send did not settle')
  const { response } = trace
  const { scrubber } = integration
  return {
    result,
    request: trace.request ? redactRequest(trace.request, scrubber) : null,
    // A destination may quote the credential back (a 401 naming the key): the dashboard must not see it.
    response: response
      ? {
          status: response.status,
          headers: Object.fromEntries(
            Object.entries(response.headers).map(([header, value]) => [header, scrubber.scrub(value)]),
          ),
          bodyExcerpt: scrubber.scrub(response.body.slice(0, BODY_EXCERPT_LENGTH)),
        }
      : null,
  }
}

/** A shutdown switch of its own, thrown by the router's and by `signal`. */
function linkedShutdown(router: Shutdown, signal: AbortSignal): Shutdown {
  const own = new Shutdown()
  if (router.triggered) own.trigger()
  else if (router.draining) own.drain()
  router.onDrain(() => own.drain())
  router.onTrigger(() => own.trigger())
  if (signal.aborted) own.trigger()
  else signal.addEventListener('abort', () => own.trigger(), { once: true })
  return own
}
