import type { EmitOptions, EmitReceipt } from '../router/event-router.js'

/**
 * What a relay emits into: an `EventRouter` (with or without a catalog). Its store decides
 * how durable a relayed event is: with a durable store (`sqliteStore()`), the event's deliveries
 * are on disk when `emit()` returns, before the row is marked relayed.
 */
export interface OutboxRouter {
  /** Routes one relayed event, as `router.emit()` does; the relay passes the row's id as `options.id`. */
  emit(name: string, payload: Record<string, unknown>, options: EmitOptions): EmitReceipt
}
