import { NotFoundError } from '../../errors/not-found-error.js'
import type { Subscription, SubscriptionInput, SubscriptionPatch } from '../../subscriptions/subscription.js'
import type { TestSendOptions } from '../../subscriptions/subscription-registry.js'
import { bodyObject, queryObject, type Route, type RouteContext } from '../route.js'

/** The "Send Events" list: the scope's subscriptions, their test sends, and explain. */
export const subscriptionRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: 'subscriptions',
    changes: false,
    // The router validates the query (`event`, `integrationId`; other keys are refused).
    run: ({ scope, query }) => ({
      status: 200,
      body: scope.subscriptions.list(queryObject(query, 'subscription query')),
    }),
  },
  {
    method: 'POST',
    path: 'subscriptions',
    changes: true,
    run: ({ scope, body }) => ({ status: 201, body: scope.subscriptions.create(body as SubscriptionInput) }),
  },
  {
    method: 'GET',
    path: 'subscriptions/:id',
    changes: false,
    run: (context) => ({ status: 200, body: existing(context) }),
  },
  {
    method: 'PATCH',
    path: 'subscriptions/:id',
    changes: true,
    run: ({ scope, params, body }) => ({
      status: 200,
      body: scope.subscriptions.update(params[0] as string, body as SubscriptionPatch),
    }),
  },
  {
    method: 'DELETE',
    path: 'subscriptions/:id',
    changes: true,
    run: ({ scope, params }) => {
      scope.subscriptions.remove(params[0] as string)
      return { status: 204 }
    },
  },
  {
    method: 'POST',
    path: 'subscriptions/:id/enable',
    changes: true,
    run: ({ scope, params }) => ({ status: 200, body: scope.subscriptions.enable(params[0] as string) }),
  },
  {
    method: 'POST',
    path: 'subscriptions/:id/disable',
    changes: true,
    run: ({ scope, params }) => ({ status: 200, body: scope.subscriptions.disable(params[0] as string) }),
  },
  {
    method: 'POST',
    path: 'subscriptions/:id/test',
    // A test send is one real delivery to the destination.
    changes: true,
    run: async ({ scope, params, body }) => {
      const { payload, ...options } = bodyObject(body, ['payload', 'event', 'retries'], 'test send')
      const result = await scope.subscriptions.test(
        params[0] as string,
        payload as Record<string, unknown> | undefined,
        options as TestSendOptions,
      )
      return { status: 200, body: result }
    },
  },
  {
    method: 'POST',
    path: 'explain',
    // A dry run: sends nothing, changes nothing.
    changes: false,
    run: ({ scope, body }) => {
      const { event, payload } = bodyObject(body, ['event', 'payload'], 'explain request')
      return { status: 200, body: scope.explain(event as string, payload) }
    },
  },
]

/** The subscription, or the router's own `NotFoundError` (another tenant's id included). */
function existing({ scope, params }: RouteContext): Subscription {
  const subscription = scope.subscriptions.get(params[0] as string)
  if (subscription === undefined) throw new NotFoundError('subscription', params[0], 'id')
  return subscription
}
