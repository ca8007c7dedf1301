import { assertEventName } from './event-name.js'

/**
 * The on/off status of each event type (`router.events`). Every event type is on until
 * disabled; a disabled event type is dispatched to no subscription, and `eventSkipped`
 * says so.
 */
export class EventSwitches {
  readonly #disabled = new Set<string>()
  /** Switches an event type off. Idempotent. */
  disable(name: string): void {
    assertEventName(name, 'name')
    this.#disabled.add(name)
  }

  /** Switches an event type back on. Idempotent. */
  enable(name: string): void {
    assertEventName(name, 'name')
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
