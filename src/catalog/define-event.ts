import type { StandardSchemaV1 } from '@standard-schema/spec'
import type { EventDefinition } from './catalog.js'

/**
 * Types one event definition on its own, so that its `sample` is checked against its `schema`
 * at compile time (as it is inside `defineCatalog`). Returns `definition` unchanged; the runtime
 * checks happen in `defineCatalog`. `schema` is a zod 4 schema or any Standard Schema v1 validator.
 *
 * @example
 * export const coinsRewarded = defineEvent({
 *   title: 'Wallet Coins Rewarded',
 *   description: 'Coins were credited to a customer’s wallet.',
 *   schema: z.strictObject({ coins: z.int().positive() }),
 *   sample: { coins: 150 },
 * })
 */
export function defineEvent<S extends StandardSchemaV1>(definition: EventDefinition<S>): EventDefinition<S> {
  return definition
}
