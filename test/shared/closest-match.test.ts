import { describe, expect, it } from 'vitest'
import { closestMatch } from '../../src/shared/closest-match.js'

describe('closestMatch', () => {
  const paths = ['customer.tier', 'customer.email', 'coins', 'balance', 'items.sku']

  it.each([
    ['customer.teir', 'customer.tier'], // transposition: one edit
    ['customer.emial', 'customer.email'],
    ['Customer.Tier', 'customer.tier'], // case is ignored
    ['coin', 'coins'],
    ['balanse', 'balance'],
    ['tier', 'customer.tier'], // the parent was left out
    ['sku', 'items.sku'],
  ])('suggests %s -> %s', (input, expected) => {
    expect(closestMatch(input, paths)).toBe(expected)
  })

  it.each(['shipping', 'x', 'customer.address.city'])('suggests nothing for %s', (input) => {
    expect(closestMatch(input, paths)).toBeUndefined()
  })

  it('never suggests the input itself and prefers the closest candidate', () => {
    expect(closestMatch('coins', ['coins', 'coin'])).toBe('coin')
    expect(closestMatch('tiers', ['tier', 'tiers2', 'tie'])).toBe('tier')
  })
})
