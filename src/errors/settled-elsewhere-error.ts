import { EventRouterError } from './event-router-error.js'

/**
 * What `receipt.settled` rejects with, in a fleet (a store several processes share, such as
 * `redisStore()`), when another process settled the delivery: the outcome is that process's, in
 * its lifecycle events, its `stats()` and the shared dead letters (`router.deadLetters.list({ ids })`
 * finds it when it failed). `deliveryId` names the delivery.
 */
export class SettledElsewhereError extends EventRouterError {
  /** The delivery another process settled. */
  readonly deliveryId: string

  constructor(deliveryId: string) {
    super(
      'ERR_SETTLED_ELSEWHERE',
      `Delivery ${deliveryId} was settled by another process of the fleet; its outcome is in that process's lifecycle events, and in the dead letters if it failed.`,
    )
    this.name = 'SettledElsewhereError'
    this.deliveryId = deliveryId
  }
}
