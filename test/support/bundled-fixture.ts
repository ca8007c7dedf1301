import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

// The programs the crash and fleet tests start as child processes (test/**/fixtures/*.ts) run
// from one esbuild bundle each, not through tsx: tsx transpiles the sources again in every
// child (about 1.3 s of CPU per start, against 0.3 s for the bundle), and those tests start
// about thirty children. The bundle holds the same sources, with the version constant
// vitest.config.ts defines.

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
/** The Redis store's thread, bundled beside each fixture: the store looks for it next to its own module. */
const REDIS_STORE_WORKER = join(ROOT, 'src/stores/redis/redis-store-worker.ts')
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
// Under node_modules, so that the packages left out of the bundle (ioredis, pg, ...) resolve.
const CACHE = join(ROOT, 'node_modules/.cache/eventrouter-fixtures')
const OUT = join(CACHE, String(process.pid))

const built = new Map<string, Promise<string>>()

/**
 * The path of `fixture` (a `.ts` file) bundled to an ES module for `node` to run, built once per
 * test process.
 */
export function bundledFixture(fixture: string): Promise<string> {
  let bundle = built.get(fixture)
  if (bundle === undefined) {
    bundle = buildBundle(fixture)
    built.set(fixture, bundle)
  }
  return bundle
}

async function buildBundle(fixture: string): Promise<string> {
  const outdir = join(OUT, basename(fixture, '.ts'))
  mkdirSync(outdir, { recursive: true })
  writeFileSync(join(outdir, 'package.json'), '{ "type": "module" }\n')
  await build({
    entryPoints: [fixture, REDIS_STORE_WORKER],
    entryNames: '[name]',
    outdir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    define: { __EVENTROUTER_VERSION__: JSON.stringify(version) },
    logLevel: 'warning',
  })
  return join(outdir, `${basename(fixture, '.ts')}.js`)
}

/** Whether the process `pid` still runs. */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

// Vitest ends its workers without an `exit` event: each run removes the bundles of the
// test processes that are gone.
mkdirSync(CACHE, { recursive: true })
for (const name of readdirSync(CACHE)) {
  if (!running(Number(name))) rmSync(join(CACHE, name), { recursive: true, force: true })
}
