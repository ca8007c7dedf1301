import { mkdirSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'tsup'
import { describeSource } from './report.js'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** The modules the suites measure, built from src/ the way `npm run build` builds them. */
export interface Build {
  /** The commit and uncommitted src/ files at build time: what the figures are about. */
  readonly source: ReturnType<typeof describeSource>
  readonly eventrouter: typeof import('../../src/index.js')
  readonly testing: typeof import('../../src/testing/index.js')
  readonly undici: typeof import('../../src/transports/undici/index.js')
  readonly filters: typeof import('../../src/filters/compile-filter.js') &
    typeof import('../../src/filters/parse-filter.js')
}

const ENTRIES = {
  index: 'src/index.ts',
  testing: 'src/testing/index.ts',
  undici: 'src/transports/undici/index.ts',
  // Not public API, but what the router runs on every subscription.
  'compile-filter': 'src/filters/compile-filter.ts',
  'parse-filter': 'src/filters/parse-filter.ts',
} as const

let loaded: Promise<Build> | undefined

/**
 * Builds src/ with tsup (esbuild, ESM, node20, dependencies external: the settings of
 * tsup.config.ts) into node_modules/.cache, and imports the result.
 *
 * Why not import src/ through tsx: tsx compiles with esbuild's `keepNames`, which wraps every
 * function in `__name(fn, "name")`, a defineProperty call each time a closure is created. The
 * published build has no such calls. A profile of emit() under tsx showed `__name` in 11 % of
 * the samples: tsx would measure a slower program than the one users run.
 */
export function loadBuild(): Promise<Build> {
  loaded ??= buildAndImport()
  return loaded
}

async function buildAndImport(): Promise<Build> {
  // One directory per process: two bench runs (or the smoke test) never share one.
  const outDir = join(ROOT, 'node_modules', '.cache', 'eventrouter-bench', String(process.pid))
  rmSync(outDir, { recursive: true, force: true })
  mkdirSync(outDir, { recursive: true })
  process.once('exit', () => rmSync(outDir, { recursive: true, force: true }))
  const source = describeSource()
  await build({
    config: false,
    entry: Object.fromEntries(Object.entries(ENTRIES).map(([name, path]) => [name, join(ROOT, path)])),
    outDir,
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    splitting: true,
    treeshake: true,
    skipNodeModulesBundle: true,
    removeNodeProtocol: false,
    dts: false,
    sourcemap: false,
    clean: false,
    silent: true,
    tsconfig: join(ROOT, 'tsconfig.json'),
  })
  const load = (name: keyof typeof ENTRIES) => import(pathToFileURL(join(outDir, `${name}.js`)).href)
  const [eventrouter, testing, undici, compileFilter, parseFilter] = await Promise.all([
    load('index'),
    load('testing'),
    load('undici'),
    load('compile-filter'),
    load('parse-filter'),
  ])
  return { source, eventrouter, testing, undici, filters: { ...compileFilter, ...parseFilter } }
}
