import { createRequire } from 'node:module'

// The package's `version`, inlined at build time: tsup.config.ts and vitest.config.ts
// `define` it from package.json, so the published code carries a string literal and reads
// no file. Only when the TypeScript sources run without that step (tsx: the examples, the
// benchmarks) is it undefined, and package.json is read once, when this module loads.
declare const __EVENTROUTER_VERSION__: string | undefined

/** What {@link readPackageVersion} returns when package.json cannot be read. */
const UNKNOWN_VERSION = '0.0.0-unknown'

/**
 * Reads `version` from the package root's package.json (two folders above this file in
 * the source tree). Used only when the build-time constant is missing.
 *
 * @param from the module URL to resolve from (this module's, unless testing)
 */
export function readPackageVersion(from: string = import.meta.url): string {
  try {
    const manifest: unknown = createRequire(from)('../../package.json')
    const version = (manifest as { version?: unknown } | null)?.version
    if (typeof version === 'string' && version !== '') return version
  } catch {
    // Not found (a copied source tree): say so rather than fail at import.
  }
  return UNKNOWN_VERSION
}

/** This package's version (package.json `version`), e.g. `0.1.0`. */
export const PACKAGE_VERSION: string =
  typeof __EVENTROUTER_VERSION__ === 'string' ? __EVENTROUTER_VERSION__ : readPackageVersion()
