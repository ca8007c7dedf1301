import { readdirSync, readFileSync } from 'node:fs'
import { defineConfig } from 'tsup'

// package.json's version, inlined as `__EVENTROUTER_VERSION__` (src/shared/package-version.ts):
// read once, here, so the published code sends the version it was built as and reads no file.
const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }

const ADAPTERS = readdirSync('src/adapters', { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && entry.name !== 'shared')
  .map((entry) => entry.name)

// ESM only, on purpose. p-retry and ky are ESM-only, and a `format: ['esm', 'cjs']` build of
// them loads but breaks at run time from CommonJS (`import_p_retry.default is not a function`),
// while publint and attw both pass it. CommonJS consumers `require()` this ESM build instead:
// Node >= 20.19 does that without a flag (see `engines`). test/package/ proves it by running
// the packed tarball from a .mjs and a .cjs file.
export default defineConfig({
  // Keys are the output paths: dist/index.js and dist/testing/index.js, the targets of
  // the package.json `exports` map. Keep the two in step.
  entry: {
    index: 'src/index.ts',
    'testing/index': 'src/testing/index.ts',
    'catalogs/loyalty/index': 'src/catalogs/loyalty/index.ts',
    // undiciTransport on its own subpath: hosts that keep the default transport never load it.
    'transports/undici/index': 'src/transport/undici/index.ts',
    // libsql is an optional peer: only this entry loads it, and only when a store opens a path.
    'stores/sqlite/index': 'src/stores/sqlite/index.ts',
    // ioredis is an optional peer: only this entry and its thread (loaded by URL, beside it) use it.
    'stores/redis/index': 'src/stores/redis/index.ts',
    'stores/redis/redis-store-worker': 'src/stores/redis/redis-store-worker.ts',
    // The admin API and page: its page is prebuilt into src/admin/page-assets.generated.ts.
    'admin/index': 'src/admin/index.ts',
    // The transactional outbox on PostgreSQL: typed against node-postgres, it never imports `pg`.
    'outbox/postgres/index': 'src/outbox/postgres/index.ts',
    // OpenTelemetry (an optional peer): only this entry imports @opentelemetry/api.
    'telemetry/index': 'src/observability/otel/index.ts',
    // One entry per adapter: each becomes its own chunk, which the root index re-exports,
    // so a bundler keeps only the adapters an app imports (package.json has
    // `sideEffects: false`), and `eventrouter/adapters/<name>` loads just that one.
    ...Object.fromEntries(
      ADAPTERS.map((name) => [`adapters/${name}/index`, `src/adapters/${name}/index.ts`]),
    ),
  },
  outDir: 'dist',
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: true,
  sourcemap: true,
  clean: true,
  treeshake: true,
  // Code shared by both entries (e.g. the error classes) goes into one chunk, so the root
  // and `eventrouter/testing` share one copy of each class and `instanceof` holds across them.
  splitting: true,
  // `dependencies` stay external (tsup's default): the host app installs and dedupes
  // p-retry, ky, zod and eventemitter3 itself. This also keeps out anything else from
  // node_modules, so a devDependency imported by mistake is not silently inlined.
  skipNodeModulesBundle: true,
  // Keep `node:crypto` as written: every supported Node has the prefix (tsup strips it by default).
  removeNodeProtocol: false,
  define: { __EVENTROUTER_VERSION__: JSON.stringify(version) },
})
