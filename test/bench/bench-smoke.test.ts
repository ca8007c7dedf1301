import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const ROOT = join(import.meta.dirname, '..', '..')

// Checks that `npm run bench -- filters` works, in BENCH_QUICK mode: exit code and the shape
// of its JSON. Never the figures: they depend on the machine and are not what a test can judge.
describe('npm run bench -- filters (BENCH_QUICK=1)', () => {
  // A directory of its own, so that the smoke run never overwrites bench/results/ of a real run.
  let resultsDir: string
  beforeAll(async () => {
    resultsDir = await mkdtemp(join(tmpdir(), 'eventrouter-bench-'))
  })
  afterAll(() => rm(resultsDir, { recursive: true, force: true }))

  it('exits 0 and writes filters.json with one entry per filter', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', 'bench/index.ts', 'filters'],
      {
        cwd: ROOT,
        env: { ...process.env, BENCH_QUICK: '1', BENCH_RESULTS_DIR: resultsDir },
        timeout: 60_000,
      },
    )

    expect(stdout).toContain('Filter evaluation')
    const report = JSON.parse(await readFile(join(resultsDir, 'filters.json'), 'utf8'))
    expect(report).toMatchObject({
      suite: 'filters',
      quick: true,
      machine: { node: process.version, cpuCount: expect.any(Number), gcExposed: true },
      config: { eventCount: expect.any(Number), rounds: expect.any(Number) },
    })
    expect(Object.keys(report.results)).toEqual(['3 conditions', '10 conditions'])
    for (const result of Object.values<Record<string, unknown>>(report.results)) {
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
})
