import type {
  Attributes,
  BatchObservableResult,
  Counter,
  Histogram,
  Meter,
  ObservableGauge,
} from '@opentelemetry/api'
import type { AttemptRecord, Delivery, DeliveryResult } from '../../delivery/delivery.js'
import type { AttemptFailure } from '../../delivery/delivery-run.js'
import type { LifecycleSource } from '../lifecycle-source.js'
import type { IntegrationStats } from '../router-stats.js'
import {
  CIRCUIT_STATE,
  DEAD_LETTER_REASON,
  DELIVERY_OUTCOME,
  ERROR_TYPE,
  FAILURE_REASON,
  HTTP_REQUEST_METHOD,
  HTTP_RESPONSE_STATUS_CODE,
  INTEGRATION_ID,
  INTEGRATION_TYPE,
  SERVER_ADDRESS,
  SERVER_PORT,
  STATUS_CLASS,
  TENANT,
} from './attribute-names.js'
import { errorTypeOf } from './delivery-spans.js'

/** The semantic conventions' advised boundaries for `http.client.request.duration`, in seconds. */
const DURATION_BOUNDARIES = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]
const CIRCUIT_STATES = ['closed', 'open', 'half-open'] as const

/** The instruments, made once per `openTelemetry()` and shared by the routers it is attached to. */
export interface DeliveryInstruments {
  readonly deliveries: Counter
  readonly attempts: Counter
  readonly duration: Histogram
  readonly throttlePauses: Counter
  readonly deadLetters: Counter
  readonly pending: ObservableGauge
  readonly inFlight: ObservableGauge
  readonly circuit: ObservableGauge
}

/** Creates the instruments on `meter` (names and units in docs/observability.md). */
export function createInstruments(meter: Meter): DeliveryInstruments {
  return {
    deliveries: meter.createCounter('eventrouter.deliveries', {
      description: 'Deliveries settled, by outcome (and failure reason) and integration.',
      unit: '{delivery}',
    }),
    attempts: meter.createCounter('eventrouter.attempts', {
      description: 'Attempts made, by HTTP status class and integration.',
      unit: '{attempt}',
    }),
    // The HTTP client metric of the semantic conventions, one value per attempt.
    duration: meter.createHistogram('http.client.request.duration', {
      description: 'Duration of each delivery attempt (HTTP client request).',
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BOUNDARIES },
    }),
    throttlePauses: meter.createCounter('eventrouter.throttle.pauses', {
      description: 'Pauses of an integration asked for by its destination (429, Retry-After).',
      unit: '{pause}',
    }),
    deadLetters: meter.createCounter('eventrouter.dead_letters', {
      description: 'Deliveries kept as dead letters, by reason and integration.',
      unit: '{dead_letter}',
    }),
    pending: meter.createObservableGauge('eventrouter.deliveries.pending', {
      description:
        'Deliveries accepted and not settled (stored, queued, in flight, waiting to retry), per integration.',
      unit: '{delivery}',
    }),
    inFlight: meter.createObservableGauge('eventrouter.attempts.in_flight', {
      description: 'Attempts in flight, per integration.',
      unit: '{attempt}',
    }),
    circuit: meter.createObservableGauge('eventrouter.circuit.state', {
      description: 'Circuit breaker state per integration: 1 for its current state, 0 for the others.',
      unit: '1',
    }),
  }
}

/** The attributes that say which integration: its id, type and, for a tenant's, the tenant. */
function integrationAttributes(
  integrationId: string,
  type: string | undefined,
  tenant: string | null,
): Attributes {
  const attributes: Attributes = { [INTEGRATION_ID]: integrationId }
  if (type !== undefined) attributes[INTEGRATION_TYPE] = type
  if (tenant !== null) attributes[TENANT] = tenant
  return attributes
}

function deliveryAttributes(delivery: Delivery): Attributes {
  return integrationAttributes(delivery.integrationId, delivery.integrationType, delivery.tenant)
}

/** `2xx` … `5xx`, or `none` without a response. */
function statusClass(status: number | null): string {
  return status === null ? 'none' : `${Math.floor(status / 100)}xx`
}

/**
 * Records one router's deliveries on the instruments, from its lifecycle events: counters and the
 * attempt duration as they happen (each attempt once, when it ends), and gauges read from the
 * router's stats when the SDK collects.
 */
export class DeliveryMetrics {
  readonly #instruments: DeliveryInstruments
  readonly #meter: Meter

  constructor(meter: Meter, instruments: DeliveryInstruments) {
    this.#meter = meter
    this.#instruments = instruments
  }

  /** Subscribes to `source` and observes `stats` at each collection; returns what stops the observing. */
  listen(source: LifecycleSource, stats: () => readonly IntegrationStats[]): () => void {
    const instruments = this.#instruments
    source.on('deliverySucceeded', (result) => {
      this.#delivered(result)
      const last = result.history[result.history.length - 1]
      if (last) this.#attempted(result.delivery, last)
    })
    source.on('deliveryFailed', (result) => this.#delivered(result))
    source.on('attemptFailed', (failure: AttemptFailure) => {
      const last = failure.history[failure.history.length - 1]
      if (last) this.#attempted(failure.delivery, last)
    })
    source.on('integrationThrottled', (event) =>
      instruments.throttlePauses.add(1, integrationAttributes(event.integrationId, undefined, event.tenant)),
    )
    source.on('deliveryDeadLettered', (letter) =>
      instruments.deadLetters.add(1, {
        ...deliveryAttributes(letter.delivery),
        [DEAD_LETTER_REASON]: letter.reason,
      }),
    )
    const observe = (result: BatchObservableResult) => {
      for (const item of stats()) {
        const attributes = integrationAttributes(item.integrationId, item.type, item.tenant)
        result.observe(instruments.pending, item.pending, attributes)
        result.observe(instruments.inFlight, item.inFlight, attributes)
        for (const state of CIRCUIT_STATES) {
          result.observe(instruments.circuit, item.circuit === state ? 1 : 0, {
            ...attributes,
            [CIRCUIT_STATE]: state,
          })
        }
      }
    }
    const observed = [instruments.pending, instruments.inFlight, instruments.circuit]
    this.#meter.addBatchObservableCallback(observe, observed)
    return () => this.#meter.removeBatchObservableCallback(observe, observed)
  }

  #delivered(result: DeliveryResult): void {
    const attributes = deliveryAttributes(result.delivery)
    attributes[DELIVERY_OUTCOME] = result.status
    if (result.status === 'failed') attributes[FAILURE_REASON] = result.reason
    this.#instruments.deliveries.add(1, attributes)
  }

  #attempted(delivery: Delivery, attempt: AttemptRecord): void {
    const errorType = errorTypeOf(attempt)
    // Two objects: the SDK may keep the attributes it is given as the series' own.
    const counted = deliveryAttributes(delivery)
    counted[STATUS_CLASS] = statusClass(attempt.status)
    if (errorType !== undefined) counted[ERROR_TYPE] = errorType
    this.#instruments.attempts.add(1, counted)
    // The HTTP client duration, with the semantic conventions' attributes.
    const timed = deliveryAttributes(delivery)
    const { request } = attempt
    if (request) {
      timed[HTTP_REQUEST_METHOD] = request.method
      if (request.serverAddress !== null) timed[SERVER_ADDRESS] = request.serverAddress
      timed[SERVER_PORT] = request.serverPort
    }
    if (attempt.status !== null) timed[HTTP_RESPONSE_STATUS_CODE] = attempt.status
    if (errorType !== undefined) timed[ERROR_TYPE] = errorType
    this.#instruments.duration.record(attempt.durationMs / 1000, timed)
  }
}
