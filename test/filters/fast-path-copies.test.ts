import { describe, expect, it } from 'vitest'
import { compileFilter } from '../../src/filters/compile-filter.js'
import { FAST_PATH_COPIES } from '../../src/filters/fast-path-copies.js'
import { parseFilter } from '../../src/filters/parse-filter.js'

describe('FAST_PATH_COPIES', () => {
  it('are textually identical: they differ only in where V8 keeps their inline caches', () => {
    const sources = new Set(FAST_PATH_COPIES.map((copy) => copy.toString()))
    expect(FAST_PATH_COPIES.length).toBeGreaterThan(1)
    expect(sources.size).toBe(1)
  })

  it('still answer right once there are more field paths than copies (paths then share copies)', () => {
    const count = FAST_PATH_COPIES.length * 3
    const payload = Object.fromEntries(Array.from({ length: count }, (_, index) => [`f${index}`, index]))
    for (let index = 0; index < count; index++) {
      const path = `f${index}`
      expect(compileFilter(parseFilter({ [path]: index }))(payload)).toBe(true)
      expect(compileFilter(parseFilter({ [path]: { $ne: index } }))(payload)).toBe(false)
      expect(compileFilter(parseFilter({ [path]: { $gte: index, $lt: index + 1 } }))(payload)).toBe(true)
      expect(compileFilter(parseFilter({ [`nested.${path}`]: { $in: [index] } }))({ nested: payload })).toBe(
        true,
      )
    }
  })
})
