import type { Catalog, CatalogField } from '../catalog/catalog.js'
import { ValidationError } from '../errors/validation-error.js'
import type { Filter } from '../filters/filter.js'
import type { EventSelector } from '../subscriptions/subscription.js'

/** One event of the catalog, as a dashboard's "Send Events" page lists it. */
export interface CatalogEventInfo {
  /** The event name, as given to `emit()`, e.g. `wallet.coins_rewarded`. */
  readonly name: string
  /** Its catalog title, e.g. `Wallet Coins Rewarded`; the name when the catalog gives none. */
  readonly title: string
  /** Its catalog description; `''` when the catalog gives none. */
  readonly description: string
  /** Filterable field paths with their types, for a filter builder. */
  readonly fields: readonly CatalogField[]
}

/** What `router.catalog` offers. */
export interface CatalogView {
  /** Every event of the catalog, in definition order (`[]` without a catalog). */
  list(): CatalogEventInfo[]
  /** The JSON Schema (draft 2020-12) of an event's payload. Throws `ValidationError` for an unknown name. */
  jsonSchema(name: string): Record<string, unknown>
}

/** The read-only catalog view behind `router.catalog`. */
export function catalogView(catalog: Catalog | undefined): CatalogView {
  return Object.freeze({
    list: () =>
      (catalog?.names() ?? []).map((name) => {
        const definition = catalog?.get(name)
        return {
          name,
          title: definition?.title ?? name,
          description: definition?.description ?? '',
          fields: catalog?.fields(name) ?? [],
        }
      }),
    jsonSchema: (name: string) => {
      if (!catalog) {
        throw new ValidationError('event name', [{ path: 'name', message: 'the router has no catalog' }])
      }
      return catalog.jsonSchema(name)
    },
  })
}

/**
 * Checks a subscription against the catalog: every event it names must exist, and its
 * filter must only use fields of each event, compared with values of the right type.
 * `'*'` subscriptions are not checked (their events have different fields).
 */
export function checkAgainstCatalog(catalog: Catalog, event: EventSelector, filter: Filter): void {
  if (event === '*') return
  const names = typeof event === 'string' ? [event] : event
  names.forEach((name, index) => {
    if (!catalog.has(name)) {
      const path = typeof event === 'string' ? 'event' : `event.${index}`
      throw new ValidationError('subscription', [
        { path, message: `\`${name}\` is not an event of the catalog` },
      ])
    }
    catalog.checkFilter(name, filter, 'filter')
  })
}
