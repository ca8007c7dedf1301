import { EventRouter, webhookAdapter } from 'eventrouter'
import { MockTransport } from 'eventrouter/testing'
import { expect, it } from 'vitest'

it('sends big rewards to the CRM, retrying a 503', async () => {
  const transport = new MockTransport().failTimes(1, 503) // then 200
  const router = new EventRouter({ adapters: [webhookAdapter()], transport, retry: { minTimeout: 0 } })
  router.integrations.add({
    id: 'crm',
    type: 'webhook',
    config: { url: 'https://crm.example/hooks', signing: false },
  })
  router.subscriptions.create({
    event: 'wallet.coins_rewarded',
    integrationId: 'crm',
    filter: { coins: { $gte: 100 } },
    eventNamePrefix: 'Loyalty ',
  })
  router.emit('wallet.coins_rewarded', { coins: 150 })
  await router.onIdle()
  expect(transport.requests).toHaveLength(2)
  expect(transport.requests[1]?.json()).toMatchObject({ type: 'Loyalty wallet.coins_rewarded' })
  await router.close()
})
