import { execFile } from 'node:child_process'
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'

// publint and attw read package.json and types; they pass a dual build that breaks at run
// time (an ESM-only dependency `require()`d from the CJS output). Only running the packed
// package proves it works, so this installs the tarball the way a host app would and runs
// a consumer written in plain ESM and one in plain CommonJS.

const run = promisify(execFile)
const windows = process.platform === 'win32'
const root = resolve(import.meta.dirname, '../..')
const tmp = join(root, 'test/.tmp')
const installed = join(tmp, 'node_modules/eventrouter')
const fixtures = join(import.meta.dirname, 'fixtures')
const consumers = ['consumer.mjs', 'consumer.cjs'] as const

const expectedOutput = [
  'resolved node_modules/eventrouter/dist/index.js',
  'ok succeeded 2 Loyalty wallet.coins_rewarded',
  'filtered 0',
  'error ERR_NOT_FOUND NotFoundError instanceof=true',
].join('\n')

describe('the packed package', () => {
  beforeAll(async () => {
    await rm(tmp, { recursive: true, force: true })
    await mkdir(installed, { recursive: true })

    // `npm run check:package` (and .ci/run) hand over the tarball they packed: built once, the
    // one checked by publint and attw. Run alone, `npm pack` builds it (`prepack`), as
    // `npm publish` would, with no time limit of its own (the build is slow on a busy machine).
    const packed = process.env.EVENTROUTER_TARBALL
    if (packed) await copyFile(packed, join(tmp, basename(packed)))
    else await run('npm', ['pack', '--pack-destination', tmp], { cwd: root, shell: windows })
    const tarballs = (await readdir(tmp)).filter((name) => name.endsWith('.tgz'))
    expect(tarballs).toHaveLength(1)

    // Unpacked into test/.tmp/node_modules, the package finds its dependencies (p-retry, ky,
    // ...) further up, in the repository's node_modules, as it would in a host app.
    await run('tar', ['-xzf', join(tmp, tarballs[0]!), '-C', installed, '--strip-components=1'], {
      timeout: 30_000,
    })

    // Without a package.json of their own, the consumers would sit in the repository's package
    // scope and Node would resolve `eventrouter` to the repository itself (self-reference),
    // not to the unpacked tarball.
    await writeFile(
      join(tmp, 'package.json'),
      `${JSON.stringify({ name: 'smoke-consumer', private: true })}\n`,
    )
    for (const consumer of consumers) await copyFile(join(fixtures, consumer), join(tmp, consumer))
  }, 180_000)

  it.each(consumers)(
    'runs from %s: delivers with a retry and shares error classes',
    async (consumer) => {
      const env = { ...process.env }
      delete env.NODE_OPTIONS // vitest or a debugger may have set loaders or flags
      const { stdout, stderr } = await run(process.execPath, [consumer], { cwd: tmp, env, timeout: 30_000 })

      expect(stdout.trim()).toBe(expectedOutput)
      // Also no ExperimentalWarning: require() of ESM is unflagged and silent on Node >= 20.19.
      expect(stderr).toBe('')
    },
    60_000,
  )

  it('imports every subpath of the exports map, each exporting something', async () => {
    const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
      exports: Record<string, unknown>
    }
    const subpaths = Object.keys(manifest.exports)
      .filter((subpath) => subpath !== './package.json')
      .map((subpath) => (subpath === '.' ? 'eventrouter' : `eventrouter/${subpath.slice(2)}`))
    const script = `for (const name of ${JSON.stringify(subpaths)}) { const m = await import(name); console.log(name, Object.keys(m).length) }`
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: tmp,
      timeout: 30_000,
    })
    const lines = stdout.trim().split('\n')
    expect(lines.map((line) => line.split(' ')[0])).toEqual(subpaths)
    for (const line of lines) expect(Number(line.split(' ')[1]), line).toBeGreaterThan(0)
  }, 60_000)

  // Everything else here finds @opentelemetry/api (a dev dependency) in the repository's
  // node_modules. A host that never installed it must still get a working package: this installs
  // the tarball with npm, as a host app would, in a project outside the repository.
  it('installed without @opentelemetry/api: loads and delivers; only eventrouter/telemetry fails, naming the api', async () => {
    const [tarball] = (await readdir(tmp)).filter((name) => name.endsWith('.tgz'))
    const project = await mkdtemp(join(tmpdir(), 'eventrouter-no-otel-'))
    try {
      await writeFile(
        join(project, 'package.json'),
        `${JSON.stringify({ name: 'no-otel-consumer', private: true, type: 'module' })}\n`,
      )
      // Optional peers (@opentelemetry/api, ioredis, libsql, pg) are not installed by npm.
      await run(
        'npm',
        ['install', join(tmp, tarball!), '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts'],
        { cwd: project, timeout: 240_000, shell: windows },
      )
      const installedPackages = await readdir(join(project, 'node_modules'))
      expect(installedPackages).toContain('eventrouter')
      expect(installedPackages).not.toContain('@opentelemetry')
      await copyFile(join(fixtures, 'without-opentelemetry.mjs'), join(project, 'consumer.mjs'))

      const env = { ...process.env }
      delete env.NODE_OPTIONS
      const { stdout, stderr } = await run(process.execPath, ['consumer.mjs'], {
        cwd: project,
        env,
        timeout: 30_000,
      })
      expect(stdout.trim()).toBe(
        [
          'api absent ERR_MODULE_NOT_FOUND',
          'loaded 9 subpaths',
          'plain succeeded 2 traceContext=none',
          'custom succeeded true detached',
          'telemetry ERR_MODULE_NOT_FOUND names-api=true',
        ].join('\n'),
      )
      expect(stderr).toBe('')
    } finally {
      await rm(project, { recursive: true, force: true })
    }
  }, 300_000)

  it('imports one adapter without the others, through a bundler and through its subpath; and the loyalty catalog', async () => {
    const { build } = await import('esbuild')
    const bundled = await build({
      stdin: { contents: "export { klaviyoAdapter } from 'eventrouter'", resolveDir: tmp, loader: 'js' },
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      treeShaking: true,
      external: ['zod', 'ky', 'p-retry', 'eventemitter3'],
    })
    const code = bundled.outputFiles[0]?.text ?? ''
    expect(code).toContain('a.klaviyo.com')
    // Each other adapter is recognised by its factory's name and its API host, not by a bare word:
    // "segment" also names a part of a field path in shared validation code.
    for (const [factory, host] of [
      ['segmentAdapter', 'segment.io'],
      ['mixpanelAdapter', 'mixpanel.com'],
      ['brazeAdapter', 'braze.com'],
      ['clevertapAdapter', 'clevertap.com'],
      ['moengageAdapter', 'moengage.com'],
      ['webengageAdapter', 'webengage.com'],
      ['slackAdapter', 'hooks.slack'],
      ['webhookAdapter', 'webhook-signature'],
    ] as const) {
      expect(code, `${factory} was bundled with klaviyoAdapter`).not.toContain(factory)
      expect(code.toLowerCase(), `${host} was bundled with klaviyoAdapter`).not.toContain(host)
    }

    const script =
      "import('eventrouter/adapters/klaviyo').then((m) => console.log(Object.keys(m).sort().join(' ')))"
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: tmp,
      timeout: 30_000,
    })
    expect(stdout.trim()).toBe(
      'KLAVIYO_BULK_MAX_EVENTS KLAVIYO_MAX_PAYLOAD_BYTES KLAVIYO_MAX_PROPERTIES KLAVIYO_MAX_STRING_BYTES KLAVIYO_RATE_LIMITS klaviyoAdapter',
    )

    const catalog =
      "import('eventrouter/catalogs/loyalty').then(({ loyaltyCatalog: c }) => console.log(c.names().length, c.get('coupon.created').title))"
    const loaded = await run(process.execPath, ['--input-type=module', '-e', catalog], {
      cwd: tmp,
      timeout: 30_000,
    })
    expect(loaded.stdout.trim()).toBe('18 Coupon Is Created')

    const transport =
      "import('eventrouter/transports/undici').then(async ({ undiciTransport }) => { const t = undiciTransport(); await t.close(); console.log(typeof t.send) })"
    const undici = await run(process.execPath, ['--input-type=module', '-e', transport], {
      cwd: tmp,
      timeout: 30_000,
    })
    expect(undici.stdout.trim()).toBe('function')
  }, 60_000)
})
