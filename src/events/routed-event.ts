/** An emitted event as adapters see it. */
export interface RoutedEvent {
  /** Event id: given to `emit()` or generated. */
  readonly id: string
  /** The name it was emitted with, e.g. `wallet.coins_rewarded`. */
  readonly name: string
  /** The name sent to this destination: the subscription's prefix + `name`. */
  readonly outgoingName: string
  /** The payload, as emitted. */
  readonly payload: Readonly<Record<string, unknown>>
  /** When the event happened. */
  readonly occurredAt: Date
  /**
   * `true` for a test send (`router.subscriptions.test()`): adapters mark the request so
   * the destination can tell it apart (webhook: `webhook-test: true` header).
   */
  readonly test?: boolean
}
