import type { z } from 'zod'
import type { EventDefinition } from './catalog.js'

/**
 * Types one event definition on its own, so that its `sample` is checked against its `schema`
 * at compile time (as it is inside `defineCatalog`). Returns `definition` unchanged; the runtime
 * checks happen in `defineCatalog`.
 *
 * @example
 * export const coinsRewarded = defineEvent({
 *   title: 'Wallet Coins Rewarded',
 *   description: 'Coins were credited to a customer’s wallet.',
 *   schema: z.strictObject({ coins: z.int().positive() }),
 *   sample: { coins: 150 },
 * })
 */
export function defineEvent<S extends z.ZodType>(definition: EventDefinition<S>): EventDefinition<S> {
  return definition
}
