import type { Catalog, CatalogEventName, CatalogPayload } from '../catalog/catalog.js'

/** Event names `emit()` accepts: the catalog's names, or any string without a catalog. */
export type EmittableName<C extends Catalog | undefined> = [C] extends [Catalog]
  ? CatalogEventName<C>
  : string

/** The payload `emit()` accepts for `N`: the catalog schema's input, or any JSON object without a catalog. */
export type EmittablePayload<C extends Catalog | undefined, N> = [C] extends [Catalog]
  ? N extends CatalogEventName<C>
    ? CatalogPayload<C, N>
    : never
  : Record<string, unknown>
