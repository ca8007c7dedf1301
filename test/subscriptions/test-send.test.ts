import { describe, expect, it } from 'vitest'
import { EventRouter, REDACTED, webhookAdapter } from '../../src/index.js'
import { MockTransport } from '../../src/testing/index.js'
import { INSTANT_RETRY } from '../factories.js'

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'

function setup(transport = new MockTransport()) {
  const router = new EventRouter({ adapters: [webhookAdapter()], transport, retry: INSTANT_RETRY })
  router.integrations.add({
    id: 'crm',
    type: 'webhook',
    config: {
      url: 'https://crm.example/hooks',
      secret: SECRET,
      headers: { authorization: 'Bearer crm-token-123' },
    },
  })
  const sub = router.subscriptions.create({
    event: 'wallet.coins_rewarded',
    integrationId: 'crm',
    filter: { coins: { $gte: 1000 } },
    eventNamePrefix: 'Loyalty ',
    enabled: false,
  })
  return { router, transport, sub }
}

describe('router.subscriptions.test', () => {
  it('sends one real delivery whatever the filter and status, marked as a test, with the request redacted', async () => {
    const { router, transport, sub } = setup(new MockTransport({ status: 200, body: 'thanks' }))
    const outcome = await router.subscriptions.test(sub.id, { coins: 5 })
    expect(outcome.result).toMatchObject({
      status: 'succeeded',
      attempts: 1,
      delivery: { subscriptionId: sub.id },
    })
    expect(outcome.response).toEqual({ status: 200, headers: {}, bodyExcerpt: 'thanks' })
    expect(outcome.request).toMatchObject({
      method: 'POST',
      url: 'https://crm.example/hooks',
      headers: { 'webhook-test': 'true', authorization: REDACTED, 'webhook-signature': REDACTED },
    })
    expect(JSON.parse(outcome.request?.body ?? '')).toMatchObject({
      type: 'Loyalty wallet.coins_rewarded',
      data: { coins: 5, eventrouter_test: true },
    })
    expect(JSON.stringify(outcome)).not.toContain('crm-token-123')
    expect(transport.requests).toHaveLength(1)
    expect(transport.requests[0]?.headers['webhook-test']).toBe('true')
  })

  it('makes one attempt by default, and reports the failure with the response excerpt', async () => {
    const { router, transport, sub } = setup(new MockTransport({ status: 500, body: 'database down' }))
    const outcome = await router.subscriptions.test(sub.id, { coins: 5 })
    expect(outcome.result).toMatchObject({ status: 'failed', attempts: 1, reason: 'retries_exhausted' })
    expect(outcome.response).toMatchObject({ status: 500, bodyExcerpt: 'database down' })
    expect(transport.requests).toHaveLength(1)
    const retried = await router.subscriptions.test(sub.id, { coins: 5 }, { retries: 2 })
    expect(retried.result.attempts).toBe(3)
  })

  it('is not reported on lifecycle events', async () => {
    const { router, sub } = setup()
    const seen: string[] = []
    router.on('deliverySucceeded', () => {
      seen.push('succeeded')
    })
    await router.subscriptions.test(sub.id, { coins: 5 })
    expect(seen).toEqual([])
  })

  it('rejects bad calls with typed errors', async () => {
    const { router, sub } = setup()
    await expect(router.subscriptions.test('nope', {})).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' })
    await expect(router.subscriptions.test(sub.id)).rejects.toMatchObject({ field: 'payload' })
    await expect(router.subscriptions.test(sub.id, {}, { retries: 99 })).rejects.toMatchObject({
      field: 'options.retries',
    })
    const all = router.subscriptions.create({ event: '*', integrationId: 'crm' })
    await expect(router.subscriptions.test(all.id, {})).rejects.toMatchObject({ field: 'options.event' })
    await expect(router.subscriptions.test(all.id, {}, { event: 'coupon.created' })).resolves.toMatchObject({
      result: { delivery: { eventName: 'coupon.created' } },
    })
  })

  // Found by the public API fuzz suite (issue #5): options were read unchecked, so these
  // rejected with a TypeError or the host's own error.
  it('rejects options that are not { event?, retries? } with a ValidationError', async () => {
    const { router, sub } = setup()
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('trap')
        },
      },
    )
    for (const options of [null, 'coupon.created', hostile, { event: 5 }, { retry: 1 }]) {
      await expect(router.subscriptions.test(sub.id, {}, options as never)).rejects.toMatchObject({
        code: 'ERR_VALIDATION',
        field: expect.stringMatching(/^options/),
      })
    }
  })
})

describe('router.subscriptions.test with an unreadable payload', () => {
  it('rejects a payload whose getter throws with a ValidationError naming the field', async () => {
    const router = new EventRouter({ adapters: [webhookAdapter()], transport: new MockTransport() })
    router.integrations.add({
      id: 'crm',
      type: 'webhook',
      config: { url: 'https://crm.example/', signing: false },
    })
    const subscription = router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
    const payload = Object.defineProperty({}, 'coins', {
      enumerable: true,
      get: () => {
        throw new Error('getter')
      },
    })
    await expect(router.subscriptions.test(subscription.id, payload)).rejects.toMatchObject({
      code: 'ERR_VALIDATION',
      field: 'payload.coins',
    })
  })
})
