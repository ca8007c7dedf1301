import { describe, expect, it } from 'vitest'
import { EventRouter, REDACTED, ValidationError, webhookAdapter } from '../../src/index.js'
import { MockTransport } from '../../src/testing/index.js'

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'

function configured() {
  const transport = new MockTransport()
  const router = new EventRouter({ adapters: [webhookAdapter()], transport })
  router.integrations.add({
    id: 'crm',
    type: 'webhook',
    config: { url: 'https://crm.example/', secret: SECRET },
  })
  router.subscriptions.create({
    id: 'sub-1',
    event: ['wallet.coins_rewarded', 'coupon.created'],
    integrationId: 'crm',
    filter: { coins: { $gte: 100 } },
    eventNamePrefix: 'Loyalty ',
  })
  router.subscriptions.create({ id: 'sub-2', event: '*', integrationId: 'crm', enabled: false })
  router.events.disable('review.created')
  return { router, transport }
}

describe('EventRouter.toJSON / fromJSON', () => {
  it('redacts secrets by default, also through JSON.stringify', () => {
    const { router } = configured()
    expect(router.toJSON().integrations[0]?.config).toEqual({ url: 'https://crm.example/', secret: REDACTED })
    expect(JSON.stringify(router)).not.toContain(SECRET)
    expect(router.toJSON({ includeSecrets: true }).integrations[0]?.config.secret).toBe(SECRET)
  })

  it('round-trips through JSON text to an equivalent router', () => {
    const { router } = configured()
    const snapshot = JSON.parse(JSON.stringify(router.toJSON({ includeSecrets: true })))
    const restored = EventRouter.fromJSON(snapshot, {
      adapters: [webhookAdapter()],
      transport: new MockTransport(),
    })
    expect(restored.toJSON({ includeSecrets: true })).toEqual(router.toJSON({ includeSecrets: true }))
    expect(restored.emit('coupon.created', { coins: 150 }).deliveries).toMatchObject([
      { subscriptionId: 'sub-1', outgoingName: 'Loyalty coupon.created' },
    ])
    expect(restored.emit('coupon.created', { coins: 50 }).deliveries).toHaveLength(0)
    expect(restored.events.isEnabled('review.created')).toBe(false)
  })

  it('rejects a bad snapshot with the location of the problem', () => {
    const { router } = configured()
    const redacted = router.toJSON()
    const options = { adapters: [webhookAdapter()], transport: new MockTransport() }
    expect(() => EventRouter.fromJSON(redacted, options)).toThrow(
      expect.objectContaining({ field: 'integrations.0.config.secret' }),
    )
    const dangling = { ...router.toJSON({ includeSecrets: true }), integrations: [] }
    expect(() => EventRouter.fromJSON(dangling, options)).toThrow(
      expect.objectContaining({ field: 'subscriptions.0' }),
    )
    expect(() => EventRouter.fromJSON({ version: 2 }, options)).toThrow(ValidationError)
  })
})
