/** A JSON value inside a filter. */
export type FilterValue =
  | null
  | boolean
  | number
  | string
  | readonly FilterValue[]
  | { readonly [key: string]: FilterValue }

/**
 * A subscription filter: JSON in a subset of MongoDB's query language, evaluated against
 * the event payload. See docs/filters.md. `{}` matches every event.
 *
 * @example { coins: { $gte: 100 }, 'customer.tier': { $in: ['gold', 'silver'] } }
 */
export type Filter = { readonly [key: string]: FilterValue }

/** A filter compiled once into a predicate over payloads. */
export type FilterPredicate = (payload: unknown) => boolean
