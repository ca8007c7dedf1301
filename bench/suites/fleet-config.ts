import { randomBytes, randomUUID } from 'node:crypto'
import type { EventRouter } from '../../src/index.js'
import { deletePrefix, pingRedis, REDIS_URL } from '../../test/support/redis.js'
import { type Build, loadBuilds } from '../lib/load-build.js'
import { noopTransport } from '../lib/noop-transports.js'
import type { Row } from '../lib/report.js'
import {
  collectGarbage,
  formatRatio,
  median,
  range,
  rotate,
  roundsFromEnv,
  summarizeRatio,
} from '../lib/stats.js'
import type { Suite } from '../lib/suite.js'

/*
 * npm run bench -- fleet-config
 *   BENCH_QUICK=1                 smoke sizes
 *   BENCH_FLEET_MERCHANTS=<list>  merchants per run, comma-separated (default 1000,5000)
 *   BENCH_ROUNDS=<n>              rounds (default 3)
 *   BENCH_BASELINE=<ref>          the same runs on that ref's build, side by side
 *
 * What one configuration change costs a fleet: two routers in this process on one Redis prefix,
 * one that edits (`deliver: false`) and one that follows it, with N merchants (a webhook
 * integration and a subscription each). Each round makes 20 edits (a subscription switched on or
 * off), 40 ms apart so that the follower reads each one alone, and measures this process's CPU
 * (both routers, every thread) per edit until the follower has applied them all.
 */

const EDITS = 20
const EDIT_GAP_MS = 40
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'

interface ConfigCase {
  readonly build: Build
  readonly merchants: number
  readonly editor: EventRouter
  readonly follower: EventRouter
  readonly prefix: string
  round: number
}

async function configCase(build: Build, merchants: number): Promise<ConfigCase> {
  const redis = build.redis
  if (redis === undefined) throw new Error(`the ${build.label} build has no Redis store`)
  const { EventRouter, webhookAdapter } = build.eventrouter
  const prefix = `eventrouter-bench-fleet-config-${randomUUID().slice(0, 8)}`
  const keys = [{ id: 'bench', key: randomBytes(32) }]
  const router = () =>
    new EventRouter({
      adapters: [webhookAdapter()],
      transport: noopTransport,
      store: redis.redisStore({ connection: REDIS_URL, prefix }),
      secrets: { keys },
    })
  const editor = router()
  await editor.start({ deliver: false })
  for (let index = 0; index < merchants; index++) {
    const merchant = editor.tenant(`m${index}`)
    merchant.integrations.add({
      id: 'klaviyo',
      type: 'webhook',
      config: { url: `https://m${index}.example/hooks`, secret: SECRET },
    })
    merchant.subscriptions.create({ id: 'sub', event: 'wallet.coins_rewarded', integrationId: 'klaviyo' })
  }
  // The follower's interval read stays out of the way: it follows by the store's notices.
  const follower = router()
  await follower.start({ syncIntervalMs: 60_000 })
  return { build, merchants, editor, follower, prefix, round: 0 }
}

/** CPU ms per edit in this process, from the first edit until the follower applied the last. */
async function timeEdits(item: ConfigCase): Promise<number> {
  const enabled = item.round++ % 2 === 0
  const cpu = process.cpuUsage()
  for (let index = 0; index < EDITS; index++) {
    item.editor.tenant(`m${index}`).subscriptions.update('sub', { enabled })
    await new Promise((resolve) => setTimeout(resolve, EDIT_GAP_MS))
  }
  const applied = () =>
    Array.from({ length: EDITS }, (_, index) => index).every(
      (index) => item.follower.tenant(`m${index}`).subscriptions.get('sub')?.enabled === enabled,
    )
  for (let waited = 0; !applied(); waited += 10) {
    if (waited > 60_000) throw new Error(`the follower did not apply ${EDITS} edits within 60 s`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  const used = process.cpuUsage(cpu)
  return (used.user + used.system) / 1000 / EDITS
}

export const fleetConfigSuite: Suite = {
  name: 'fleet-config',
  description:
    'CPU one configuration change costs a fleet of two routers on Redis, with thousands of merchants',
  async run({ quick }) {
    if (!(await pingRedis())) throw new Error('fleet-config needs Redis on 127.0.0.1:6379')
    const sizes = quick
      ? [20]
      : (process.env.BENCH_FLEET_MERCHANTS ?? '1000,5000').split(',').map((size) => Number(size))
    const rounds = quick ? 1 : roundsFromEnv(3)
    const builds = await loadBuilds()
    const cases: ConfigCase[] = []
    const samples = new Map<ConfigCase, number[]>()
    try {
      for (const merchants of sizes) {
        for (const build of builds) {
          const item = await configCase(build, merchants)
          cases.push(item)
          samples.set(item, [])
          await timeEdits(item) // warm-up: the first read of every record
        }
      }
      for (let round = 0; round < rounds; round++) {
        for (const item of rotate(cases, round)) {
          collectGarbage()
          samples.get(item)?.push(await timeEdits(item))
        }
      }
    } finally {
      for (const item of cases) await Promise.all([item.editor.close(), item.follower.close()])
      await Promise.all(cases.map((item) => deletePrefix(item.prefix)))
    }
    const rows: Row[] = []
    const results: Record<string, unknown> = {}
    for (const item of cases) {
      const mine = samples.get(item) ?? []
      const current = cases.find((other) => other.merchants === item.merchants && !other.build.isBaseline)
      const overCurrent = current ? summarizeRatio(mine, samples.get(current) ?? []) : undefined
      const name = `${item.build.label}, ${item.merchants} merchants`
      results[name] = { cpuMsPerEdit: median(mine), spread: range(mine), overCurrent, samples: mine }
      rows.push({
        contender: name,
        'CPU ms/edit': Math.round(median(mine) * 10) / 10,
        'min–max': `${range(mine).min.toFixed(1)}–${range(mine).max.toFixed(1)}`,
        'vs current': overCurrent && item.build.isBaseline ? formatRatio(overCurrent) : '',
      })
    }
    return {
      config: {
        rounds,
        edits: EDITS,
        editGapMs: EDIT_GAP_MS,
        sizes,
        builds: builds.map((build) => build.label),
      },
      tables: [
        {
          title: `One configuration change in a fleet of two routers: CPU per edit (both routers), ${EDITS} edits per round, median over ${rounds} rounds`,
          rows,
        },
      ],
      results,
      notes: [
        "Both routers run in this process: the CPU is the editor's write and the follower's read and apply, not the Redis server's.",
        'Ratios: median of per-round ratios (quartiles in brackets); "vs current" > 1 means the baseline costs more.',
      ],
    }
  },
}
