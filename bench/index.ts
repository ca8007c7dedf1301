import { baselineRef, loadBaseline, loadBuild } from './lib/load-build.js'
import { describeMachine, printTable, writeResults } from './lib/report.js'
import type { Suite } from './lib/suite.js'
import { batchingSuite } from './suites/batching.js'
import { coldImportSuite } from './suites/cold-import.js'
import { deliverySuite } from './suites/delivery.js'
import { filtersSuite } from './suites/filters.js'
import { fleetSuite } from './suites/fleet.js'
import { fleetConfigSuite } from './suites/fleet-config.js'
import { memorySuite } from './suites/memory.js'
import { outboxSuite } from './suites/outbox.js'
import { routingSuite } from './suites/routing.js'
import { sqliteStoreSuite } from './suites/sqlite-store.js'
import { telemetrySuite } from './suites/telemetry.js'

/*
 * npm run bench                    every suite
 * npm run bench -- filters routing the named suites
 * BENCH_QUICK=1 npm run bench      tiny sizes: checks that the suites work, measures nothing
 *
 * Side by side with an earlier commit, in one process:
 *   BENCH_BASELINE=0b007d7 npm run bench -- routing delivery memory
 * builds that ref's src/ exactly as the working tree's (bench/lib/load-build.ts: `git archive` of
 * the ref into a temporary directory, node_modules symlinked into it, the same tsup settings, the
 * directory removed once built; the repository's index, working tree and worktrees are not
 * touched). The routing, delivery and memory suites then run every case on both builds back to
 * back in each round, in an order rotated from round to round, and report current/baseline as the
 * median of the per-round ratios with its quartiles and extremes (stats.ts summarizeRatio). The
 * filters and sqlite-store suites measure the current build only; cold-import measures each build.
 * The telemetry suite builds its own baseline (src/ with bench/baselines/without-observability.patch)
 * and adds BENCH_BASELINE's build, when set, as a reference.
 *
 * Other settings, all optional:
 *   BENCH_CURRENT=<ref>       build the "current" side from a commit instead of src/ on disk
 *                             (while src/ is being edited); the JSON's `source` says which
 *   BENCH_ROUNDS=<n>          rounds of routing, delivery and memory (defaults: routing 7, or 15
 *                             with a baseline; delivery 5; memory 1, or 3 with a baseline)
 *   BENCH_CONCURRENCY=16      delivery: only these concurrencies (comma-separated; default 1,16,64)
 *   BENCH_SQLITE_PENDING=<n>  memory: deliveries held in sqliteStore() (default 500,000; 0 skips)
 *   BENCH_SQLITE_LARGE=<n>    sqlite-store: size of the "claimable in order" run (default 500,000)
 *   BENCH_RESULTS_DIR=<dir>   where the JSON goes (default bench/results/)
 *   BENCH_OUTBOX_*, PG*       outbox: sizes and the PostgreSQL server (bench/suites/outbox.ts)
 *   BENCH_FLEET_EVENTS=<n>    fleet: deliveries per throughput run (default 20,000); Redis on 127.0.0.1:6379
 *   BENCH_FLEET_MERCHANTS=<l> fleet-config: merchants per run (default 1000,5000); Redis too
 */
const SUITES: readonly Suite[] = [
  filtersSuite,
  routingSuite,
  deliverySuite,
  memorySuite,
  sqliteStoreSuite,
  coldImportSuite,
  batchingSuite,
  outboxSuite,
  telemetrySuite,
  fleetSuite,
  fleetConfigSuite,
]

const quick = process.env.BENCH_QUICK === '1'
const requested = process.argv.slice(2).filter((arg) => !arg.startsWith('-'))
const unknown = requested.filter((name) => !SUITES.some((suite) => suite.name === name))
if (unknown.length > 0) {
  console.error(
    `Unknown suite ${unknown.map((name) => `\`${name}\``).join(', ')}; expected one of ${SUITES.map((suite) => suite.name).join(', ')}.`,
  )
  process.exit(2)
}
const selected = requested.length === 0 ? SUITES : SUITES.filter((suite) => requested.includes(suite.name))

if (typeof globalThis.gc !== 'function') {
  console.warn('gc() is not exposed: run through `npm run bench` (node --expose-gc) for steadier figures.')
}
// Node warnings (e.g. MaxListenersExceededWarning) are findings too: count them per suite.
const warnings = new Map<string, number>()
process.on('warning', (warning) => warnings.set(warning.name, (warnings.get(warning.name) ?? 0) + 1))

const machine = describeMachine()
console.log(
  `eventrouter benchmarks${quick ? ' (BENCH_QUICK: smoke sizes, figures are not meaningful)' : ''}\n` +
    `node ${machine.node}, ${machine.cpuCount} x ${machine.cpus[0]?.model ?? 'unknown CPU'}, load ${machine.loadAverage.join(' ')}`,
)

for (const suite of selected) {
  console.log(`\n== ${suite.name}: ${suite.description}`)
  const startedAt = new Date()
  warnings.clear()
  const result = await suite.run({ quick })
  for (const table of result.tables) printTable(table.title, table.rows)
  for (const note of result.notes ?? []) console.log(`  note: ${note}`)
  for (const [name, count] of warnings) console.log(`  process warning: ${name} x${count}`)
  const path = writeResults(suite.name, {
    suite: suite.name,
    description: suite.description,
    quick,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    machine: { ...describeMachine(), loadAverageAtStart: machine.loadAverage },
    // Built once, when the first suite started: every suite of a run measures the same code.
    source: (await loadBuild()).source,
    // BENCH_BASELINE: what the A/B suites compared it with (null when not set).
    baseline: baselineRef() === undefined ? null : ((await loadBaseline())?.source ?? null),
    config: result.config,
    tables: result.tables,
    results: result.results,
    notes: result.notes ?? [],
    processWarnings: Object.fromEntries(warnings),
  })
  console.log(`  wrote ${path}`)
}
