import { describe, expect, it } from 'vitest'
import { backoff, classifyHttpResponse, DEFAULT_RETRY_OPTIONS, parseRetryAfter } from '../../src/index.js'

const response = (status: number, headers: Record<string, string> = {}) => ({ status, headers, body: '' })

describe('backoff', () => {
  it('grows exponentially from minTimeout, capped at maxTimeout', () => {
    const options = { ...DEFAULT_RETRY_OPTIONS, randomize: false }
    expect([0, 1, 2, 3, 4, 5].map((n) => backoff(n, options))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 30_000,
    ])
  })

  it('multiplies by a factor in [1, 2) with randomize', () => {
    expect(backoff(1, DEFAULT_RETRY_OPTIONS, 0)).toBe(2000)
    expect(backoff(1, DEFAULT_RETRY_OPTIONS, 0.5)).toBe(3000)
    expect(backoff(1, DEFAULT_RETRY_OPTIONS, 0.999)).toBe(3998)
  })
})

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-28T10:00:00Z')
  it.each([
    ['120', 120_000],
    [' 3 ', 3000],
    ['0', 0],
    ['Sat, 28 Nov 2026 10:00:30 GMT', 30_000],
    ['Sat, 28 Nov 2026 09:00:00 GMT', 0],
    ['soon', undefined],
    ['-5', undefined],
    ['1.5', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%s -> %s', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected)
  })
})

describe('classifyHttpResponse', () => {
  it.each([200, 201, 202, 204, 299])('%i succeeds', (status) => {
    expect(classifyHttpResponse(response(status))).toEqual({ outcome: 'success' })
  })
  it.each([408, 425, 429, 500, 502, 503, 504, 599])('%i is retried', (status) => {
    expect(classifyHttpResponse(response(status)).outcome).toBe('retry')
  })
  it.each([301, 302, 307, 308, 400, 401, 403, 404, 409, 410, 422, 501, 505])('%i fails at once', (status) => {
    expect(classifyHttpResponse(response(status)).outcome).toBe('fail')
  })
  it('honours Retry-After on 429 and 503 only', () => {
    expect(classifyHttpResponse(response(429, { 'retry-after': '5' }))).toMatchObject({ retryAfterMs: 5000 })
    expect(classifyHttpResponse(response(503, { 'retry-after': '5' }))).toMatchObject({ retryAfterMs: 5000 })
    expect(classifyHttpResponse(response(500, { 'retry-after': '5' }))).not.toHaveProperty('retryAfterMs')
  })
})
