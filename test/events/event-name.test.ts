import { expect, it, describe as suite } from 'vitest'
import { ValidationError } from '../../src/errors/validation-error.js'
import { assertEventName, describe, isEventName } from '../../src/events/event-name.js'

suite('isEventName', () => {
  it.each(['wallet.coins_rewarded', 'a', 'x:y/z-1_2', 'A'.repeat(200)])('accepts %s', (name) => {
    expect(isEventName(name)).toBe(true)
  })

  it.each(['', '*', '.a', 'has space', 'A'.repeat(201), 5, null])('rejects %s', (name) => {
    expect(isEventName(name)).toBe(false)
  })
})

suite('assertEventName', () => {
  // Found by the public API fuzz suite (issue #5): describing a revoked Proxy threw a TypeError.
  it('throws a ValidationError naming the field for a revoked Proxy', () => {
    const { proxy, revoke } = Proxy.revocable({}, {})
    revoke()
    expect(() => assertEventName(proxy, 'name')).toThrow(ValidationError)
    expect(describe(proxy)).toBe('an object')
  })

  it('describes other values', () => {
    expect(describe([1])).toBe('an array')
    expect(describe(null)).toBe('`null`')
    expect(describe(Symbol('s'))).toBe('`Symbol(s)` (symbol)')
  })
})
