import { afterEach } from 'vitest'
import { EventRouter, webhookAdapter } from '../../src/index.js'
import { MockTransport } from '../../src/testing/index.js'
import { INSTANT_RETRY } from '../factories.js'

/**
 * Returns a function that builds a router with a mock transport and one integration, `crm`,
 * and closes every router it built after each test. Call it at the top of a test file.
 */
export function useRouters(): () => EventRouter {
  const routers: EventRouter[] = []
  afterEach(async () => {
    await Promise.all(routers.splice(0).map((router) => router.close()))
  })
  return () => {
    const router = new EventRouter({
      adapters: [webhookAdapter()],
      transport: new MockTransport(),
      retry: INSTANT_RETRY,
    })
    routers.push(router)
    router.integrations.add({
      id: 'crm',
      type: 'webhook',
      // Signed: the webhook adapter accepts that config with or without a `signing` option.
      config: { url: 'https://crm.example/hooks', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
    })
    return router
  }
}
