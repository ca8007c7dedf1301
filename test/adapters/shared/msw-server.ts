import type { RequestHandler } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll } from 'vitest'

/**
 * An msw server for the test file: listening for all its tests, failing any request no
 * handler takes (`onUnhandledRequest: 'error'`), calling `reset` after each test.
 */
export function useMswServer(handlers: readonly RequestHandler[], reset: () => void) {
  const server = setupServer(...handlers)
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
  afterEach(reset)
  afterAll(() => server.close())
  return server
}
