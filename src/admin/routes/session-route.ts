import type { AdminSessionView } from '../admin-api-types.js'
import type { Route } from '../route.js'

/** Who the caller is, and what the page may offer them. */
export const sessionRoute: Route = {
  method: 'GET',
  path: 'session',
  changes: false,
  run: ({ scope, tenant, readOnly }) => {
    const session: AdminSessionView = {
      tenant,
      readOnly,
      catalog: scope.catalog.list().length > 0,
      stats: typeof scope.stats === 'function',
    }
    return { status: 200, body: session }
  },
}
