import type { AdapterRequestContext } from '../adapters/adapter.js'
import type { AdapterBatching, BatchItem } from '../adapters/adapter-batching.js'
import { DeliveryError } from '../errors/delivery-error.js'
import type { IntegrationRecord } from '../integrations/integration-registry.js'
import { type AttemptEnvironment, type AttemptJob, type AttemptOutcome, label, scrubbed } from './attempt.js'
import { sendBatchRequest } from './batch-request.js'
import { type ResolvedBatching, resolveBatching } from './batching.js'
import type { AttemptRecord } from './delivery.js'
import type { IntegrationLane, ParkReason } from './integration-lane.js'

/** Most times a delivery is sent again in a smaller batch, within one attempt, after others made its batch fail. */
const MAX_RESENDS = 3

/** Where a batched attempt goes instead of its own request: what a delivery run needs of a batcher. */
export interface BatchGate {
  /**
   * Makes attempt `number` of `job` inside a batch: resolves with the delivery's own outcome
   * and history entry once the batch's request was answered, or with the reason it was parked.
   * Never rejects.
   */
  attempt(
    integration: IntegrationRecord,
    job: AttemptJob,
    number: number,
  ): Promise<AttemptOutcome | ParkReason>
}

/** What a batcher needs from the router. */
export interface BatcherDeps {
  readonly env: AttemptEnvironment
  /** The lane (pacing) of an integration: a batch takes one slot in it. */
  readonly laneFor: (integration: IntegrationRecord) => IntegrationLane
  /** How long a throttled batch answer with no `Retry-After` pauses the lane, in ms. */
  readonly throttleMs: number
}

/** One delivery waiting in a batch. */
interface Waiting {
  readonly job: AttemptJob
  readonly number: number
  readonly context: AdapterRequestContext<unknown>
  readonly item: BatchItem
  /** UTF-8 bytes of the item's JSON, and its comma. */
  readonly bytes: number
  /** UTF-8 bytes of its group key, 0 without one. */
  readonly groupBytes: number
  resends: number
  /** When its first request of this attempt started (epoch ms, and performance.now()). */
  startedAt: number | undefined
  started: number | undefined
  readonly settle: (result: AttemptOutcome | ParkReason) => void
}

/** The batch being filled: it leaves when full (items or bytes), after its linger time, or at `flush()`. */
interface OpenBatch {
  readonly integration: IntegrationRecord
  readonly settings: ResolvedBatching
  readonly entries: Waiting[]
  readonly groups: Set<string>
  /** Estimated body bytes so far (never under the real size). */
  bytes: number
  /** Bytes the request adds around one item: envelope and group, measured on its first item. */
  readonly overhead: number
  timer: ReturnType<typeof setTimeout> | undefined
}

/**
 * Batches the attempts of one queue (one integration, and for a platform integration one
 * emitting tenant: a batch never crosses integrations or tenants). Each delivery run hands it
 * its attempt; the batcher builds the delivery's item, fills a batch up to the integration's
 * `maxItems` and `maxBytes`, sends it after `lingerMs` at the latest as one request through the
 * integration's lane (one slot of its pacing), and hands each run back its own outcome. What a
 * run does with it (retries, dead letter, lifecycle events) is unchanged. An all-or-nothing
 * refusal (`resend`) sends the other deliveries again at once, within the same attempt.
 */
export class Batcher implements BatchGate {
  readonly #deps: BatcherDeps
  #open: OpenBatch | undefined
  /** Deliveries in the open batch or in batches not answered yet. */
  #held = 0
  /** Sealed batches that have not got their slot yet. */
  readonly #starting = new Set<Promise<void>>()

  constructor(deps: BatcherDeps) {
    this.#deps = deps
  }

  /** Deliveries this batcher holds: waiting in a batch, or in a batch not answered yet. */
  get held(): number {
    return this.#held
  }

