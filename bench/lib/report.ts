import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Where each suite writes its JSON: bench/results/ (gitignored), or $BENCH_RESULTS_DIR. */
export const RESULTS_DIR =
  process.env.BENCH_RESULTS_DIR || join(dirname(fileURLToPath(import.meta.url)), '..', 'results')

/** One row of a printed table: column name to value (numbers are formatted). */
export type Row = Record<string, string | number>

/** The machine and runtime, recorded next to every result: figures mean little without them. */
export function describeMachine() {
  const cpus = os.cpus()
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpus: cpus.map((cpu) => ({ model: cpu.model, speedMHz: cpu.speed })),
    cpuCount: cpus.length,
    totalMemoryMB: Math.round(os.totalmem() / 2 ** 20),
    loadAverage: os.loadavg().map((load) => Number(load.toFixed(2))),
    gcExposed: typeof globalThis.gc === 'function',
  }
}

/**
 * The commit measured, and the files that differed from it: the suites build src/ as it is on
 * disk, uncommitted changes included.
 */
export function describeSource(): { commit: string; uncommitted: string[] } | { error: string } {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim()
    return {
      commit: git('rev-parse', 'HEAD'),
      uncommitted: git('status', '--porcelain', '--', 'src').split('\n').filter(Boolean),
    }
  } catch (error) {
    return { error: String(error) }
  }
}

/** Prints rows as an aligned text table under a title. */
export function printTable(title: string, rows: readonly Row[]): void {
  console.log(`\n${title}`)
  if (rows.length === 0) return
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))]
  const cells = rows.map((row) => columns.map((column) => format(row[column])))
  const widths = columns.map((column, index) =>
    Math.max(column.length, ...cells.map((line) => line[index]!.length)),
  )
  const line = (values: readonly string[]) =>
    values.map((value, index) =>
      index === 0 ? value.padEnd(widths[index]!) : value.padStart(widths[index]!),
    )
  console.log(line(columns).join('  '))
  console.log(widths.map((width) => '-'.repeat(width)).join('  '))
  for (const values of cells) console.log(line(values).join('  '))
}

function format(value: string | number | undefined): string {
  if (value === undefined) return ''
  if (typeof value === 'string') return value
  if (!Number.isFinite(value)) return String(value)
  if (Number.isInteger(value)) return value.toLocaleString('en-US')
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
}

/** Writes `bench/results/<suite>.json` and returns its path. */
export function writeResults(suite: string, data: Record<string, unknown>): string {
  mkdirSync(RESULTS_DIR, { recursive: true })
  const path = join(RESULTS_DIR, `${suite}.json`)
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`)
  return path
}
