import { z } from 'zod'
import { defineAdapter, EventRouter, type EventRouterOptions, webhookAdapter } from '../src/index.js'
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

/**
 * An API-style destination, type `api`, config `{ url }`: it keeps the default classification
 * (`classifyHttpResponse`: 2xx succeed; 408, 425, 429 and 5xx but 501/505 are retried; other
 * 4xx and 3xx fail at once). For tests that need a final 4xx, which the webhook adapter no
 * longer gives: it retries every non-2xx but 410, as Standard Webhooks asks.
 */
export const apiAdapter = defineAdapter({
  type: 'api',
  configSchema: z.strictObject({ url: z.url() }),
  buildRequest: ({ event, config, delivery }) => ({
    method: 'POST',
    url: config.url,
    headers: { 'content-type': 'application/json', 'idempotency-key': delivery.id },
    body: JSON.stringify({ id: event.id, type: event.outgoingName, data: event.payload }),
  }),
})

/**
 * A router with the webhook adapter (and {@link apiAdapter}), a mock transport, one unsigned
 * webhook integration `crm` and no subscription.
 */
export function createRouter(options: Partial<EventRouterOptions> = {}) {
  const transport = options.transport instanceof MockTransport ? options.transport : new MockTransport()
  const router = new EventRouter({
    adapters: [webhookAdapter(), apiAdapter],
    transport,
    retry: INSTANT_RETRY,
    ...options,
  })
  router.integrations.add({
    id: 'crm',
    type: 'webhook',
    config: { url: 'https://crm.example/hooks', signing: false },
  })
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
