import type { Row } from './report.js'

/** What every suite gets from bench/index.ts. */
export interface SuiteContext {
  /** BENCH_QUICK=1: tiny sizes, to check that the suite works, not to measure. */
  readonly quick: boolean
}

/** A printed table: what a reader looks at first. */
export interface ResultTable {
  readonly title: string
  readonly rows: readonly Row[]
}

/** What a suite hands back: tables to print, and everything else for the JSON file. */
export interface SuiteResult {
  /** Sizes, rounds and other settings the figures depend on. */
  readonly config: Record<string, unknown>
  readonly tables: readonly ResultTable[]
  /** Raw samples and derived figures, per contender. */
  readonly results: Record<string, unknown>
  /** Caveats worth printing with the table. */
  readonly notes?: readonly string[]
}

/** One benchmark suite, run by `npm run bench -- <name>`. */
export interface Suite {
  readonly name: string
  readonly description: string
  run(context: SuiteContext): Promise<SuiteResult>
}
