import { readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// The build-time version constant, as tsup.config.ts defines it, so tests run the sources
// the way the build ships them (src/shared/package-version.ts).
const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }

// Code written as a host writes it (the README's test, the examples) imports the package by name:
// here the name resolves to the sources, as tsconfig.json's `paths` say for tsc and tsx.
const source = (path: string) => fileURLToPath(new URL(path, import.meta.url))

/** Test files that mock a module (vi.mock): they run isolated, each in a fresh worker. */
const ISOLATED = [
  'test/transport/ssrf.test.ts',
  'test/transport/network-guard.test.ts',
  'test/stores/sqlite-store-without-libsql.test.ts',
  'test/stores/redis/redis-store-without-redis-semaphore.test.ts',
]

export default defineConfig({
  define: { __EVENTROUTER_VERSION__: JSON.stringify(version) },
  resolve: {
    alias: [
      { find: /^eventrouter$/, replacement: source('./src/index.ts') },
      { find: /^eventrouter\/testing$/, replacement: source('./src/testing/index.ts') },
      { find: /^eventrouter\/catalogs\/loyalty$/, replacement: source('./src/catalogs/loyalty/index.ts') },
      { find: /^eventrouter\/stores\/sqlite$/, replacement: source('./src/stores/sqlite/index.ts') },
      { find: /^eventrouter\/stores\/redis$/, replacement: source('./src/stores/redis/index.ts') },
      { find: /^eventrouter\/transports\/undici$/, replacement: source('./src/transport/undici/index.ts') },
      { find: /^eventrouter\/admin$/, replacement: source('./src/admin/index.ts') },
      { find: /^eventrouter\/outbox\/postgres$/, replacement: source('./src/outbox/postgres/index.ts') },
      { find: /^eventrouter\/telemetry$/, replacement: source('./src/observability/otel/index.ts') },
      { find: /^eventrouter\/adapters\/([a-z]+)$/, replacement: source('./src/adapters/$1/index.ts') },
    ],
  },
  test: {
    environment: 'node',
    testTimeout: 20_000,
    // Vitest's default for `vitest run` is one worker fewer than the cores: a single worker on
    // the two-core machines CI and reviewers use. Two keep both cores busy there (most files
    // wait on sockets or child processes part of the time); bigger machines keep the default.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    ...(process.env.PACKAGE_TESTS === '1'
      ? {
          // The packed-package checks pack and install the tarball: `npm run check:package` runs
          // them (PACKAGE_TESTS=1), not `npm test`.
          include: ['test/package/**/*.test.ts'],
        }
      : process.env.BENCH_SMOKE === '1'
        ? {
            // The bench smoke runs every suite in quick mode in child processes that build the
            // sources and baselines (about a minute of CPU): `npm run check:bench` runs it
            // (BENCH_SMOKE=1) in CI, not `npm test`. It checks the bench tool, not the library.
            include: ['test/bench/**/*.test.ts'],
          }
        : {
            projects: [
              {
                extends: true,
                test: {
                  name: 'unit',
                  include: ['test/**/*.test.ts'],
                  exclude: ['**/node_modules/**', 'test/package/**', 'test/bench/**', ...ISOLATED],
                  // A worker runs its files one after another in one module graph, instead of a
                  // fresh process per file: importing the sources, zod, ky and msw again for each of
                  // ~110 files was half of the suite's CPU time on two cores. Files must leave no
                  // global state behind (each restores its fake timers; the setup file makes sure).
                  isolate: false,
                  setupFiles: ['test/support/shared-worker.ts'],
                  // The type tests (*.test-d.ts) are not run here: test/typecheck.test.ts checks
                  // them in one program with the README's and docs' blocks.
                },
              },
              {
                extends: true,
                test: {
                  name: 'isolated',
                  // Files that replace a module with vi.mock (node:dns, libsql) get a fresh module
                  // graph of their own, so that the mock reaches every importer and goes away after.
                  include: ISOLATED,
                  isolate: true,
                },
              },
            ],
          }),
  },
})
