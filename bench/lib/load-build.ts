import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import os from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'tsup'
import { describeSource } from './report.js'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** What a build was made from: the working tree, or a git ref (BENCH_BASELINE). */
export type BuildSource =
  | ReturnType<typeof describeSource>
  | { readonly ref: string; readonly commit: string; readonly uncommitted: readonly string[] }
  | { readonly patch: string; readonly of: BuildSource }

/** The modules the suites measure, built from src/ the way `npm run build` builds them. */
export interface Build {
  /** `current` (src/ on disk), or `baseline <short commit>` (BENCH_BASELINE). */
  readonly label: string
  readonly isBaseline: boolean
  /** The commit and uncommitted src/ files at build time: what the figures are about. */
  readonly source: BuildSource
  readonly eventrouter: typeof import('../../src/index.js')
  readonly testing: typeof import('../../src/testing/index.js')
  readonly undici: typeof import('../../src/transport/undici/index.js')
  readonly filters: typeof import('../../src/filters/compile-filter.js') &
    typeof import('../../src/filters/parse-filter.js')
  /**
   * Where the build's files are (`index.js`, `sqlite.js`, ...), for a child process that imports
   * them with plain node (bench/lib/sqlite-hold.mjs). Removed when this process exits.
   */
  readonly outDir: string
  /** `eventrouter/stores/sqlite`, when the build has it (not before issue 11). */
  readonly sqlite: typeof import('../../src/stores/sqlite/index.js') | undefined
  /** `eventrouter/telemetry`, when the build has it (not before issue 15). */
  readonly telemetry: typeof import('../../src/observability/otel/index.js') | undefined
  /** `eventrouter/stores/redis`, when the build has it (the fleet issue and later). */
  readonly redis: typeof import('../../src/stores/redis/index.js') | undefined
}

const ENTRIES = {
  index: 'src/index.ts',
  testing: 'src/testing/index.ts',
  undici: 'src/transport/undici/index.ts',
  sqlite: 'src/stores/sqlite/index.ts',
  telemetry: 'src/observability/otel/index.ts',
  redis: 'src/stores/redis/index.ts',
  // Built beside redis.js, which starts it as a thread by URL (`./redis-store-worker.js`); never imported here.
  'redis-store-worker': 'src/stores/redis/redis-store-worker.ts',
  // Not public API, but what the router runs on every subscription.
  'compile-filter': 'src/filters/compile-filter.ts',
  'parse-filter': 'src/filters/parse-filter.ts',
} as const

/** Entries a build may lack: older commits predate them. */
const OPTIONAL_ENTRIES: ReadonlySet<keyof typeof ENTRIES> = new Set([
  'sqlite',
  'telemetry',
  'redis',
  'redis-store-worker',
])

/** Where an entry was before it moved, for older refs (the undici transport was under src/transports/ at 156b4a8). */
const MOVED_ENTRIES: Readonly<Record<string, string>> = {
  'src/transport/undici/index.ts': 'src/transports/undici/index.ts',
}

/** `path`, or where it was in an older tree that lacks it. */
function movedEntry(root: string, path: string): string {
  const before = MOVED_ENTRIES[path]
  return before !== undefined && !existsSync(join(root, path)) && existsSync(join(root, before))
    ? before
    : path
}

let loaded: Promise<Build> | undefined
let loadedBaseline: Promise<Build | undefined> | undefined

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
  const ref = refFromEnv('BENCH_CURRENT')
  loaded ??=
    ref === undefined
      ? buildAndImport({
          root: ROOT,
          outDir: join(cacheDir(), 'current'),
          label: 'current',
          isBaseline: false,
          source: describeSource(),
        })
      : buildRef(ref, false)
  return loaded
}

/** The git ref given as BENCH_BASELINE, if any. */
export function baselineRef(): string | undefined {
  return refFromEnv('BENCH_BASELINE')
}

function refFromEnv(name: 'BENCH_BASELINE' | 'BENCH_CURRENT'): string | undefined {
  const ref = process.env[name]?.trim()
  return ref === undefined || ref === '' ? undefined : ref
}

