import { assertEventName } from './event-name.js'

/**
 * The on/off status of each event type (`router.events`). Every event type is on until
 * disabled; a disabled event type is dispatched to no subscription, and `eventSkipped`
 * says so.
 */
export class EventSwitches {
  readonly #disabled = new Set<string>()
  readonly #persist: (name: string, enabled: boolean) => void

  /**
   * @param persist keeps a change before it is made (the router's store); throwing refuses it,
   *   which then changes nothing
   */
  constructor(persist: (name: string, enabled: boolean) => void = () => {}) {
    this.#persist = persist
  }

  /** Switches an event type off. Idempotent. */
  disable(name: string): void {
    assertEventName(name, 'name')
    if (this.#disabled.has(name)) return
    this.#persist(name, false)
    this.#disabled.add(name)
  }

  /** Switches an event type back on. Idempotent. */
  enable(name: string): void {
    assertEventName(name, 'name')
    if (!this.#disabled.has(name)) return
    this.#persist(name, true)
    this.#disabled.delete(name)
  }

  /** Whether events of this type are dispatched. */
  isEnabled(name: string): boolean {
    return !this.#disabled.has(name)
  }

  /** The event types currently switched off, sorted. */
  listDisabled(): string[] {
    return [...this.#disabled].sort()
  }
}
