import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// The build-time version constant, as tsup.config.ts defines it, so tests run the sources
// the way the build ships them (src/shared/package-version.ts).
const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }

// Code written as a host writes it (the README's test, the examples) imports the package by name:
// here the name resolves to the sources, as tsconfig.json's `paths` say for tsc and tsx.
const source = (path: string) => fileURLToPath(new URL(path, import.meta.url))

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
    // The packed-package checks pack and install the tarball: `npm run check:package` runs them
    // (PACKAGE_TESTS=1), not `npm test`.
    include: process.env.PACKAGE_TESTS === '1' ? ['test/package/**/*.test.ts'] : ['test/**/*.test.ts'],
    exclude:
      process.env.PACKAGE_TESTS === '1' ? ['**/node_modules/**'] : ['**/node_modules/**', 'test/package/**'],
    environment: 'node',
    testTimeout: 20_000,
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'] },
  },
})
