import type { StandardSchemaV1 } from '@standard-schema/spec'
import type { Filter } from '../filters/filter.js'
import type { SchemaInput, SchemaOutput } from '../shared/standard-schema.js'

/**
 * One event type of a catalog: what it means, the shape of its payload, and an example.
 *
 * @example
 * defineEvent({
 *   title: 'Wallet Coins Rewarded',
 *   description: 'Coins were credited to a customer’s wallet.',
 *   schema: z.strictObject({ coins: z.int().positive() }),
 *   sample: { coins: 150 },
 * })
 */
export interface EventDefinition<S extends StandardSchemaV1 = StandardSchemaV1> {
  /**
   * Human name, shown by dashboards and sent as the metric name by destinations that have one
   * (Klaviyo shows the subscription's prefix + title). 1–100 characters, so that a prefix still
   * fits Klaviyo's 128-character limit.
   */
  readonly title: string
  /** When the event is emitted and what it means, for people wiring it to a destination. */
  readonly description: string
  /**
   * The payload's schema; its output must be a JSON object. A zod 4 schema gets every feature;
   * any other Standard Schema v1 validator (valibot, arktype, zod 3...) validates payloads, and
   * is described (JSON Schema, fields, filter checks) only when it also implements Standard JSON
   * Schema: see {@link defineCatalog}.
   */
  readonly schema: S
  /** A realistic payload; `defineCatalog` checks that it passes `schema`. */
  readonly sample: SchemaInput<S>
}

/** The definitions of a catalog, keyed by event name (`wallet.coins_rewarded`). */
export type EventDefinitions = Record<string, EventDefinition>

/** Type of a value a dashboard's filter builder offers for a field. */
export type CatalogFieldType = 'string' | 'number' | 'integer' | 'boolean' | 'date' | 'array' | 'object'

/** A field that filters can test, as `Catalog.fields()` lists it. */
export interface CatalogField {
  /** Dotted path as filters write it: `customer.tier`, `order.items.sku` (each item's `sku`). */
  readonly path: string
  /**
   * `date` for ISO 8601 date-time and date strings (compare them with `$gte`/`$lt` and ISO
   * strings), `object` for maps with free keys (`metadata`), `array` for lists.
   */
  readonly type: CatalogFieldType
  /** JSON Schema `format` of a string field: `date-time`, `date`, `email`, `uri`, `e164`... */
  readonly format?: string
  /** The type of an array's elements. */
  readonly itemType?: CatalogFieldType
  /** The allowed values, for enums (of the elements, for an array of enum values). */
  readonly enum?: readonly (string | number | boolean)[]
  /** True when a valid payload may lack the field (it, or an object holding it, is optional or nullable). */
  readonly optional: boolean
  /** True when the field may hold `null`. */
  readonly nullable: boolean
  /** The schema's description of the field, when it has one. */
  readonly description?: string
}

/** Options of `Catalog.jsonSchema()`. */
export interface JsonSchemaOptions {
  /**
   * `output`: the payload as validated and routed (what destinations and filters see).
   * `input`: what `emit()` accepts. They differ only for schemas with defaults or transforms.
   * @default 'output'
   */
  readonly io?: 'input' | 'output'
}

/**
 * A typed set of event definitions: validates payloads, describes them (JSON Schema, filterable
 * fields) and checks subscription filters against them. Made by {@link defineCatalog}.
 *
 * `N` is the union of event names; leave it to its default.
 */
export interface Catalog<D extends EventDefinitions = EventDefinitions, N extends string = keyof D & string> {
  /** The definitions, as given to `defineCatalog` (frozen). */
  readonly definitions: D
  /** Event names, in definition order. */
  names(): N[]
  /** True when `name` is an event of this catalog. */
  has(name: string): name is N
  /** The definition of an event, or `undefined` for a name the catalog does not have. */
  get<K extends N>(name: K): D[K]
  /** The definition of an event, or `undefined` for a name the catalog does not have. */
  get(name: string): EventDefinition | undefined
  /**
   * Validates a payload against the event's schema and returns the parsed payload (unknown keys
   * of `z.object` schemas removed). Nothing else happens. Schemas of other validators keep their
   * own issue messages.
   *
   * @throws {ValidationError} `code` `ERR_VALIDATION`: one issue per bad field, at
   *   `payload.<dotted path>` (`payload.customer.email`), or at `name` for an unknown event.
   */
  validatePayload<K extends N>(name: K, payload: unknown): SchemaOutput<D[K]['schema']>
  /**
   * Validates a payload against the schema of the event named `name` (a name only known at run
   * time) and returns the parsed payload.
   *
   * @throws {ValidationError} `code` `ERR_VALIDATION`, as for a known name, or at `name` for an
   *   unknown event.
   */
  validatePayload(name: string, payload: unknown): Record<string, unknown>
  /**
   * The JSON Schema (draft 2020-12, from zod's `z.toJSONSchema`, or the Standard JSON Schema of
   * another validator) of the event's payload, with the event's title and description. A fresh
   * copy on each call.
   *
   * @throws {ValidationError} at `name` for an unknown event, and for an event whose schema has
   *   no JSON Schema (a validator without Standard JSON Schema: valibot on its own, zod 3).
   */
  jsonSchema(name: N | (string & {}), options?: JsonSchemaOptions): Record<string, unknown>
  /**
   * The fields filters can test, for a dashboard's filter builder: every leaf, array and free-form
   * map, dotted; fields of objects inside arrays as `items.sku`. Fields whose type JSON Schema
   * cannot express are left out. `[]` for a schema without JSON Schema (valibot on its own, zod 3).
   *
   * @throws {ValidationError} at `name` for an unknown event.
   */
  fields(name: N | (string & {})): CatalogField[]
  /**
   * Checks a filter (already valid filter JSON, see `parseFilter`) against the event's schema:
   * every field path must exist, and every operator must be able to match the field's type.
   * A schema without JSON Schema (valibot on its own, zod 3) cannot be checked against: every
   * filter passes.
   *
   * @param field - Where the filter sits in the caller's input; issue paths start with it.
   * @throws {InvalidFilterError} `code` `ERR_INVALID_FILTER`, one issue per problem, e.g.
   *   `filter.customer.teir`: "`customer.teir` is not a field of `wallet.coins_rewarded`; did
   *   you mean `customer.tier`?"
   * @throws {ValidationError} at `name` for an unknown event.
   */
  checkFilter(name: N | (string & {}), filter: Filter, field?: string): void
}

/** The event names of a catalog: `CatalogEventName<typeof loyaltyCatalog>`. */
export type CatalogEventName<C> = C extends Catalog<EventDefinitions, infer N> ? N : never

/** The payload `emit()` accepts for an event (the schema's input type). */
export type CatalogPayload<C, N extends CatalogEventName<C>> =
  C extends Catalog<infer D, string> ? SchemaInput<D[N]['schema']> : never

/** The payload after validation (the schema's output type): what filters and destinations see. */
export type CatalogParsedPayload<C, N extends CatalogEventName<C>> =
  C extends Catalog<infer D, string> ? SchemaOutput<D[N]['schema']> : never
