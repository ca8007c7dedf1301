import type { DeadLetterQuery } from '../../dead-letters/dead-letter.js'
import { ValidationError } from '../../errors/validation-error.js'
import { bodyObject, queryObject, type Route } from '../route.js'

/** The scope's dead letters: listed, sent again, discarded. */
export const deadLetterRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: 'dead-letters',
    changes: false,
    run: async ({ scope, query }) => {
      const given: Record<string, unknown> = queryObject(query, 'dead letter query')
      // Numbers arrive as text; the router validates the rest (unknown keys are refused).
      for (const key of ['limit', 'since'] as const) {
        const value = given[key]
        if (typeof value === 'string' && /^\d+$/.test(value)) given[key] = Number(value)
      }
      return { status: 200, body: await scope.deadLetters.list(given as DeadLetterQuery) }
    },
  },
  {
    method: 'POST',
    path: 'dead-letters/redeliver',
    changes: true,
    run: async ({ scope, body }) => {
      // Not awaited: `settled` resolves once the destinations answer; the list shows the outcome.
      const receipt = await scope.deadLetters.redeliver(targetOf(body, 'redeliver'))
      return { status: 202, body: { deliveries: receipt.deliveries } }
    },
  },
  {
    method: 'POST',
    path: 'dead-letters/discard',
    changes: true,
    run: async ({ scope, body }) => ({
      status: 200,
      body: { discarded: await scope.deadLetters.discard(targetOf(body, 'discard')) },
    }),
  },
]

/**
 * `{ ids: [...] }` (each must exist, else the router's `NotFoundError`) or `{ query: {...} }`.
 * One of the two, explicitly: an empty body must not mean "every dead letter".
 */
function targetOf(body: unknown, operation: string): readonly string[] | DeadLetterQuery {
  const what = `dead letters to ${operation}`
  const { ids, query } = bodyObject(body, ['ids', 'query'], what)
  if ((ids === undefined) === (query === undefined)) {
    throw new ValidationError(what, [
      {
        path: '',
        message:
          'expected either `ids` (an array of dead letter ids) or `query` (`{ integrationId, since, reason, limit }`)',
      },
    ])
  }
  if (ids !== undefined) {
    // The router checks each id; a value that is not an array must not read as a query.
    if (!Array.isArray(ids)) {
      throw new ValidationError(what, [{ path: 'ids', message: 'expected an array of dead letter ids' }])
    }
    return ids as string[]
  }
  if (typeof query !== 'object' || query === null || Array.isArray(query)) {
    throw new ValidationError(what, [{ path: 'query', message: 'expected a query object' }])
  }
  return query as DeadLetterQuery
}