let loadedCopy: Promise<Build> | undefined

/**
 * The same sources as {@link loadBuild}, built into a directory of their own and imported again:
 * a second instance of every module. A suite that runs two configurations of one build gives each
 * its own copy, so that V8's inline caches and optimised code, shaped by what one configuration
 * passes through the router (records with a trace context, results with a request summary), do
 * not slow the other down: each contender then runs the code as a process using only it would.
 */
export function loadBuildCopy(label: string): Promise<Build> {
  loadedCopy ??=
    refFromEnv('BENCH_CURRENT') === undefined
      ? buildAndImport({
          root: ROOT,
          outDir: join(cacheDir(), 'current-copy'),
          label,
          isBaseline: false,
          source: describeSource(),
        })
      : Promise.reject(new Error('loadBuildCopy: BENCH_CURRENT is not supported'))
  return loadedCopy
}

/**
 * With BENCH_BASELINE=<git ref>: that ref's src/, built exactly as {@link loadBuild} builds the
 * working tree, so that a suite can run both side by side in one process. The ref's files are
 * taken with `git archive` into a temporary directory (the repository's index, working tree and
 * worktree list stay untouched), `node_modules` is symlinked into it, tsup builds its src/ with
 * the ref's own tsconfig.json and package.json version, and the directory is removed once built.
 * Both builds import the same installed dependencies. Without BENCH_BASELINE: `undefined`.
 *
 * BENCH_CURRENT=<git ref> builds the "current" side the same way, from a ref instead of the
 * working tree: for measuring a commit while src/ on disk is being edited.
 */
export function loadBaseline(): Promise<Build | undefined> {
  loadedBaseline ??= (async () => {
    const ref = baselineRef()
    if (ref === undefined) return undefined
    return buildRef(ref, true)
  })()
  return loadedBaseline
}

/** The current build, then the baseline when BENCH_BASELINE is set: what the A/B suites alternate. */
export async function loadBuilds(): Promise<readonly Build[]> {
  const current = await loadBuild()
  const baseline = await loadBaseline()
  return baseline ? [current, baseline] : [current]
}

let loadedPatched: Promise<Build> | undefined

/**
 * The "current" side's sources (src/ on disk, or BENCH_CURRENT's ref) with `patch` applied, built
 * as {@link loadBuild} builds them: the same code but for what the patch takes out, for a suite
 * that measures what one feature costs (bench/baselines/*.patch). The sources are copied into a
 * temporary directory, patched there with `git apply` (which also works outside a repository) and
 * removed once built; throws, naming the patch, when it no longer applies to src/.
 */
export function loadPatchedBuild(patch: string, label: string): Promise<Build> {
  loadedPatched ??= (async () => {
    const ref = refFromEnv('BENCH_CURRENT')
    const checkout = mkdtempSync(join(os.tmpdir(), 'eventrouter-patched-'))
    try {
      if (ref === undefined) {
        for (const path of ['src', 'package.json', 'tsconfig.json']) {
          cpSync(join(ROOT, path), join(checkout, path), { recursive: true })
        }
      } else {
        const tar = execFileSync(
          'git',
          ['archive', '--format=tar', ref, 'src', 'package.json', 'tsconfig.json'],
          {
            cwd: ROOT,
            maxBuffer: 256 * 2 ** 20,
          },
        )
        execFileSync('tar', ['-x', '-C', checkout], { input: tar })
      }
      try {
        execFileSync('git', ['apply', '--whitespace=nowarn', join(ROOT, patch)], {
          cwd: checkout,
          stdio: 'pipe',
        })
      } catch (error) {
        const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim() ?? String(error)
        throw new Error(`${patch} no longer applies to src/: update it to the current sources.\n${stderr}`)
      }
      symlinkSync(join(ROOT, 'node_modules'), join(checkout, 'node_modules'), 'dir')
      const current = await loadBuild()
      return await buildAndImport({
        root: checkout,
        outDir: join(cacheDir(), 'patched'),
        label,
        isBaseline: true,
        source: { patch, of: current.source },
      })
    } finally {
      rmSync(checkout, { recursive: true, force: true })
    }
  })()
  return loadedPatched
}

