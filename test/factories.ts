import { EventRouter, type EventRouterOptions, webhookAdapter } from '../src/index.js'
import { MockTransport } from '../src/testing/index.js'

/** Retry policy with known delays (1 s, 2 s, 4 s, ...) and no jitter, for fake timers. */
export const DETERMINISTIC_RETRY = {
  retries: 5,
  factor: 2,
  minTimeout: 1000,
  maxTimeout: 30_000,
  randomize: false,
}

/** Retry policy with no waits at all, for tests that do not look at time. */
export const INSTANT_RETRY = { retries: 5, minTimeout: 0, maxTimeout: 0, randomize: false }

/** A router with the webhook adapter, a mock transport, one integration `crm` and no subscription. */
export function createRouter(options: Partial<EventRouterOptions> = {}) {
  const transport = options.transport instanceof MockTransport ? options.transport : new MockTransport()
  const router = new EventRouter({
    adapters: [webhookAdapter()],
    transport,
    retry: INSTANT_RETRY,
    ...options,
  })
  router.integrations.add({ id: 'crm', type: 'webhook', config: { url: 'https://crm.example/hooks' } })
  return { router, transport }
}

/** A realistic "Wallet Coins Rewarded" payload. */
export function coinsRewarded(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    coins: 150,
    balance: 1200,
    reason: 'order',
    customer: { id: 'cus_1', email: 'ana@example.com', tier: 'gold' },
    ...overrides,
  }
}
