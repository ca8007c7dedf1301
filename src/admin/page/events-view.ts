import type { EventTypeView } from '../admin-api-types.js'
import { api, segment } from './api.js'
import { type App, errorBlock, loadFailed } from './app.js'
import { code, h, richText, uniqueId } from './dom.js'

/** The Events page: every event type, switched on or off with a toggle. */
export async function renderEvents(root: HTMLElement, app: App): Promise<void> {
  let events: EventTypeView[]
  try {
    events = await api<EventTypeView[]>('GET', 'events')
  } catch (error) {
    root.replaceChildren(loadFailed('the event types', error))
    return
  }
  const status = h('div', { class: 'inline-status' })
  root.replaceChildren(
    h(
      'p',
      { class: 'lead' },
      'Each event type is sent to the integrations that subscribe to it while it is on. Switch one off to stop sending it everywhere.',
    ),
    status,
    events.length === 0
      ? h('p', { class: 'empty' }, 'No event types: the router has no catalog, and none is switched off.')
      : h(
          'table',
          { class: 'list' },
          h('caption', { class: 'sr-only' }, 'Event types'),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, 'Event'),
              h('th', { scope: 'col' }, 'Description'),
              h('th', { scope: 'col' }, 'Sent'),
            ),
          ),
          h(
            'tbody',
            {},
            events.map((event) => eventRow(event, app, status)),
          ),
        ),
  )
}

function eventRow(event: EventTypeView, app: App, status: HTMLElement): HTMLElement {
  const titleId = uniqueId('event-title')
  const toggle = h(
    'button',
    {
      type: 'button',
      role: 'switch',
      class: 'switch',
      'aria-checked': String(event.enabled),
      'aria-labelledby': titleId,
      disabled: app.session.readOnly,
      onclick: async () => {
        const next = toggle.getAttribute('aria-checked') !== 'true'
        toggle.disabled = true
        status.replaceChildren()
        try {
          await api('POST', `events/${segment(event.name)}/${next ? 'enable' : 'disable'}`)
          setSwitch(toggle, next)
          app.announce(`${event.title} is ${next ? 'on' : 'off'}.`)
        } catch (error) {
          status.replaceChildren(errorBlock(error))
        } finally {
          toggle.disabled = app.session.readOnly
        }
      },
    },
    h('span', { class: 'switch-track', 'aria-hidden': 'true' }, h('span', { class: 'switch-thumb' })),
    h('span', { class: 'switch-label' }, event.enabled ? 'On' : 'Off'),
  )
  return h(
    'tr',
    {},
    h(
      'th',
      { scope: 'row' },
      h('span', { id: titleId, class: 'title' }, event.title),
      h('br'),
      code(event.name),
    ),
    h('td', { class: 'description' }, richText(event.description)),
    h('td', {}, toggle),
  )
}

function setSwitch(toggle: HTMLElement, on: boolean): void {
  toggle.setAttribute('aria-checked', String(on))
  const label = toggle.querySelector('.switch-label')
  if (label) label.textContent = on ? 'On' : 'Off'
}
