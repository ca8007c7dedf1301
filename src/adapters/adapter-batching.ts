import type { Pacing } from '../delivery/pacing.js'
import type { TransportRequest, TransportResponse } from '../transport/transport.js'
import type { AdapterRequestContext, ResponseClassification } from './adapter.js'

/**
 * What one delivery contributes to a batch request: its JSON text as it goes into the batch,
 * and the group it belongs to inside the request (Klaviyo's Bulk Create Events groups events
 * per profile). The router counts the UTF-8 bytes of `json` (and of each `group` once) against
 * the batch's `maxBytes`.
 */
export interface BatchItem {
  /** The item as JSON text, exactly as the adapter will put it in the request body. */
  readonly json: string
  /**
   * The key of the group the item belongs to inside the request, or `undefined` for none.
   * Items of one group are sent together; the adapter decides what the key means.
   */
  readonly group?: string
}

/** One delivery of a batch: what its attempt knows, and its item. */
export interface BatchEntry<Config> {
  /** What this delivery's attempt knows: event, config, delivery, attempt number. */
  readonly context: AdapterRequestContext<Config>
  /** The item the adapter's `buildItem` made of it. */
  readonly item: BatchItem
}

/** Everything an adapter knows when it builds (or classifies) one batch request. */
export interface BatchRequestContext<Config> {
  /** The integration's validated config (every entry of a batch has the same one). */
  readonly config: Config
  /** The deliveries of the batch, in the order they joined it. Never empty. */
  readonly entries: readonly BatchEntry<Config>[]
}

/**
 * The outcome of one delivery of a batch. Besides those of {@link ResponseClassification},
 * `resend` says the destination refused the request as a whole because of other items
 * (an all-or-nothing bulk endpoint): this one is sent again at once in a smaller batch,
 * within the same attempt, without using up a retry.
 */
export type BatchItemOutcome =
  | ResponseClassification
  | {
      /** Send this item again at once, in a smaller batch, without using up a retry. */
      readonly outcome: 'resend'
      /** Why, for logs and the delivery's history. */
      readonly reason: string
    }

/**
 * How the router should treat the response to a batch request: one classification for every
 * delivery of the batch (a 429, a 5xx, a 401), or `partial` with one outcome per entry, in the
 * order of `entries` (in the style of a multi-status answer), so that one bad event fails
 * alone while the others succeed, are retried or are sent again.
 */
export type BatchResponseClassification =
  | ResponseClassification
  | {
      /** Each delivery of the batch has an outcome of its own. */
      readonly outcome: 'partial'
      /** One outcome per entry, in the order of `entries`. */
      readonly items: readonly BatchItemOutcome[]
    }

/**
 * How an adapter batches: the destination's bulk endpoint, its limits, and how one request is
 * built from many deliveries. Every delivery keeps its own id, attempts, retries, dead letter
 * and lifecycle events; only the request is shared.
 */
export interface AdapterBatching<Config> {
  /** Most deliveries in one request (the bulk endpoint's limit). */
  readonly maxItems: number
  /** Largest request body, in UTF-8 bytes (the bulk endpoint's limit). */
  readonly maxBytes: number
  /**
   * How long a batch that is not full waits for more deliveries before it leaves, in ms.
   * @default 100
   */
  readonly lingerMs: number
  /**
   * Default pacing of the bulk endpoint: a batch counts as one request against it. An
   * integration's `batching.pacing` overrides it field by field.
   * @default {} (16 requests in flight, no rate limit)
   */
  readonly pacing: Readonly<Pacing>
  /**
   * Builds the item of one delivery. Throwing fails that delivery alone (`ERR_ADAPTER`, not
   * retried), as `buildRequest` throwing does. Must be pure.
   */
  buildItem(context: AdapterRequestContext<Config>): BatchItem
  /** Builds the one request of a batch from its entries' items. Must be pure. */
  buildRequest(batch: BatchRequestContext<Config>): TransportRequest
  /**
   * Classifies the response to a batch request: for all its deliveries, or per delivery.
   * @default every delivery as `classifyHttpResponse` classifies the response
   */
  classifyResponse(
    response: TransportResponse,
    batch: BatchRequestContext<Config>,
  ): BatchResponseClassification
}

/** What `defineAdapter({ batching })` takes: {@link AdapterBatching} with its defaults optional. */
export interface AdapterBatchingDefinition<Config> {
  /** Most deliveries in one request. */
  maxItems: number
  /** Largest request body, in UTF-8 bytes. */
  maxBytes: number
  /** Linger time of a batch that is not full, in ms (0–60,000). @default 100 */
  lingerMs?: number
  /** Default pacing of the bulk endpoint. @default {} */
  pacing?: Pacing
  /** Builds the item of one delivery. */
  buildItem(context: AdapterRequestContext<Config>): BatchItem
  /** Builds the one request of a batch. */
  buildRequest(batch: BatchRequestContext<Config>): TransportRequest
  /** Classifies the response to a batch request. @default classifyHttpResponse for every delivery */
  classifyResponse?(
    response: TransportResponse,
    batch: BatchRequestContext<Config>,
  ): BatchResponseClassification
}
