import { describe, expect, it } from 'vitest'
import { isoTimestamp } from '../../src/events/iso-timestamp.js'

describe('isoTimestamp', () => {
  it('formats like toISOString, whatever the order of instants asked for', () => {
    const instants = [0, 1, 1, 1_795_843_389_268, 1_795_843_389_268, 1, -1, 8.64e15]
    for (const ms of instants) {
      expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString())
      expect(isoTimestamp(new Date(ms))).toBe(new Date(ms).toISOString())
    }
  })

  it('throws like toISOString on an invalid date', () => {
    expect(() => isoTimestamp(new Date(Number.NaN))).toThrow(RangeError)
  })
})