let cache: string | undefined

/** One directory per process: two bench runs (or the smoke test) never share one. */
function cacheDir(): string {
  if (cache === undefined) {
    const dir = join(ROOT, 'node_modules', '.cache', 'eventrouter-bench', String(process.pid))
    rmSync(dir, { recursive: true, force: true })
    mkdirSync(dir, { recursive: true })
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
    cache = dir
  }
  return cache
}

async function buildRef(ref: string, isBaseline: boolean): Promise<Build> {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim()
  let commit: string
  try {
    commit = git('rev-parse', '--verify', '--quiet', `${ref}^{commit}`)
  } catch {
    throw new Error(
      `${isBaseline ? 'BENCH_BASELINE' : 'BENCH_CURRENT'}: \`${ref}\` is not a commit of ${ROOT} (git rev-parse failed).`,
    )
  }
  const short = commit.slice(0, 7)
  const role = isBaseline ? 'baseline' : 'current'
  const checkout = mkdtempSync(join(os.tmpdir(), `eventrouter-${role}-${short}-`))
  try {
    // git archive reads objects only: nothing in .git changes, even if this process is killed.
    const tar = execFileSync(
      'git',
      ['archive', '--format=tar', commit, 'src', 'package.json', 'tsconfig.json'],
      {
        cwd: ROOT,
        maxBuffer: 256 * 2 ** 20,
      },
    )
    execFileSync('tar', ['-x', '-C', checkout], { input: tar })
    symlinkSync(join(ROOT, 'node_modules'), join(checkout, 'node_modules'), 'dir')
    return await buildAndImport({
      root: checkout,
      outDir: join(cacheDir(), `${role}-${short}`),
      label: isBaseline ? `baseline ${short}` : 'current',
      isBaseline,
      source: { ref, commit, uncommitted: [] },
    })
  } finally {
    rmSync(checkout, { recursive: true, force: true })
  }
}

interface BuildInput {
  readonly root: string
  readonly outDir: string
  readonly label: string
  readonly isBaseline: boolean
  readonly source: BuildSource
}

async function buildAndImport({ root, outDir, label, isBaseline, source }: BuildInput): Promise<Build> {
  rmSync(outDir, { recursive: true, force: true })
  mkdirSync(outDir, { recursive: true })
  const entries = Object.entries(ENTRIES)
    .map(([name, path]): [string, string] => [name, movedEntry(root, path)])
    .filter(
      ([name, path]) => !OPTIONAL_ENTRIES.has(name as keyof typeof ENTRIES) || existsSync(join(root, path)),
    )
  await build({
    config: false,
    entry: Object.fromEntries(entries.map(([name, path]) => [name, join(root, path)])),
    outDir,
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    splitting: true,
    treeshake: true,
    skipNodeModulesBundle: true,
    removeNodeProtocol: false,
    // As tsup.config.ts: package.json's version, inlined (src/shared/package-version.ts).
    define: {
      __EVENTROUTER_VERSION__: JSON.stringify(
        (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version,
      ),
    },
    dts: false,
    sourcemap: false,
    clean: false,
    silent: true,
    tsconfig: join(root, 'tsconfig.json'),
  })
  const built = new Set(entries.map(([name]) => name))
  // Files under node_modules/.cache resolve their dependencies from the repository's node_modules.
  const load = (name: keyof typeof ENTRIES) =>
    built.has(name) ? import(pathToFileURL(join(outDir, `${name}.js`)).href) : Promise.resolve(undefined)
  const [eventrouter, testing, undici, sqlite, telemetry, redis, compileFilter, parseFilter] =
    await Promise.all([
      load('index'),
      load('testing'),
      load('undici'),
      load('sqlite'),
      load('telemetry'),
      load('redis'),
      load('compile-filter'),
      load('parse-filter'),
    ])
  return {
    label,
    isBaseline,
    source,
    outDir,
    eventrouter,
    testing,
    undici,
    sqlite,
    telemetry,
    redis,
    filters: { ...compileFilter, ...parseFilter },
  }
}
