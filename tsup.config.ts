import { readdirSync } from 'node:fs'
import { defineConfig } from 'tsup'

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
    // undici is an optional peer: only this entry imports it.
    'transports/undici/index': 'src/transports/undici/index.ts',
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
})
