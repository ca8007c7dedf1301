import { ValidationError } from '../../errors/validation-error.js'
import { assertEventName } from '../../events/event-name.js'
import { closestMatch } from '../../shared/closest-match.js'
import type { EventTypeView } from '../admin-api-types.js'
import type { Route, RouteContext } from '../route.js'

/** The event types: the catalog's, each with its switch, and any other type switched off. */
export const eventTypeRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: 'events',
    changes: false,
    run: ({ scope, catalog }) => {
      const listed = scope.catalog.list()
      const known = new Set(listed.map((event) => event.name))
      const events: EventTypeView[] = listed.map((event) => ({
        name: event.name,
        title: event.title,
        description: event.description,
        fields: event.fields,
        enabled: scope.events.isEnabled(event.name),
        sample: (catalog?.get(event.name)?.sample as Record<string, unknown> | undefined) ?? null,
      }))
      // Without a catalog (or after one dropped an event), what is switched off still shows.
      for (const name of scope.events.listDisabled()) {
        if (!known.has(name)) {
          events.push({ name, title: name, description: '', fields: [], enabled: false, sample: null })
        }
      }
      return { status: 200, body: events }
    },
  },
  switchRoute('enable'),
  switchRoute('disable'),
]

function switchRoute(action: 'enable' | 'disable'): Route {
  return {
    method: 'POST',
    path: `events/:name/${action}`,
    changes: true,
    run: (context) => {
      const name = knownEventName(context)
      context.scope.events[action](name)
      return { status: 200, body: { name, enabled: context.scope.events.isEnabled(name) } }
    },
  }
}

/** With a catalog, only its events have a switch on the page: another name is a typo. */
function knownEventName({ scope, params }: RouteContext): string {
  const name = params[0]
  assertEventName(name, 'name')
  const names = scope.catalog.list().map((event) => event.name)
  if (names.length > 0 && !names.includes(name)) {
    const guess = closestMatch(name, names)
    throw new ValidationError('event type', [
      {
        path: 'name',
        message: `\`${name}\` is not an event of the catalog${guess === undefined ? '' : `; did you mean \`${guess}\`?`}`,
      },
    ])
  }
  return name
}
