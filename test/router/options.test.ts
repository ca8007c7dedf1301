import { describe, expect, it } from 'vitest'
import { EventRouter, type EventRouterOptions, ValidationError, webhookAdapter } from '../../src/index.js'

describe('new EventRouter(options)', () => {
  it.each([
    ['timeoutMs', { timeoutMs: -1 }],
    ['timeoutMs', { timeoutMs: Number.NaN }],
    ['retry.retries', { retry: { retries: -1 } }],
    ['retry.retries', { retry: { retries: 1.5 } }],
    ['retry.factor', { retry: { factor: 0.5 } }],
    ['retry.minTimeout', { retry: { minTimeout: -5 } }],
    ['retry.forever', { retry: { forever: true } }],
    ['transport.send', { transport: {} }],
  ])('rejects a bad %s', (field, extra) => {
    const options = { adapters: [webhookAdapter()], ...extra } as unknown as EventRouterOptions
    expect(() => new EventRouter(options)).toThrow(ValidationError)
    expect(() => new EventRouter(options)).toThrow(expect.objectContaining({ field }))
  })

  it('rejects two adapters of the same type', () => {
    expect(() => new EventRouter({ adapters: [webhookAdapter(), webhookAdapter()] })).toThrow(
      expect.objectContaining({ code: 'ERR_DUPLICATE_ID', field: 'adapters.1.type' }),
    )
  })

  it('rejects missing adapters', () => {
    expect(() => new EventRouter({} as EventRouterOptions)).toThrow(
      expect.objectContaining({ field: 'adapters' }),
    )
  })
})
