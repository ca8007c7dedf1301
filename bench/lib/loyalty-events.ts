import { createPrng, pick } from './prng.js'

/** A synthetic loyalty event payload, shaped like what a host app emits. */
export interface LoyaltyEvent {
  readonly status: 'active' | 'paused' | 'closed'
  readonly coins: number
  readonly balance: number
  readonly reason: 'order' | 'referral' | 'review' | 'birthday' | 'adjustment'
  readonly channel: 'web' | 'app' | 'pos' | 'test'
  readonly customer: {
    readonly id: string
    readonly tier: 'bronze' | 'silver' | 'gold' | 'platinum'
    readonly country: string
    readonly verified: boolean
    readonly tags: readonly string[]
  }
  /** Absent on events not tied to an order (30 %). */
  readonly order?: { readonly total: number; readonly currency: string; readonly items: number }
}

const COUNTRIES = [
  ['FR', 30],
  ['DE', 20],
  ['ES', 15],
  ['IT', 15],
  ['GB', 15],
  ['XX', 5], // unknown country
] as const
const TAGS = ['newsletter', 'vip', 'fraud-review', 'b2b', 'app-user'] as const

/**
 * `count` events from a seeded PRNG: the same events on every run and machine. Shares are
 * chosen so that the benchmark filters match a realistic minority (about 18 % and 8 %).
 */
export function generateLoyaltyEvents(count: number, seed = 0x5eed): LoyaltyEvent[] {
  const random = createPrng(seed)
  const events: LoyaltyEvent[] = new Array(count)
  for (let index = 0; index < count; index++) {
    const tags: string[] = []
    for (const tag of TAGS) if (random() < 0.12) tags.push(tag)
    const event: LoyaltyEvent = {
      status: pick(random, [
        ['active', 80],
        ['paused', 15],
        ['closed', 5],
      ]),
      // Half the events reward 100 coins or more; a few are huge adjustments.
      coins: random() < 0.01 ? 5000 + Math.floor(random() * 50_000) : Math.floor(1 + random() * 199),
      balance: Math.floor(random() * 20_000),
      reason: pick(random, [
        ['order', 60],
        ['referral', 10],
        ['review', 15],
        ['birthday', 5],
        ['adjustment', 10],
      ]),
      channel: pick(random, [
        ['web', 50],
        ['app', 35],
        ['pos', 12],
        ['test', 3],
      ]),
      customer: {
        id: `cus_${(index % 50_000).toString(36)}`,
        tier: pick(random, [
          ['bronze', 50],
          ['silver', 30],
          ['gold', 15],
          ['platinum', 5],
        ]),
        country: pick(random, COUNTRIES),
        verified: random() < 0.9,
        tags,
      },
      ...(random() < 0.7
        ? {
            order: {
              total: Math.round(random() * 20_000) / 100,
              currency: 'EUR',
              items: 1 + Math.floor(random() * 5),
            },
          }
        : {}),
    }
    events[index] = event
  }
  return events
}
