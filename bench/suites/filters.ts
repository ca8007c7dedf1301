import { Query } from 'mingo'
import sift from 'sift'
import { type Build, loadBuild } from '../lib/load-build.js'
import { generateLoyaltyEvents, type LoyaltyEvent } from '../lib/loyalty-events.js'
import { collectGarbage, median, nsSince, pairedRatio, range, rotate } from '../lib/stats.js'
import type { Suite } from '../lib/suite.js'

// sift is CommonJS whose typings declare an ES default export (see test/filters/filter-differential.test.ts).
const siftTester = sift.default

type Test = (event: LoyaltyEvent) => boolean

/** One filter, as JSON (what a host stores) and as the closure a developer would write for it. */
interface FilterCase {
  readonly name: string
  readonly conditions: number
  readonly json: Record<string, unknown>
  readonly closure: Test
}

const FILTERS: readonly FilterCase[] = [
  {
    name: '3 conditions',
    conditions: 3,
    json: { coins: { $gte: 100 }, 'customer.tier': { $in: ['gold', 'silver'] }, status: 'active' },
    closure: (event) =>
      event.coins >= 100 &&
      (event.customer.tier === 'gold' || event.customer.tier === 'silver') &&
      event.status === 'active',
  },
  {
    name: '10 conditions',
    conditions: 10,
    json: {
      status: 'active',
      coins: { $gte: 100, $lte: 20_000 },
      'customer.tier': { $in: ['silver', 'gold', 'platinum'] },
      reason: { $in: ['order', 'referral', 'review'] },
      channel: { $ne: 'test' },
      'customer.country': { $nin: ['XX', 'ZZ'] },
      'customer.verified': true,
      'order.total': { $gte: 20 },
      'customer.tags': { $nin: ['fraud-review'] },
    },
    closure: (event) =>
      event.status === 'active' &&
      event.coins >= 100 &&
      event.coins <= 20_000 &&
      (event.customer.tier === 'silver' ||
        event.customer.tier === 'gold' ||
        event.customer.tier === 'platinum') &&
      (event.reason === 'order' || event.reason === 'referral' || event.reason === 'review') &&
      event.channel !== 'test' &&
      event.customer.country !== 'XX' &&
      event.customer.country !== 'ZZ' &&
      event.customer.verified === true &&
      event.order !== undefined &&
      event.order.total >= 20 &&
      !event.customer.tags.includes('fraud-review'),
  },
]

const ENGINES = ['closure', 'eventrouter', 'sift', 'mingo'] as const
type Engine = (typeof ENGINES)[number]

function createTests({ filters }: Build, filter: FilterCase): Record<Engine, Test> {
  const query = new Query(filter.json)
  return {
    closure: filter.closure,
    eventrouter: filters.compileFilter(filters.parseFilter(filter.json)) as Test,
    sift: siftTester(filter.json) as Test,
    mingo: (event) => query.test(event as unknown as Record<string, unknown>),
  }
}

// One loop for every engine, so its call site sees several closures, as the router's
// `record.matches(payload)` does with many subscriptions: no engine gets inlined into it.
function countMatches(events: readonly LoyaltyEvent[], test: Test): number {
  let matches = 0
  for (let index = 0; index < events.length; index++) if (test(events[index]!)) matches++
  return matches
}

/** Each engine's answer for every event must be the same before anything is timed. */
function assertAgreement(
  filter: FilterCase,
  events: readonly LoyaltyEvent[],
  tests: Record<Engine, Test>,
): number {
  const expected = events.map(filter.closure)
  for (const engine of ENGINES) {
    const test = tests[engine]
    for (let index = 0; index < events.length; index++) {
      if (test(events[index]!) !== expected[index]) {
        throw new Error(
          `${engine} disagrees with the hand-written closure on event ${index} for the ${filter.name} filter: ${JSON.stringify(events[index])}`,
        )
      }
    }
  }
  return expected.filter(Boolean).length
}

export const filtersSuite: Suite = {
  name: 'filters',
  description: 'Filter evaluation: compileFilter vs a hand-written closure, sift and mingo, ns/event',
  async run({ quick }) {
    const eventCount = quick ? 20_000 : 1_000_000
    const rounds = quick ? 2 : 7
    const built = await loadBuild()
    const events = generateLoyaltyEvents(eventCount)
    const results: Record<string, unknown> = {}
    const rows = []

    for (const filter of FILTERS) {
      const tests = createTests(built, filter)
      // Also the warm-up: every engine has run over every event once before timing.
      const matching = assertAgreement(filter, events, tests)
      const samples = Object.fromEntries(ENGINES.map((engine) => [engine, [] as number[]])) as Record<
        Engine,
        number[]
      >
      for (let round = 0; round < rounds; round++) {
        collectGarbage()
        for (const engine of rotate(ENGINES, round)) {
          const start = process.hrtime.bigint()
          const count = countMatches(events, tests[engine])
          const elapsed = nsSince(start)
          if (count !== matching) throw new Error(`${engine} counted ${count} matches, expected ${matching}`)
          samples[engine].push(elapsed / eventCount)
        }
      }
      const ns = Object.fromEntries(ENGINES.map((engine) => [engine, median(samples[engine])])) as Record<
        Engine,
        number
      >
      const ratios = {
        eventrouterOverClosure: pairedRatio(samples.eventrouter, samples.closure),
        siftOverEventrouter: pairedRatio(samples.sift, samples.eventrouter),
        mingoOverEventrouter: pairedRatio(samples.mingo, samples.eventrouter),
      }
      results[filter.name] = {
        filter: filter.json,
        conditions: filter.conditions,
        matching,
        matchingShare: matching / eventCount,
        nsPerEvent: ns,
        spread: Object.fromEntries(ENGINES.map((engine) => [engine, range(samples[engine])])),
        ratios,
        samples,
      }
      rows.push({
        filter: filter.name,
        matching: `${((matching / eventCount) * 100).toFixed(1)} %`,
        'closure ns': ns.closure,
        'eventrouter ns': ns.eventrouter,
        'sift ns': ns.sift,
        'mingo ns': ns.mingo,
        'ours/closure': `${ratios.eventrouterOverClosure.toFixed(2)}x`,
        'sift/ours': `${ratios.siftOverEventrouter.toFixed(1)}x`,
        'mingo/ours': `${ratios.mingoOverEventrouter.toFixed(1)}x`,
      })
    }

    return {
      config: { eventCount, rounds, engines: ENGINES, seed: 0x5eed },
      tables: [
        {
          title: `Filter evaluation, median ns/event over ${rounds} rounds, ${eventCount.toLocaleString('en-US')} events`,
          rows,
        },
      ],
      results,
      notes: [
        'Every engine agreed with the hand-written closure on every event before timing.',
        'Ratios are medians of per-round ratios (each round times every engine, in a rotated order).',
      ],
    }
  },
}
