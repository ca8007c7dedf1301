import { z } from 'zod'
import type { Delivery, DeliveryResult } from '../delivery/delivery.js'
import { NotFoundError } from '../errors/not-found-error.js'
import { parseInput } from '../errors/parse-input.js'
import { readSignal } from '../shared/abort.js'
import { idSchema } from '../shared/ids.js'
import { readOptions } from '../shared/read-options.js'
import type { DeadLetter, DeadLetterQuery, ResolvedDeadLetterQuery } from './dead-letter.js'
import type { DeadLetterStore } from './dead-letter-store.js'

/** What `router.deadLetters.redeliver()` resolves with. */
export interface RedeliveryReceipt {
  /** The deliveries sent again, with their original ids (the idempotency keys). */
  readonly deliveries: readonly Delivery[]
  /** Resolves with the outcome of every redelivery. Never rejects. */
  readonly settled: Promise<DeliveryResult[]>
}

/** What `router.deadLetters` offers: the deliveries that did not arrive, and their replay. */
export interface DeadLetters {
  /** The dead letters matching `query` (all of them without one), oldest first. */
  list(query?: DeadLetterQuery): Promise<DeadLetter[]>
  /**
   * Sends dead letters again, by id or by query (`{ integrationId, since }` after an
   * outage), waiting for room under `maxPending`. Each is removed from the store as it is
   * requeued, keeps its delivery id, and is dead-lettered again if it fails again.
   * Unknown ids throw `NotFoundError` and nothing is redelivered. `options.signal` stops the
   * waiting: the promise rejects with its reason, and the letters not yet requeued stay dead letters.
   */
  redeliver(
    target: readonly string[] | DeadLetterQuery,
    options?: RedeliverOptions,
  ): Promise<RedeliveryReceipt>
  /** Removes dead letters for good, by id or by query; resolves with how many were removed. */
  discard(target: readonly string[] | DeadLetterQuery): Promise<number>
}

/** Options of `deadLetters.redeliver()`. */
export interface RedeliverOptions {
  /** Stops waiting for room: rejects with the signal's reason; what is requeued by then stays requeued. */
  signal?: AbortSignal
}

/** What the view needs from the router. */
export interface DeadLetterHost {
  /**
   * Queues `letters` again, each removed from the dead letters as it is queued (in one write
   * where the store allows it), so that a close() or a crash part-way leaves the rest where they were.
   */
  redeliver(letters: readonly DeadLetter[], signal: AbortSignal | undefined): Promise<RedeliveryReceipt>
  assertOpen(operation: string): void
}

const reasons = [
  'not_retryable',
  'retries_exhausted',
  'shutdown',
  'circuit_open',
  'integration_disabled',
  'backpressure',
] as const

const querySchema = z.strictObject({
  ids: z.array(idSchema).max(100_000).optional(),
  integrationId: idSchema.optional(),
  since: z
    .union(
      [z.date(), z.iso.datetime({ offset: true }), z.number().finite()],
      'expected a Date, an ISO-8601 string or epoch ms',
    )
    .optional(),
  reason: z.enum(reasons).optional(),
  limit: z.number().int().min(1).optional(),
})

const idsSchema = z.array(idSchema, 'expected an array of dead letter ids or a query object').max(100_000)

/** `router.deadLetters`: the store behind it, with validation and replay. */
export class DeadLettersView implements DeadLetters {
  readonly #store: DeadLetterStore
  readonly #host: DeadLetterHost
  readonly #tenant: string | null
  /** Ids being redelivered: a second redeliver() of the same letter must not send it twice. */
  readonly #inFlight: Set<string>

  /**
   * @param tenant the scope whose letters this view sees (another tenant's ids do not exist here)
   * @param inFlight ids being redelivered, shared by every view of one router
   */
  constructor(
    store: DeadLetterStore,
    host: DeadLetterHost,
    tenant: string | null,
    inFlight = new Set<string>(),
  ) {
    this.#store = store
    this.#host = host
    this.#tenant = tenant
    this.#inFlight = inFlight
  }

  async list(query: DeadLetterQuery = {}): Promise<DeadLetter[]> {
    return this.#own(await this.#store.list({ ...resolveQuery(query), tenant: this.#tenant }))
  }

  /** The letters of this view's tenant: a host's own store may not know the `tenant` query field. */
  #own(letters: readonly DeadLetter[]): DeadLetter[] {
    return letters.filter((letter) => letter.delivery.tenant === this.#tenant)
  }

  async redeliver(
    target: readonly string[] | DeadLetterQuery,
    options?: RedeliverOptions,
  ): Promise<RedeliveryReceipt> {
    this.#host.assertOpen('redeliver')
    const given = readOptions(options, ['signal'], 'redeliver options')
    const signal = readSignal(given.signal, 'redeliver options', 'signal')
    signal?.throwIfAborted()
    const letters = (await this.#find(target, 'redeliver')).filter((letter) => !this.#inFlight.has(letter.id))
    const ids = letters.map((letter) => letter.id)
    for (const id of ids) this.#inFlight.add(id)
    try {
      return await this.#host.redeliver(letters, signal)
    } finally {
      for (const id of ids) this.#inFlight.delete(id)
    }
  }

  async discard(target: readonly string[] | DeadLetterQuery): Promise<number> {
    const letters = await this.#find(target, 'discard')
    await this.#store.remove(letters.map((letter) => letter.id))
    return letters.length
  }

  async #find(target: readonly string[] | DeadLetterQuery, operation: string): Promise<DeadLetter[]> {
    if (!Array.isArray(target)) return this.list(target as DeadLetterQuery)
    const ids = parseInput(idsSchema, target, `dead letters to ${operation}`, 'ids')
    const letters = this.#own(await this.#store.list({ ids, tenant: this.#tenant }))
    const found = new Set(letters.map((letter) => letter.id))
    const missing = ids.findIndex((id) => !found.has(id))
    if (missing >= 0) throw new NotFoundError('dead letter', ids[missing] as string, `ids.${missing}`)
    return letters
  }
}

function resolveQuery(query: DeadLetterQuery): ResolvedDeadLetterQuery {
  const { ids, integrationId, since, reason, limit } = parseInput(querySchema, query, 'dead letter query')
  return {
    ...(ids === undefined ? {} : { ids }),
    ...(integrationId === undefined ? {} : { integrationId }),
    ...(since === undefined
      ? {}
      : { since: since instanceof Date ? since.getTime() : new Date(since).getTime() }),
    ...(reason === undefined ? {} : { reason }),
    ...(limit === undefined ? {} : { limit }),
  }
}
