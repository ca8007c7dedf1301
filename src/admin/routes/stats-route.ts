import { AdminRequestError } from '../admin-request-error.js'
import type { Route } from '../route.js'

/**
 * Per-integration delivery statistics, from `stats()` of the router (the platform scope) or of the
 * tenant's view. Only the scope's own integrations are passed on, whatever `stats()` reports.
 */
export const statsRoute: Route = {
  method: 'GET',
  path: 'stats',
  changes: false,
  run: async ({ scope, tenant }) => {
    if (typeof scope.stats !== 'function') {
      throw new AdminRequestError(
        501,
        'ERR_NOT_IMPLEMENTED',
        'Statistics are not available: this router has no stats() method (it comes with a newer eventrouter).',
      )
    }
    const stats: unknown = await scope.stats()
    if (
      typeof stats !== 'object' ||
      stats === null ||
      !Array.isArray((stats as { integrations?: unknown }).integrations)
    ) {
      return { status: 200, body: stats }
    }
    const { integrations } = stats as { integrations: unknown[] }
    const own = integrations.filter((item) => {
      const owner = (item as { tenant?: unknown } | null)?.tenant
      return owner === undefined || owner === tenant
    })
    return { status: 200, body: { ...stats, integrations: own } }
  },
}
