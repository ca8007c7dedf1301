/** An event as the outbox keeps it until it is relayed: what `router.emit()` is given. */
export interface OutboxEvent {
  /** The event id: given to `publish()`, or generated. Passed to `emit()` as `options.id`. */
  readonly id: string
  /** The tenant the event belongs to, or `null` for a platform event. */
  readonly tenant: string | null
  /** The event name (`wallet.coins_rewarded`). */
  readonly name: string
  /** The payload as `publish()` was given it (the catalog schema's input). */
  readonly payload: Record<string, unknown>
  /** When the event happened, epoch ms. */
  readonly occurredAt: number
  /** Relay attempts made before this one (emits that failed and are being retried). */
  readonly attempts: number
}

/** What `publish()` resolves with. */
export interface PublishedEvent {
  /** The event id (the one given, or the one generated). */
  readonly id: string
  /** The event's tenant, or `null` for a platform event. */
  readonly tenant: string | null
  /**
   * Whether the outbox already held an event with this id (in this tenant): nothing was written
   * then. `false` too when the executor's result does not say how many rows were written.
   */
  readonly duplicate: boolean
}
