import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const ROOT = join(import.meta.dirname, '..', '..')

// Checks that the bench suites work, in BENCH_QUICK mode: exit code and the shape of their JSON.
// Never the figures: they depend on the machine and are not what a test can judge.
describe('npm run bench (BENCH_QUICK=1)', () => {
  // A directory of its own, so that the smoke runs never overwrite bench/results/ of a real run.
  let resultsDir: string
  beforeAll(async () => {
    resultsDir = await mkdtemp(join(tmpdir(), 'eventrouter-bench-'))
  })
  afterAll(() => rm(resultsDir, { recursive: true, force: true }))

  /** Runs bench/index.ts on `suites`; `env` adds to the environment. Returns stdout. */
  async function bench(suites: readonly string[], env: Record<string, string>, timeout: number) {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', 'bench/index.ts', ...suites],
      {
        cwd: ROOT,
        env: { ...process.env, BENCH_QUICK: '1', BENCH_RESULTS_DIR: resultsDir, ...env },
        timeout,
        maxBuffer: 16 * 2 ** 20,
      },
    )
    return stdout
  }
  const report = async (suite: string) =>
    JSON.parse(await readFile(join(resultsDir, `${suite}.json`), 'utf8'))
  // What the bench makes in TMPDIR (a baseline checkout, SQLite files) is named eventrouter-*;
  // tsx keeps its own cache there too.
  const leftBehind = async (dir: string) =>
    (await readdir(dir)).filter((name) => name.startsWith('eventrouter-'))

  it('filters: exits 0 and writes filters.json with one entry per filter', async () => {
    const stdout = await bench(['filters'], {}, 60_000)

    expect(stdout).toContain('Filter evaluation')
    const filters = await report('filters')
    expect(filters).toMatchObject({
      suite: 'filters',
      quick: true,
      machine: { node: process.version, cpuCount: expect.any(Number), gcExposed: true },
      config: { eventCount: expect.any(Number), rounds: expect.any(Number) },
      baseline: null,
    })
    expect(Object.keys(filters.results)).toEqual(['3 conditions', '10 conditions'])
    for (const result of Object.values<Record<string, unknown>>(filters.results)) {
      expect(result).toMatchObject({
        matching: expect.any(Number),
        nsPerEvent: {
          closure: expect.any(Number),
          eventrouter: expect.any(Number),
          sift: expect.any(Number),
          mingo: expect.any(Number),
        },
        ratios: {
          eventrouterOverClosure: expect.any(Number),
          siftOverEventrouter: expect.any(Number),
          mingoOverEventrouter: expect.any(Number),
        },
      })
      expect(result.matching).toBeGreaterThan(0)
    }
  }, 60_000)

  const ratio = {
    median: expect.any(Number),
    q1: expect.any(Number),
    q3: expect.any(Number),
    min: expect.any(Number),
    max: expect.any(Number),
    rounds: expect.any(Number),
  }

  // BENCH_BASELINE=HEAD: the committed src/ against src/ on disk, the same code or nearly, which
  // is all this test needs. A TMPDIR of its own shows that the baseline's checkout and the SQLite
  // files are removed afterwards.
  it('routing and memory with BENCH_BASELINE: both builds, paired ratios, the SQLite cases; nothing left behind', async () => {
    const scratch = join(resultsDir, 'tmp-ab')
    await mkdir(scratch)
    const stdout = await bench(['routing', 'memory'], { BENCH_BASELINE: 'HEAD', TMPDIR: scratch }, 120_000)

    expect(stdout).toContain('Current over baseline')
    expect(await leftBehind(scratch)).toEqual([])

    const routing = await report('routing')
    expect(routing).toMatchObject({
      suite: 'routing',
      quick: true,
      baseline: { ref: 'HEAD', commit: expect.stringMatching(/^[0-9a-f]{40}$/) },
      config: { rounds: expect.any(Number), builds: [{ label: 'current' }, { label: expect.any(String) }] },
    })
    const cases = [
      '0 matching among 100',
      '1 matching among 1',
      '1 matching among 100',
      '1 matching among 1,000',
      'spread: 10 matching among 1,000',
    ]
    const sqliteCase = '1 matching among 1, sqliteStore()'
    expect(Object.keys(routing.results)).toEqual([
      ...cases,
      sqliteCase,
      'scaling',
      'calibration',
      'baseline',
      'vsBaseline',
    ])
    for (const name of [...cases.slice(1), sqliteCase]) {
      expect(routing.results[name]).toMatchObject({
        emitNs: expect.any(Number),
        drainNsPerDelivery: expect.any(Number),
        drainCpuNsPerDelivery: expect.any(Number),
        cpuNsPerDelivery: expect.any(Number),
      })
    }
    expect(Object.keys(routing.results.baseline.cases)).toEqual(expect.arrayContaining(cases))
    expect(Object.keys(routing.results.vsBaseline)).toEqual(expect.arrayContaining(cases))
    expect(routing.results.vsBaseline['1 matching among 1']).toMatchObject({
      emitNs: ratio,
      drainNsPerDelivery: ratio,
      drainCpuNsPerDelivery: ratio,
      cpuNsPerDelivery: ratio,
    })

    const memory = await report('memory')
    expect(memory).toMatchObject({ suite: 'memory', baseline: { ref: 'HEAD' } })
    expect(memory.results.measurements).toHaveLength(2)
    expect(Object.keys(memory.results.vsBaseline)).toEqual(['1000', '2000'])
    expect(memory.results.vsBaseline['1000']).toMatchObject({ bytesPerPending: ratio, untilInFlight: ratio })
    expect(memory.results.sqlite).toMatchObject({
      pending: memory.config.sqlitePending,
      pendingAfterRestart: expect.any(Number),
      heapUsedBytes: expect.any(Number),
      fileBytesPerPendingClosed: expect.any(Number),
    })
    expect(memory.results.sqlite.pendingAfterRestart).toBeGreaterThan(0)
  }, 120_000)

  it('delivery (c=16, with BENCH_BASELINE) and sqlite-store: every contender and table', async () => {
    const scratch = join(resultsDir, 'tmp-delivery')
    await mkdir(scratch)
    await bench(
      ['delivery', 'sqlite-store'],
      { BENCH_BASELINE: 'HEAD', BENCH_CONCURRENCY: '16', TMPDIR: scratch },
      120_000,
    )
    expect(await leftBehind(scratch)).toEqual([])

    const delivery = await report('delivery')
    expect(delivery).toMatchObject({ suite: 'delivery', config: { concurrencies: [16] } })
    const keys = Object.keys(delivery.results)
    expect(keys).toHaveLength(8)
    const byName = (name: string) => delivery.results[`${name} @ c=16`]
    expect(byName('undici.request (raw)')).toMatchObject({ rps: expect.any(Number), overRaw: null })
    expect(byName('eventrouter + undiciTransport()')).toMatchObject({
      overRaw: expect.any(Number),
      overRawSpread: ratio,
      vsBaseline: { against: expect.stringContaining('[baseline '), ...ratio },
    })
    expect(byName('eventrouter + undiciTransport() + sqliteStore()')).toMatchObject({
      store: 'sqlite',
      overMemoryStore: { against: 'eventrouter + undiciTransport()', ...ratio },
    })
    expect(byName('eventrouter + kyTransport()')).toMatchObject({ vsBaseline: ratio })
    type DeliveryResult = { failed: number; rps: number; samples: { receiver: { requests: number } }[] }
    for (const result of Object.values<DeliveryResult>(delivery.results)) {
      expect(result.failed).toBe(0)
      // A rate over a 150 ms window, which a starved machine can end before any request completes:
      // what proves that a contender delivered is the receiver's count, not the rate.
      expect(result.rps).toBeGreaterThanOrEqual(0)
      expect(result.samples.length).toBeGreaterThan(0)
      for (const sample of result.samples) expect(sample.receiver.requests).toBeGreaterThan(0)
    }

    const sqlite = await report('sqlite-store')
    expect(sqlite).toMatchObject({ suite: 'sqlite-store', quick: true })
    expect(sqlite.results).toMatchObject({
      writes: { 'batch 1, synchronous normal': { median: expect.any(Number) } },
      cycles: { 'claimDue(100) + delete 100': { deliveriesPerSecond: expect.any(Number) } },
      bytesPerPending: expect.any(Number),
      large: { total: sqlite.config.sizes.large, outOfOrder: 0 },
    })
    expect(sqlite.results.large.claimed).toBe(sqlite.results.large.total)
  }, 120_000)

  it('telemetry: the patched build without observability, telemetry off and on, side by side; nothing left behind', async () => {
    const scratch = join(resultsDir, 'tmp-telemetry')
    await mkdir(scratch)
    const stdout = await bench(['telemetry'], { TMPDIR: scratch }, 120_000)
    expect(stdout).toContain('Router CPU per delivery')
    expect(await leftBehind(scratch)).toEqual([])

    const telemetry = await report('telemetry')
    expect(telemetry).toMatchObject({
      suite: 'telemetry',
      quick: true,
      baseline: null,
      config: {
        baselinePatch: 'bench/baselines/without-observability.patch',
        builds: [
          { label: 'current' },
          { label: 'without observability', source: { patch: expect.any(String) } },
        ],
      },
    })
    const contenders = ['without observability', 'telemetry off', 'tracing + metrics (SDK, no-op exporters)']
    expect(Object.keys(telemetry.results)).toEqual([
      ...contenders,
      'spansExported',
      'telemetryOffWithin2Percent',
    ])
    expect(telemetry.results['without observability']).toMatchObject({
      cpuNsPerDelivery: expect.any(Number),
      overWithoutObservability: null,
    })
    for (const name of contenders.slice(1)) {
      expect(telemetry.results[name]).toMatchObject({
        cpuNsPerDelivery: expect.any(Number),
        overWithoutObservability: ratio,
      })
    }
    expect(telemetry.results.spansExported).toBeGreaterThan(0)
  }, 120_000)

  it('cold-import: exits 0 and reports import time and bundle bytes at start-up and on demand', async () => {
    const stdout = await bench(['cold-import'], {}, 60_000)
    expect(stdout).toContain('cold import and bundle size')
    const cold = await report('cold-import')
    expect(cold).toMatchObject({ suite: 'cold-import', quick: true, baseline: null })
    const [current] = Object.values<Record<string, unknown>>(cold.results)
    expect(current).toMatchObject({
      coldImportMs: [expect.any(Number), expect.any(Number)],
      startupBytes: expect.any(Number),
      startupGzipBytes: expect.any(Number),
    })
    // The default transport's ky and undici load on demand only (issue 17).
    expect(current?.onDemandBytes).toBeGreaterThan(100_000)
  }, 60_000)

  // With Redis at 127.0.0.1:6379, as CI has; without it the suite reports memory and SQLite only.
  it('fleet: exits 0 and reports every store and worker count, every delivery received once', async () => {
    const stdout = await bench(['fleet'], {}, 180_000)

    expect(stdout).toContain('Fleet throughput')
    const fleet = await report('fleet')
    expect(fleet).toMatchObject({ suite: 'fleet', quick: true })
    const throughput = [
      'memory, 1 process',
      'sqlite, 1 worker',
      'redis, 1 worker',
      'redis, 2 workers',
      'redis, 4 workers',
    ]
    expect(Object.keys(fleet.results)).toEqual([...throughput, 'emit'])
    for (const name of throughput) {
      expect(fleet.results[name]).toMatchObject({ deliveriesPerSecond: expect.any(Number), extraRequests: 0 })
      expect(fleet.results[name].deliveriesPerSecond).toBeGreaterThan(0)
    }
  }, 180_000)

  it('fleet-config: exits 0 and reports the CPU per configuration change', async () => {
    const stdout = await bench(['fleet-config'], {}, 120_000)

    expect(stdout).toContain('One configuration change in a fleet')
    const config = await report('fleet-config')
    expect(config).toMatchObject({ suite: 'fleet-config', quick: true })
    expect(Object.keys(config.results)).toEqual(['current, 20 merchants'])
    expect(config.results['current, 20 merchants'].cpuMsPerEdit).toBeGreaterThan(0)
  }, 120_000)
})
