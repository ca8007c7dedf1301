import { describe, expect, it } from 'vitest'
import type { KlaviyoConfig } from '../../../src/adapters/klaviyo/index.js'
import { klaviyoAdapter } from '../../../src/adapters/klaviyo/index.js'
import { EventCreateQueryV2 } from './create-event-request-schema.js'

// Every body the adapter builds must validate against our transcription of Klaviyo's
// published request schema (see create-event-request-schema.ts for the source and commit).
const API_KEY = 'pk_9b3c1f0e7a2d4c6b8e0f1a2b3c4d5e6f7a'
const adapter = klaviyoAdapter()
const customer = {
  id: 'cus_981',
  name: 'Ana Lima',
  email: 'ana@example.com',
  mobile: '+919876543210',
  tier: 'gold',
  referralCode: 'ANA150',
}
const business = {
  name: 'Acme Coffee',
  url: 'https://acme.example',
  coinName: 'Beans',
  currency: 'INR',
  currencySymbol: '₹',
}
const payload = { coins: 150, balance: 1350, reason: 'order', customer, business }

async function build(config: Record<string, unknown>, eventPayload: Record<string, unknown>, name: string) {
  const parsed: KlaviyoConfig = adapter.configSchema.parse({ apiKey: API_KEY, ...config })
  const request = await adapter.buildRequest({
    event: {
      id: 'evt_1',
      name: 'x',
      outgoingName: name,
      payload: eventPayload,
      occurredAt: new Date('2026-11-01T10:00:00.000Z'),
    },
    config: parsed,
    delivery: {
      tenant: null,
      id: '0b0e7c5e-5b7c-4a55-9d1e-7f0c1b2a3d4e',
      eventId: 'evt_1',
      eventName: 'x',
      outgoingName: name,
      subscriptionId: 's',
      integrationId: 'i',
      integrationType: 'klaviyo',
    },
    attempt: 1,
  })
  return JSON.parse(request.body ?? '') as unknown
}

describe('Create Event request bodies against EventCreateQueryV2', () => {
  it.each<[string, Record<string, unknown>, Record<string, unknown>, string]>([
    ['the sample with the default config', {}, payload, 'Loyalty wallet.coins_rewarded'],
    ['email only', { profile: { email: 'customer.email' } }, payload, 'Loyalty wallet.coins_rewarded'],
    ['phone only', {}, { coins: 5, customer: { mobile: '+14155550123' } }, 'wallet.coins_rewarded'],
    ['numeric external id only', {}, { customer: { id: 981 } }, 'coupon.created'],
    [
      'a non-E.164 phone left out',
      {},
      { customer: { ...customer, mobile: '98765 43210' } },
      'Loyalty coupon.created',
    ],
    [
      'value and currency',
      { valuePath: 'order.total', valueCurrencyPath: 'business.currency' },
      { ...payload, order: { total: 499.5, items: [{ sku: 'BEAN-1', qty: 2 }] } },
      'Loyalty order.created',
    ],
    [
      'a lower-case currency',
      { valuePath: 'coins', valueCurrencyPath: 'cur' },
      { ...payload, cur: 'inr' },
      'Loyalty x',
    ],
    [
      'nested arrays, nulls and unicode',
      {},
      { ...payload, tags: ['☕', null, { deep: [1, [2]] }] },
      'Lealtad café ☕',
    ],
    ['a 127-character metric name', {}, payload, 'L'.repeat(127)],
    [
      'a custom revision and base URL',
      { revision: '2026-04-15', baseUrl: 'http://127.0.0.1:4010' },
      payload,
      'x',
    ],
  ])('%s', async (_case, config, eventPayload, name) => {
    const body = await build(config, eventPayload, name)
    const result = EventCreateQueryV2.safeParse(body)
    expect(result.error?.issues ?? []).toEqual([])
  })

  it.each<[string, (body: { data: { type: string; attributes: Record<string, unknown> } }) => void, string]>([
    [
      'a camelCase phoneNumber',
      (b) => {
        ;(
          b.data.attributes.profile as { data: { attributes: Record<string, unknown> } }
        ).data.attributes.phoneNumber = '+14155550123'
      },
      'data.attributes.profile.data.attributes',
    ],
    [
      'no profile',
      (b) => {
        delete b.data.attributes.profile
      },
      'data.attributes.profile',
    ],
    [
      'a time without offset',
      (b) => {
        b.data.attributes.time = '2026-11-01T10:00:00'
      },
      'data.attributes.time',
    ],
    [
      'a wrong type',
      (b) => {
        b.data.type = 'events'
      },
      'data.type',
    ],
    [
      'a string value',
      (b) => {
        b.data.attributes.value = '499.5'
      },
      'data.attributes.value',
    ],
    [
      'an unknown top-level member',
      (b) => {
        Object.assign(b, { event: { name: 'Loyalty wallet.coins_rewarded' } })
      },
      '',
    ],
  ])('rejects a deliberately wrong body: %s', async (_case, breakIt, path) => {
    const body = (await build({}, payload, 'Loyalty wallet.coins_rewarded')) as Parameters<typeof breakIt>[0]
    expect(EventCreateQueryV2.safeParse(body).success).toBe(true)
    breakIt(body)
    const result = EventCreateQueryV2.safeParse(body)
    expect(result.success).toBe(false)
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toContain(path)
  })
})
