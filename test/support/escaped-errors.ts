import { afterAll, beforeAll } from 'vitest'

/**
 * Collects every unhandled rejection and uncaught exception while the calling test file runs,
 * so that a test can assert that nothing escaped the router. Call it at the top level of a file.
 */
export function trackEscapedErrors(): unknown[] {
  const escaped: unknown[] = []
  const onEscape = (error: unknown) => escaped.push(error)
  beforeAll(() => {
    process.on('unhandledRejection', onEscape)
    process.on('uncaughtException', onEscape)
  })
  afterAll(() => {
    process.off('unhandledRejection', onEscape)
    process.off('uncaughtException', onEscape)
  })
  return escaped
}

/** A positive integer from the environment (test sizes, seeds), or `fallback`. */
export function envInt(name: string, fallback: number): number {
  const value = Number(process.env[name])
  return Number.isSafeInteger(value) && value > 0 ? value : fallback
}
