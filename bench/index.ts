import { loadBuild } from './lib/load-build.js'
import { describeMachine, printTable, writeResults } from './lib/report.js'
import type { Suite } from './lib/suite.js'
import { deliverySuite } from './suites/delivery.js'
import { filtersSuite } from './suites/filters.js'
import { memorySuite } from './suites/memory.js'
import { routingSuite } from './suites/routing.js'

/*
 * npm run bench                    every suite
 * npm run bench -- filters routing the named suites
 * BENCH_QUICK=1 npm run bench      tiny sizes: checks that the suites work, measures nothing
 */
const SUITES: readonly Suite[] = [filtersSuite, routingSuite, deliverySuite, memorySuite]

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
    config: result.config,
    tables: result.tables,
    results: result.results,
    notes: result.notes ?? [],
    processWarnings: Object.fromEntries(warnings),
  })
  console.log(`  wrote ${path}`)
}
