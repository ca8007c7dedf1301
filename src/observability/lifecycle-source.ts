import type { RouterEventName, RouterEvents } from '../router/router-events.js'

/**
 * What observers (stats, the logger, telemetry) subscribe through: the router's `on()`, so that
 * they see exactly the lifecycle events a host's listener sees, and a listener of theirs that
 * throws is isolated like any other.
 */
export interface LifecycleSource {
  /** Adds `listener` for the lifecycle event `event`, as `router.on()` does; the return value is not used. */
  on<E extends RouterEventName>(event: E, listener: (...args: RouterEvents[E]) => unknown): unknown
}
