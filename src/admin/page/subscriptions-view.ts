import type { EventTypeView, IntegrationView, SubscriptionView } from '../admin-api-types.js'
import { api } from './api.js'
import { type App, loadFailed } from './app.js'
import { code, h } from './dom.js'
import { explainPanel } from './explain-panel.js'
import { compactJson } from './format.js'
import { openSubscriptionDialog } from './subscription-dialog.js'

/** The Send Events page: what is sent where, created and edited in a dialog; and explain. */
export async function renderSubscriptions(root: HTMLElement, app: App): Promise<void> {
  let subscriptions: SubscriptionView[]
  let events: EventTypeView[]
  let integrations: IntegrationView[]
  try {
    ;[subscriptions, events, integrations] = await Promise.all([
      api<SubscriptionView[]>('GET', 'subscriptions'),
      api<EventTypeView[]>('GET', 'events'),
      api<IntegrationView[]>('GET', 'integrations'),
    ])
  } catch (error) {
    root.replaceChildren(loadFailed('the subscriptions', error))
    return
  }
  const choices = { events, integrations }
  const refresh = () => renderSubscriptions(root, app)
  const open = (subscription: SubscriptionView | undefined) =>
    openSubscriptionDialog(app, choices, subscription, refresh)
  const titleOf = (name: string) =>
    name === '*' ? 'All events' : (events.find((e) => e.name === name)?.title ?? name)
  const integrationOf = (id: string) => {
    const integration = integrations.find((candidate) => candidate.id === id)
    return integration?.name ?? id
  }
  const create = h(
    'button',
    {
      type: 'button',
      class: 'primary',
      disabled: app.session.readOnly || integrations.length === 0,
      onclick: () => open(undefined),
    },
    'Create',
  )
  root.replaceChildren(
    h(
      'div',
      { class: 'toolbar' },
      h('p', { class: 'lead' }, 'Which events are sent to which integration, and when.'),
      create,
    ),
    integrations.length > 0 ? '' : h('p', { class: 'hint' }, 'Add an integration first (Integrations).'),
    subscriptions.length === 0
      ? h(
          'p',
          { class: 'empty' },
          'Nothing is sent yet. Create a subscription to send an event type to an integration.',
        )
      : h(
          'table',
          { class: 'list clickable' },
          h('caption', { class: 'sr-only' }, 'Subscriptions'),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['Event', 'Integration', 'Prefix', 'Filter', 'Status'].map((label) =>
                h('th', { scope: 'col' }, label),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            subscriptions.map((subscription) => {
              const names = typeof subscription.event === 'string' ? [subscription.event] : subscription.event
              const title = names.map(titleOf).join(', ')
              const row = h(
                'tr',
                {
                  // The whole row opens the editor; its button is the keyboard's way in.
                  onclick: (event: Event) => {
                    if (!(event.target instanceof HTMLButtonElement)) open(subscription)
                  },
                },
                h(
                  'th',
                  { scope: 'row' },
                  h(
                    'button',
                    {
                      type: 'button',
                      class: 'link',
                      onclick: () => open(subscription),
                      'aria-label': `Edit ${title} to ${integrationOf(subscription.integrationId)}`,
                    },
                    title,
                  ),
                  h('br'),
                  code(names.join(', ')),
                ),
                h('td', {}, integrationOf(subscription.integrationId)),
                h('td', {}, subscription.eventNamePrefix === null ? '—' : code(subscription.eventNamePrefix)),
                h(
                  'td',
                  { class: 'filter-cell' },
                  Object.keys(subscription.filter).length === 0
                    ? 'every event'
                    : code(compactJson(subscription.filter)),
                ),
                h('td', {}, subscription.enabled ? 'On' : h('span', { class: 'badge muted' }, 'Off')),
              )
              return row
            }),
          ),
        ),
    explainPanel(events),
  )
}
