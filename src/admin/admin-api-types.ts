/**
 * The JSON the admin API answers with, shared by the handler and the page (src/admin/page/).
 * Plain data only, and no imports: the page compiles against the DOM, the handler against Node,
 * and both read this file.
 */

/** `GET /api/session`: who the caller is and what the page may offer. */
export interface AdminSessionView {
  /** The tenant the caller manages, or `null` for the platform scope. */
  readonly tenant: string | null
  /** Whether every change is refused (the `readOnly` option, or the authorization's own). */
  readonly readOnly: boolean
  /** Whether the router has an event catalog. */
  readonly catalog: boolean
  /** Whether `GET /api/stats` is available (the router has `stats()`). */
  readonly stats: boolean
}

/** A field filters can test, as the catalog lists it (`catalog.fields(name)`). */
export interface CatalogFieldView {
  /** Dotted path as filters write it: `customer.tier`, `order.items.sku`. */
  readonly path: string
  /** The field's type; `date` for ISO 8601 date-time and date strings. */
  readonly type: 'string' | 'number' | 'integer' | 'boolean' | 'date' | 'array' | 'object'
  /** JSON Schema `format` of a string field: `date-time`, `email`, `uri`... */
  readonly format?: string
  /** The type of an array's elements. */
  readonly itemType?: string
  /** The allowed values, for enums. */
  readonly enum?: readonly (string | number | boolean)[]
  /** True when a valid payload may lack the field. */
  readonly optional: boolean
  /** True when the field may hold `null`. */
  readonly nullable: boolean
  /** The schema's description of the field, when it has one. */
  readonly description?: string
}

/** `GET /api/events`: one event type, with its switch. */
export interface EventTypeView {
  /** The event name, e.g. `wallet.coins_rewarded`. */
  readonly name: string
  /** The catalog's human name of the event, e.g. `Wallet Coins Rewarded`. */
  readonly title: string
  /** When the event is emitted and what it means. */
  readonly description: string
  /** The fields filters can test. */
  readonly fields: readonly CatalogFieldView[]
  /** Whether events of this type are dispatched in this scope. */
  readonly enabled: boolean
  /** A valid payload of the event (the catalog's sample), when the handler was given the catalog. */
  readonly sample: Readonly<Record<string, unknown>> | null
}

/** How the page edits one top-level config field of an adapter. */
export type AdapterFieldKind = 'string' | 'number' | 'integer' | 'boolean' | 'enum' | 'json'

/** One top-level config field of an adapter, from its `configSchema`. */
export interface AdapterFieldView {
  /** The config key, e.g. `apiKey`. */
  readonly name: string
  /** How the page edits it. */
  readonly kind: AdapterFieldKind
  /** Whether a config must have it (it has no default). */
  readonly required: boolean
  /** A credential: write-only, never sent back. */
  readonly secret: boolean
  /** The allowed values, for `enum`. */
  readonly enum?: readonly (string | number | boolean)[]
  /** The schema's description of the field, when it has one. */
  readonly description?: string
  /** The field's JSON Schema (draft 2020-12, input side). */
  readonly schema: Readonly<Record<string, unknown>>
}

/** `GET /api/adapters`: an adapter type integrations can use, and its config form. */
export interface AdapterView {
  /** The adapter type integrations refer to, e.g. `klaviyo`. */
  readonly type: string
  /** Its top-level config fields, for the integration form. */
  readonly fields: readonly AdapterFieldView[]
  /** The config's JSON Schema (input side), or `null` when the schema has no JSON Schema form. */
  readonly schema: Readonly<Record<string, unknown>> | null
  /**
   * True when the schema does not show its properties (a custom or non-zod validator): the page
   * then edits the config as one JSON object, besides the secret fields.
   */
  readonly freeform: boolean
}

/** An integration as the API shows it: secret fields are left out of `config`, `secrets` says which are set. */
export interface IntegrationView {
  /** Unique id within its tenant. */
  readonly id: string
  /** The tenant it belongs to, or `null` for the platform's. */
  readonly tenant: string | null
  /** The adapter type, e.g. `webhook`. */
  readonly type: string
  /** Human-readable name, or `null`. */
  readonly name: string | null
  /** Disabled integrations receive nothing. */
  readonly enabled: boolean
  /** Why the router disabled it by itself (a `410 Gone`), or `null`. */
  readonly disabledReason: string | null
  /** Its pacing over the adapter's defaults, or `null` for the adapter's. */
  readonly pacing: Readonly<Record<string, number | null>> | null
  /** The config without its secret fields. */
  readonly config: Readonly<Record<string, unknown>>
  /** Each secret field of the adapter, and whether it is set. Their values are never sent. */
  readonly secrets: Readonly<Record<string, boolean>>
  /** ISO-8601 creation time. */
  readonly createdAt: string
  /** ISO-8601 time of the last change. */
  readonly updatedAt: string
}

/** A subscription, as the router reports it. */
export interface SubscriptionView {
  /** Unique id within its tenant. */
  readonly id: string
  /** The tenant it belongs to, or `null` for the platform's (which receives every tenant's events). */
  readonly tenant: string | null
  /** The event name(s) it receives, or `'*'`. */
  readonly event: string | readonly string[]
  /** The integration it delivers to. */
  readonly integrationId: string
  /** Its filter (docs/filters.md); `{}` matches every event. */
  readonly filter: Readonly<Record<string, unknown>>
  /** Prepended to the event name sent to the destination, or `null`. */
  readonly eventNamePrefix: string | null
  /** Disabled subscriptions receive nothing. */
  readonly enabled: boolean
  /** ISO-8601 creation time. */
  readonly createdAt: string
  /** ISO-8601 time of the last change. */
  readonly updatedAt: string
}

/** One problem of a refused input. */
export interface ErrorIssueView {
  /** Where the problem is in the input, dotted, e.g. `config.url`. */
  readonly path: string
  /** What is wrong there. */
  readonly message: string
}

/** The body of every error answer. */
export interface ErrorBodyView {
  /** What was refused or failed. */
  readonly error: {
    /** The error's stable code, e.g. `ERR_VALIDATION`, `ERR_NOT_FOUND`, `ERR_CSRF`. */
    readonly code: string
    /** What failed and what to do, for people. */
    readonly message: string
    /** The input field at fault, or `null`. */
    readonly field: string | null
    /** Every problem found (validation errors), else `[]`. */
    readonly issues: readonly ErrorIssueView[]
  }
}
