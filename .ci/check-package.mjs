#!/usr/bin/env node
// Builds and packs eventrouter exactly as `npm publish` would, then lints the tarball:
// - publint --strict: package.json fields and exports against the packed files (warnings fail);
// - every subpath export declares its types first (attw passes an untyped package with exit 0);
// - attw --profile esm-only: types resolve under node16 (ESM) and bundler resolution.
// - test/package/ (PACKAGE_TESTS=1): the tarball installed and run by ESM and CommonJS consumers,
//   every subpath imported, and `npm install`ed without @opentelemetry/api (an optional peer).
// Exits 1 on any problem.
import { execFile, spawnSync } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { publint } from 'publint'
import { formatMessage } from 'publint/utils'

const root = resolve(import.meta.dirname, '..')
const windows = process.platform === 'win32'
const execFileAsync = promisify(execFile)
/** One line per check, printed at the end. */
const summary = []
let failed = false

function record(check, ok, detail) {
  summary.push(`${ok ? 'ok  ' : 'FAIL'}  ${check.padEnd(8)} ${detail}`)
  if (!ok) failed = true
}

function seconds(since) {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`
}

function heading(text) {
  console.log(`\n── ${text}`)
}

const work = await mkdtemp(join(tmpdir(), 'eventrouter-pack-'))
try {
  // 1. Build, then pack with scripts off: prepack would build a second time and print
  //    its log into the --json output.
  heading('build')
  let started = performance.now()
  const build = spawnSync('npm', ['run', 'build'], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    shell: windows,
  })
  if (build.status !== 0) throw new Error(`\`npm run build\` failed (exit ${build.status ?? build.signal})`)
  record('build', true, `npm run build (${seconds(started)})`)

  heading('pack')
  started = performance.now()
  const { stdout } = await execFileAsync(
    'npm',
    ['pack', '--ignore-scripts', '--json', '--pack-destination', work],
    {
      cwd: root,
      shell: windows,
    },
  )
  const [packed] = JSON.parse(stdout)
  const tarball = join(work, packed.filename)
  for (const file of packed.files) console.log(`  ${file.path}`)
  record(
    'pack',
    true,
    `${packed.filename}: ${packed.files.length} files, ${(packed.size / 1024).toFixed(1)} kB packed, ` +
      `${(packed.unpackedSize / 1024).toFixed(1)} kB unpacked (${seconds(started)})`,
  )

  // 2. publint on the tarball itself, so "file not published" problems are real ones.
  heading('publint --strict')
  started = performance.now()
  const data = await readFile(tarball)
  const { messages, pkg } = await publint({
    pack: { tarball: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) },
    strict: true,
  })
  for (const message of messages) console.log(`  ${message.type}: ${formatMessage(message, pkg)}`)
  const count = (type) => messages.filter((message) => message.type === type).length
  // strict turns warnings into errors; suggestions are printed but do not fail.
  const errors = count('error') + count('warning')
  record(
    'publint',
    errors === 0,
    `${errors} error(s) (warnings included), ${count('suggestion')} suggestion(s) (${seconds(started)})`,
  )

  // 3. attw exits 0 for a package without any types ("This package does not contain types"),
  //    so check first that every subpath export has a `types` condition, listed first.
  heading('types in exports')
  const untyped = Object.entries(pkg.exports ?? {})
    .filter(([subpath]) => subpath !== './package.json')
    .filter(
      ([, target]) => typeof target !== 'object' || target === null || Object.keys(target)[0] !== 'types',
    )
    .map(([subpath]) => subpath)
  for (const subpath of untyped) console.log(`  exports["${subpath}"] has no \`types\` condition first`)
  const subpaths = Object.keys(pkg.exports ?? {}).filter((subpath) => subpath !== './package.json')
  record(
    'types',
    subpaths.length > 0 && untyped.length === 0,
    subpaths.length === 0
      ? 'package.json has no `exports`'
      : `${subpaths.length - untyped.length}/${subpaths.length} subpath exports declare types first`,
  )

  // 4. attw on the same tarball. `esm-only` skips the node10 and node16-cjs resolutions:
  //    the package has no CJS build, and attw 0.18 (TypeScript 5.6) would flag require() of
  //    it as "ESM (dynamic import only)", which Node >= 20.19 no longer is.
  heading('attw --profile esm-only')
  started = performance.now()
  const attwBin = join(
    dirname(createRequire(import.meta.url).resolve('@arethetypeswrong/cli/package.json')),
    'dist/index.js',
  )
  const attw = spawnSync(
    process.execPath,
    [attwBin, tarball, '--profile', 'esm-only', '--format', 'table-flipped'],
    {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  )
  record(
    'attw',
    attw.status === 0,
    attw.status === 0
      ? `no problems under node16 (ESM) and bundler resolution (${seconds(started)})`
      : `problems found (exit ${attw.status ?? attw.signal}); see the table above`,
  )
  // 5. Run the packed package: consumers in plain ESM and CommonJS, every subpath imported, one
  //    adapter bundled alone, an install without @opentelemetry/api (test/package/, which
  //    `npm test` leaves out).
  heading('packed package tests')
  started = performance.now()
  const vitest = spawnSync(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run'], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, PACKAGE_TESTS: '1', EVENTROUTER_TARBALL: tarball },
  })
  record(
    'consumer',
    vitest.status === 0,
    vitest.status === 0
      ? `the tarball runs from ESM and CommonJS, every subpath imports (${seconds(started)})`
      : `test/package failed (exit ${vitest.status ?? vitest.signal}); see above`,
  )
} catch (error) {
  record('error', false, error instanceof Error ? error.message : String(error))
} finally {
  await rm(work, { recursive: true, force: true })
}

heading('check:package summary')
for (const line of summary) console.log(`  ${line}`)
console.log(failed ? '\ncheck:package FAILED' : '\ncheck:package passed')
process.exitCode = failed ? 1 : 0
