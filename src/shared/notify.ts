/**
 * Sends one of the lifecycle events of map `M` (event name to listener arguments). Stages get the
 * narrow map of the events they send, never the router: the router's own `notify` satisfies each.
 * Never throws: listeners are isolated by the router.
 */
export type Notify<M extends { [E in keyof M]: unknown[] }> = <E extends keyof M>(
  event: E,
  ...args: M[E]
) => void