  attempt(
    integration: IntegrationRecord,
    job: AttemptJob,
    number: number,
  ): Promise<AttemptOutcome | ParkReason> {
    if (this.#deps.env.shutdown.draining) return Promise.resolve('shutdown')
    const settings = resolveBatching(integration)
    const batching = integration.adapter.batching
    if (!settings || !batching)
      throw new TypeError(`integration \`${job.delivery.integrationId}\` does not batch`)
    const context: AdapterRequestContext<unknown> = {
      event: job.event,
      config: job.config,
      delivery: job.delivery,
      attempt: number,
    }
    let item: BatchItem
    try {
      item = checkItem(batching.buildItem(context))
    } catch (error) {
      return Promise.resolve(
        finished(
          job,
          number,
          Date.now(),
          0,
          buildFailure(job, 'the adapter could not build the batch item', error),
        ),
      )
    }
    return new Promise((resolve) => {
      let settled = false
      const waiting: Waiting = {
        job,
        number,
        context,
        item,
        bytes: Buffer.byteLength(item.json, 'utf8') + 1,
        groupBytes: item.group === undefined ? 0 : Buffer.byteLength(item.group, 'utf8'),
        resends: 0,
        startedAt: undefined,
        started: undefined,
        settle: (result) => {
          if (settled) return
          settled = true
          this.#held--
          resolve(result)
        },
      }
      this.#held++
      this.#add(integration, settings, batching, waiting)
    })
  }

  /**
   * Sends the open batch now (close()). Resolves once every batch sealed so far got its slot
   * (its request started) or was parked.
   */
  flush(): Promise<void> {
    this.#seal()
    return Promise.all([...this.#starting]).then(() => {})
  }

  #add(
    integration: IntegrationRecord,
    settings: ResolvedBatching,
    batching: AdapterBatching<unknown>,
    waiting: Waiting,
  ): void {
    const open = this.#open
    // A config change (a new record) starts a new batch: one request has one config.
    if (open && open.integration !== integration) this.#seal()
    else if (open) {
      const { group } = waiting.item
      const extra =
        waiting.bytes +
        (group !== undefined && !open.groups.has(group) ? waiting.groupBytes + open.overhead : 0)
      if (open.bytes + extra <= settings.maxBytes) {
        open.entries.push(waiting)
        open.bytes += extra
        if (group !== undefined) open.groups.add(group)
        if (open.entries.length >= settings.maxItems) this.#seal()
        return
      }
      this.#seal()
    }
    // The first item of a batch is built alone: an event too large for any batch fails alone,
    // and the size of what the request adds around an item is known.
    let bytes: number
    try {
      const request = batching.buildRequest({
        config: integration.integration.config,
        entries: [{ context: waiting.context, item: waiting.item }],
      })
      bytes = Buffer.byteLength(request.body ?? '', 'utf8')
    } catch (error) {
      waiting.settle(
        finished(
          waiting.job,
          waiting.number,
          Date.now(),
          0,
          buildFailure(waiting.job, 'the adapter could not build the batch request', error),
        ),
      )
      return
    }
    if (bytes > settings.maxBytes) {
      const error = new DeliveryError(
        'ERR_ADAPTER',
        `${label(waiting.job.delivery)}: the event is ${bytes} bytes as a batch request, over the batch limit of ${settings.maxBytes} bytes, so it was not sent; send a smaller payload.`,
        { retryable: false },
      )
      waiting.settle(finished(waiting.job, waiting.number, Date.now(), 0, error))
      return
    }
    const { group } = waiting.item
    const batch: OpenBatch = {
      integration,
      settings,
      entries: [waiting],
      groups: new Set(group === undefined ? [] : [group]),
      bytes,
      overhead: Math.max(0, bytes - (waiting.bytes - 1) - waiting.groupBytes),
      timer: undefined,
    }
    this.#open = batch
    if (settings.maxItems <= 1) this.#seal()
    else batch.timer = setTimeout(() => this.#seal(), settings.lingerMs)
  }

  #seal(): void {
    const open = this.#open
    if (!open) return
    this.#open = undefined
    clearTimeout(open.timer)
    this.#send(open.integration, open.settings, open.entries)
  }

  /** Sends `entries` as one request once the lane has a slot; each delivery is admitted (or parked) then. */
  #send(integration: IntegrationRecord, settings: ResolvedBatching, entries: readonly Waiting[]): void {
    const lane = this.#deps.laneFor(integration)
    let markStarted!: () => void
    const started = new Promise<void>((resolve) => {
      markStarted = resolve
    })
    this.#starting.add(started)
    void started.then(() => this.#starting.delete(started))
    lane
      .runBatch(async (admit) => {
        markStarted()
        const admitted: Waiting[] = []
        for (const waiting of entries) {
          const parked = admit(waiting.job.delivery.id)
          if (parked === undefined) admitted.push(waiting)
          else waiting.settle(parked)
        }
        if (admitted.length > 0) await this.#request(integration, settings, lane, admitted)
      })
      .then(
        (result) => {
          markStarted()
          if (typeof result === 'string') for (const waiting of entries) waiting.settle(result)
        },
        (error: unknown) => {
          markStarted()
          for (const waiting of entries) {
            waiting.settle(
              finished(
                waiting.job,
                waiting.number,
                waiting.startedAt ?? Date.now(),
                0,
                buildFailure(waiting.job, 'unexpected failure of the batch', error),
              ),
            )
          }
        },
      )
  }

  async #request(
    integration: IntegrationRecord,
    settings: ResolvedBatching,
    lane: IntegrationLane,
    entries: readonly Waiting[],
  ): Promise<void> {
    const batching = integration.adapter.batching as AdapterBatching<unknown>
    const startedAt = Date.now()
    const started = performance.now()
    for (const waiting of entries) {
      waiting.startedAt ??= startedAt
      waiting.started ??= started
    }
    const result = await sendBatchRequest(
      batching,
      {
        config: integration.integration.config,
        entries: entries.map((waiting) => ({ context: waiting.context, item: waiting.item })),
      },
      settings.maxBytes,
      this.#deps.env,
    )
    if (result.kind === 'split') {
      // Over the byte limit once built (the estimate is conservative, so rarely): halves.
      const half = Math.ceil(entries.length / 2)
      this.#send(integration, settings, entries.slice(0, half))
      this.#send(integration, settings, entries.slice(half))
      return
    }
    const { results } = result
    const status = result.response?.status
    const someRefused = results.some(
      (entry) => entry.kind === 'done' && entry.outcome instanceof DeliveryError,
    )
    const again: Waiting[] = []
    const outcomes: [Waiting, number | DeliveryError][] = []
    let pauseMs: number | undefined
    results.forEach((entry, index) => {
      const waiting = entries[index] as Waiting
      if (entry.kind === 'resend') {
        // Sent again only without the deliveries that made the batch fail; else it would fail the same way.
        if (someRefused && waiting.resends < MAX_RESENDS) {
          waiting.resends++
          again.push(waiting)
          return
        }
        outcomes.push([
          waiting,
          new DeliveryError(
            'ERR_HTTP_STATUS',
            `${label(waiting.job.delivery)}: its batch was refused as a whole (${entry.reason}); it will be retried.`,
            { retryable: true, ...(status === undefined ? {} : { status }) },
          ),
        ])
        return
      }
      const { outcome } = entry
      if (outcome instanceof DeliveryError && outcome.throttled) {
        pauseMs = Math.max(pauseMs ?? 0, outcome.retryAfterMs ?? this.#deps.throttleMs)
      }
      outcomes.push([waiting, outcome])
    })
    // A throttled batch pauses the lane once, before its deliveries schedule their retries.
    if (pauseMs !== undefined) lane.throttle(pauseMs)
    const ended = performance.now()
    for (const [waiting, outcome] of outcomes) {
      const durationMs = ended - (waiting.started ?? started)
      waiting.settle(
        finished(waiting.job, waiting.number, waiting.startedAt ?? startedAt, durationMs, outcome),
      )
    }
    if (again.length > 0) this.#send(integration, settings, again)
  }
}

function checkItem(item: BatchItem): BatchItem {
  if (item === null || typeof item !== 'object' || typeof item.json !== 'string') {
    throw new TypeError('expected a batch item `{ json: string, group?: string }`')
  }
  if (item.group !== undefined && typeof item.group !== 'string') {
    throw new TypeError(`expected the item's \`group\` to be a string, got ${typeof item.group}`)
  }
  return item
}

function buildFailure(job: AttemptJob, what: string, error: unknown): DeliveryError {
  const reason = error instanceof Error ? error.message : String(error)
  return new DeliveryError('ERR_ADAPTER', `${label(job.delivery)}: ${what}: ${reason}`, {
    retryable: false,
    cause: error,
  })
}

/** The delivery's outcome and history entry, with the integration's credentials scrubbed. */
function finished(
  job: AttemptJob,
  attempt: number,
  startedAt: number,
  durationMs: number,
  result: number | DeliveryError,
): AttemptOutcome {
  const outcome = scrubbed(result, job.scrubber)
  const failed = outcome instanceof DeliveryError
  const record: AttemptRecord = {
    attempt,
    startedAt,
    durationMs,
    status: failed ? (outcome.status ?? null) : outcome,
    errorCode: failed ? outcome.code : null,
    errorClass: failed ? errorClassOf(outcome) : null,
    errorMessage: failed ? outcome.message : null,
    responseBodyExcerpt: failed ? (outcome.responseBodyExcerpt ?? null) : null,
  }
  return { outcome, record }
}

function errorClassOf(error: DeliveryError): string {
  const cause: unknown = error.cause
  if (cause instanceof Error) return cause.name
  return cause === undefined ? error.name : typeof cause
}
