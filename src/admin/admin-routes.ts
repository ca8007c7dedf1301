import type { Route } from './route.js'
import { deadLetterRoutes } from './routes/dead-letter-routes.js'
import { eventTypeRoutes } from './routes/event-type-routes.js'
import { integrationRoutes } from './routes/integration-routes.js'
import { sessionRoute } from './routes/session-route.js'
import { statsRoute } from './routes/stats-route.js'
import { subscriptionRoutes } from './routes/subscription-routes.js'

/** Every route of the JSON API, under `<basePath>/api/`. */
export const ADMIN_ROUTES: readonly Route[] = Object.freeze([
  sessionRoute,
  ...eventTypeRoutes,
  ...integrationRoutes,
  ...subscriptionRoutes,
  ...deadLetterRoutes,
  statsRoute,
])
