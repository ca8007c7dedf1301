import type { z } from 'zod'
import type { businessSchema, customerSchema } from './common.js'

/** The business of every sample payload. */
export const sampleBusiness: z.input<typeof businessSchema> = {
  name: 'Glow Beauty',
  url: 'https://glowbeauty.example',
  coinName: 'Glow Coins',
  currencyCode: 'USD',
  currencySymbol: '$',
}

/** The customer of most sample payloads. */
export const sampleCustomer: z.input<typeof customerSchema> = {
  id: '7390512349',
  name: 'Ana Silva',
  email: 'ana.silva@example.com',
  mobile: '+14155550123',
  tier: 'Gold',
  type: 'member',
  referralCode: 'ANA-7F3K',
}

/** A friend Ana referred: the customer of referee events. */
export const sampleReferee: z.input<typeof customerSchema> = {
  id: '7390518821',
  name: 'Ben Okafor',
  email: 'ben.okafor@example.com',
  tier: null,
  type: 'guest',
  referralCode: 'BEN-2QW9',
}
