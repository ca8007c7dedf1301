import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build as esbuild, type Metafile } from 'esbuild'
import { type Build, loadBuilds } from '../lib/load-build.js'
import type { Row } from '../lib/report.js'
import { median, quantile, rotate } from '../lib/stats.js'
import type { Suite } from '../lib/suite.js'

/*
 * npm run bench -- cold-import
 *   BENCH_BASELINE=<ref> ...    the same figures for an earlier commit, side by side
 *
 * 1. Cold import: a fresh `node` process per sample runs `await import('<build>/index.js')` and
 *    prints how long it took (what a host's start-up pays; the process start itself is not
 *    counted). Builds alternate sample by sample, so load on the machine hits both alike.
 * 2. Bundle: what a host's bundler ships for `EventRouter` + `webhookAdapter()` + its own
 *    transport, bundled and minified by esbuild with every dependency inlined (platform node,
 *    ESM, code splitting on): the bytes loaded at start-up (the entry and the chunks it imports
 *    statically) and the bytes only loaded on demand (dynamic imports, such as the default
 *    transport's ky and undici since issue 17).
 */

const HOST_CODE = (index: string) => `
import { EventRouter, webhookAdapter } from ${JSON.stringify(index)}
const transport = { async send() { return { status: 200, headers: {}, body: '' } } }
const router = new EventRouter({ adapters: [webhookAdapter()], transport })
router.integrations.add({ id: 'crm', type: 'webhook', config: { url: 'https://crm.example/h', signing: false } })
router.subscriptions.create({ event: 'wallet.coins_rewarded', integrationId: 'crm' })
router.emit('wallet.coins_rewarded', { coins: 150 })
`

function coldImportMs(build: Build): number {
  const url = pathToFileURL(join(build.outDir, 'index.js')).href
  const script = `const t = performance.now(); await import(${JSON.stringify(url)}); console.log(performance.now() - t)`
  return Number(
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }).trim(),
  )
}

interface BundleSize {
  readonly startupBytes: number
  readonly startupGzipBytes: number
  readonly onDemandBytes: number
  readonly inputs: number
}

async function bundleSize(build: Build): Promise<BundleSize> {
  const result = await esbuild({
    stdin: { contents: HOST_CODE(join(build.outDir, 'index.js')), resolveDir: build.outDir, loader: 'js' },
    bundle: true,
    minify: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outdir: join(build.outDir, '..', `${build.label.replace(/\W+/g, '-')}-bundle`),
    write: false,
    metafile: true,
    logLevel: 'silent',
  })
  const metafile = result.metafile as Metafile
  const contents = new Map(result.outputFiles.map((file) => [file.path, file.contents]))
  const outputs = metafile.outputs
  const entry = Object.keys(outputs).find((path) => outputs[path]?.entryPoint !== undefined)
  if (entry === undefined) throw new Error('esbuild produced no entry chunk')
  // The chunks loaded at start-up: the entry and what it imports statically, transitively.
  const startup = new Set<string>()
  const visit = (path: string) => {
    if (startup.has(path)) return
    startup.add(path)
    for (const imported of outputs[path]?.imports ?? [])
      if (imported.kind === 'import-statement') visit(imported.path)
  }
  visit(entry)
  const absolute = (path: string) => [...contents.keys()].find((full) => full.endsWith(path)) as string
  let startupBytes = 0
  let onDemandBytes = 0
  const startupCode: Uint8Array[] = []
  for (const [path, output] of Object.entries(outputs)) {
    if (path.endsWith('.map')) continue
    if (startup.has(path)) {
      startupBytes += output.bytes
      startupCode.push(contents.get(absolute(path)) as Uint8Array)
    } else onDemandBytes += output.bytes
  }
  return {
    startupBytes,
    startupGzipBytes: gzipSync(Buffer.concat(startupCode)).length,
    onDemandBytes,
    inputs: Object.keys(metafile.inputs).length,
  }
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`

export const coldImportSuite: Suite = {
  name: 'cold-import',
  description: "cold import('eventrouter') and the bundle of EventRouter + one adapter + a custom transport",
  async run({ quick }) {
    const builds = await loadBuilds()
    const samples = quick ? 2 : 15
    const times = new Map<Build, number[]>(builds.map((build) => [build, []]))
    for (let round = 0; round < samples; round++) {
      for (const build of rotate(builds, round)) times.get(build)?.push(coldImportMs(build))
    }
    const rows: Row[] = []
    const results: Record<string, unknown> = {}
    for (const build of builds) {
      const ms = times.get(build) as number[]
      const size = await bundleSize(build)
      results[build.label] = { coldImportMs: ms, ...size }
      rows.push({
        build: build.label,
        'cold import (median)': `${median(ms).toFixed(0)} ms`,
        'p25–p75': `${quantile(ms, 0.25).toFixed(0)}–${quantile(ms, 0.75).toFixed(0)} ms`,
        'bundle at start-up': kb(size.startupBytes),
        gzip: kb(size.startupGzipBytes),
        'loaded on demand': kb(size.onDemandBytes),
      })
    }
    return {
      config: { samples },
      tables: [{ title: 'cold import and bundle size', rows }],
      results,
      notes: [
        'cold import: a fresh node process per sample, import() timed inside it; builds alternate sample by sample',
        'bundle: esbuild --bundle --minify --splitting, every dependency inlined; "on demand" = dynamic-import chunks',
      ],
    }
  },
}
