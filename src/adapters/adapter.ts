import type { StandardSchemaV1 } from '@standard-schema/spec'
import type { z } from 'zod'
import type { Delivery } from '../delivery/delivery.js'
import type { Pacing } from '../delivery/pacing.js'
import type { RoutedEvent } from '../events/routed-event.js'
import type { SchemaOutput } from '../shared/standard-schema.js'
import type { TransportRequest, TransportResponse } from '../transport/transport.js'
import type { AdapterBatching, AdapterBatchingDefinition } from './adapter-batching.js'

/** Everything an adapter knows when it builds the request of one attempt. */
export interface AdapterRequestContext<Config> {
  /** The event as emitted, with its outgoing name (prefix included). */
  readonly event: RoutedEvent
  /** The integration's validated config. */
  readonly config: Config
  /** The delivery: its `id` is stable across attempts and is the idempotency key. */
  readonly delivery: Delivery
  /** Attempt number, starting at 1. */
  readonly attempt: number
}

/**
 * How the router should treat a response:
 * - `success`: done;
 * - `retry`: try again (after `retryAfterMs` when the destination asked for a wait).
 *   `throttled` says the destination is rate-limiting the integration: its queue pauses for
 *   the wait, and the attempt does not use up a retry (within `retry.throttledRetries`);
 *   it defaults to true for a 429 response;
 * - `fail`: give up now; retrying cannot help. `disableIntegration` says the destination
 *   is gone for good (a webhook's `410 Gone`): the router disables the integration.
 */
export type ResponseClassification =
  | {
      /** Done: the destination accepted the event. */
      readonly outcome: 'success'
    }
  | {
      /** Try again, within the retry policy. */
      readonly outcome: 'retry'
      /** Why, for logs and the delivery's history, e.g. `http_503`. */
      readonly reason: string
      /** How long the destination asked to wait (its `Retry-After`), in ms. @default the retry policy's backoff */
      readonly retryAfterMs?: number
      /** The destination is rate-limiting the integration: pause its queue, use up no retry. @default true for a 429 */
      readonly throttled?: boolean
    }
  | {
      /** Give up now: retrying cannot help. */
      readonly outcome: 'fail'
      /** Why, for logs, the dead letter and the delivery's history, e.g. `http_400`. */
      readonly reason: string
      /** The destination is gone for good (a webhook's `410 Gone`): disable the integration. @default false */
      readonly disableIntegration?: boolean
    }

/**
 * An adapter turns a routed event into the request a destination's API accepts.
 * Write one with {@link defineAdapter}.
 */
export interface Adapter<Config = unknown> {
  /** Unique type name integrations refer to, e.g. `webhook` or `klaviyo`. */
  readonly type: string
  /**
   * Validates (and may default) an integration's config when it is added or updated. Always a
   * zod schema, whatever the adapter was defined with: the definition's own schema for zod 4,
   * else a zod schema that runs the definition's Standard Schema (so `configSchema.parse()`
   * works for every adapter, with the validator's own messages).
   */
  readonly configSchema: z.ZodType<Config>
  /**
   * Top-level config keys that hold credentials. They are redacted from `toJSON()`
   * (unless asked for), errors and lifecycle events.
   * @default []
   */
  readonly secretFields: readonly string[]
  /**
   * Default pacing of integrations of this type, e.g. the destination's published rate
   * limits; an integration's own `pacing` overrides it field by field.
   * @default {} (16 attempts in flight, no rate limit)
   */
  readonly pacing: Readonly<Pacing>
  /** Builds the request of one attempt. Must be pure: same input, same request. */
  buildRequest(context: AdapterRequestContext<Config>): TransportRequest | Promise<TransportRequest>
  /**
   * Classifies a response. Defaults to {@link classifyHttpResponse}: 2xx succeed;
   * 408, 425, 429 and 5xx (but 501 and 505) are retried; anything else fails at once.
   */
  classifyResponse(
    response: TransportResponse,
    context: AdapterRequestContext<Config>,
  ): ResponseClassification
  /**
   * How the adapter batches many deliveries into one request (a bulk endpoint), or
   * `undefined` when it sends one request per delivery. Integrations of an adapter that
   * batches do so by default (see the integration's `batching`).
   * @default undefined
   */
  readonly batching?: AdapterBatching<Config> | undefined
}

/** What {@link defineAdapter} takes. */
export interface AdapterDefinition<Schema extends StandardSchemaV1> {
  /** Unique type name integrations refer to. */
  type: string
  /**
   * Schema of the integration config: zod 4, or any Standard Schema v1 validator (valibot,
   * arktype, zod 3...) that validates synchronously. The config type is its output type.
   */
  configSchema: Schema
  /** Top-level config keys that hold credentials. @default [] */
  secretFields?: readonly (keyof SchemaOutput<Schema> & string)[]
  /** Default pacing of integrations of this type (published rate limits). @default {} */
  pacing?: Pacing
  /** Builds the request of one attempt. */
  buildRequest(
    context: AdapterRequestContext<SchemaOutput<Schema>>,
  ): TransportRequest | Promise<TransportRequest>
  /** Classifies a response. @default classifyHttpResponse */
  classifyResponse?(
    response: TransportResponse,
    context: AdapterRequestContext<SchemaOutput<Schema>>,
  ): ResponseClassification
  /** How the adapter batches deliveries into one request of a bulk endpoint. @default undefined (no batching) */
  batching?: AdapterBatchingDefinition<SchemaOutput<Schema>>
}
