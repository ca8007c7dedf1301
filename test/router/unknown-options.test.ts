import { describe, expect, it } from 'vitest'
import { EventRouter, webhookAdapter } from '../../src/index.js'
import { MockTransport } from '../../src/testing/index.js'
import { createRouter } from '../factories.js'

/** What a misspelt key must give: a ValidationError naming it, with the key that was meant. */
function unknownKey(field: string, meant: string) {
  return expect.objectContaining({
    code: 'ERR_VALIDATION',
    field,
    issues: [{ path: field, message: `unknown field; did you mean \`${meant}\`?` }],
  })
}

describe('misspelt option keys are refused at every level, with the key that was meant', () => {
  it('new EventRouter(): top level and nested', () => {
    const adapters = [webhookAdapter()]
    expect(() => new EventRouter({ adapters, timeout: 5000 } as never)).toThrow(
      unknownKey('timeout', 'timeoutMs'),
    )
    expect(() => new EventRouter({ adapters, retry: { retrys: 3 } } as never)).toThrow(
      unknownKey('retry.retrys', 'retries'),
    )
    expect(() => new EventRouter({ adapters, circuitBreaker: { failureTreshold: 3 } } as never)).toThrow(
      unknownKey('circuitBreaker.failureTreshold', 'failureThreshold'),
    )
    expect(() => new EventRouter({ adapters, tenants: { maxPendng: 3 } } as never)).toThrow(
      unknownKey('tenants.maxPendng', 'maxPending'),
    )
  })

  it('a key close to nothing known is still refused, without a guess', () => {
    expect(() => new EventRouter({ adapters: [webhookAdapter()], colour: 'blue' } as never)).toThrow(
      expect.objectContaining({ field: 'colour', issues: [{ path: 'colour', message: 'unknown field' }] }),
    )
  })

  it('emit() and emitAsync(): nothing is dispatched', async () => {
    const transport = new MockTransport()
    const { router } = createRouter({ transport })
    router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
    expect(() => router.emit('a.b', {}, { occuredAt: 1 } as never)).toThrow(
      unknownKey('options.occuredAt', 'occurredAt'),
    )
    // `signal` belongs to emitAsync() only: emit() does not wait.
    expect(() => router.emit('a.b', {}, { signal: AbortSignal.abort() } as never)).toThrow(
      expect.objectContaining({ field: 'options.signal' }),
    )
    await expect(router.emitAsync('a.b', {}, { signl: 1 } as never)).rejects.toMatchObject(
      unknownKey('options.signl', 'signal'),
    )
    expect(() => router.tenant('acme').emit('a.b', {}, { idd: 'x' } as never)).toThrow(
      unknownKey('options.idd', 'id'),
    )
    expect(router.pendingCount).toBe(0)
    expect(transport.requests).toHaveLength(0)
    await router.close()
  })

  it('close(), onIdle(), test sends, dead letters and records', async () => {
    const { router } = createRouter()
    const subscription = router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
    expect(() => router.onIdle({ signa: 1 } as never)).toThrow(unknownKey('signa', 'signal'))
    await expect(
      router.subscriptions.test(subscription.id, {}, { retires: 1 } as never),
    ).rejects.toMatchObject(unknownKey('options.retires', 'retries'))
    await expect(router.deadLetters.list({ integrationid: 'crm' } as never)).rejects.toMatchObject(
      unknownKey('integrationid', 'integrationId'),
    )
    await expect(router.deadLetters.redeliver([], { signl: 1 } as never)).rejects.toMatchObject(
      unknownKey('signl', 'signal'),
    )
    expect(() =>
      router.integrations.add({ id: 'x', type: 'webhook', confg: { url: 'https://x.example' } } as never),
    ).toThrow(expect.objectContaining({ code: 'ERR_VALIDATION' }))
    expect(() =>
      router.subscriptions.create({ event: 'a.b', integrationId: 'crm', filtr: {} } as never),
    ).toThrow(unknownKey('filtr', 'filter'))
    // Nothing changed.
    expect(router.subscriptions.list()).toHaveLength(1)
    expect(router.integrations.list()).toHaveLength(1)
    expect(() => router.close({ timeout: 1 } as never)).toThrow(unknownKey('timeout', 'timeoutMs'))
    await router.close()
  })
})
