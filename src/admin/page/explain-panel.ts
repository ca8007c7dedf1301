import type { EventTypeView } from '../admin-api-types.js'
import { api } from './api.js'
import { errorBlock } from './app.js'
import { code, h, uniqueId } from './dom.js'
import { compactJson } from './format.js'

/** What `POST explain` answers (`Explanation`). */
interface ExplainAnswer {
  readonly eventName: string
  readonly eventEnabled: boolean
  readonly subscriptions: readonly {
    readonly subscriptionId: string
    readonly integrationId: string
    readonly outgoingName: string
    readonly wouldDeliver: boolean
    readonly reason: string | null
    readonly failedClause: {
      readonly path: string
      readonly condition: unknown
      readonly actual?: unknown
    } | null
  }[]
}

/** "Explain an event": a dry run of a payload against the subscriptions, which sends nothing. */
export function explainPanel(events: readonly EventTypeView[]): HTMLElement {
  const headingId = uniqueId('explain-heading')
  const eventId = uniqueId('explain-event')
  const payloadId = uniqueId('explain-payload')
  const sampleOf = (name: string) => events.find((event) => event.name === name)?.sample ?? {}
  const eventControl =
    events.length > 0
      ? h(
          'select',
          { id: eventId },
          events.map((event) => h('option', { value: event.name }, `${event.title} (${event.name})`)),
        )
      : h('input', { id: eventId, type: 'text', spellcheck: 'false', placeholder: 'event name' })
  const payload = h('textarea', { id: payloadId, class: 'code', rows: 8, spellcheck: 'false' })
  payload.value = JSON.stringify(sampleOf(eventControl.value), null, 2)
  eventControl.addEventListener('change', () => {
    payload.value = JSON.stringify(sampleOf(eventControl.value), null, 2)
  })
  const result = h('div', { role: 'status' })
  const form = h(
    'form',
    {
      novalidate: true,
      onsubmit: async (event: Event) => {
        event.preventDefault()
        let parsed: unknown
        try {
          parsed = JSON.parse(payload.value)
        } catch (error) {
          result.replaceChildren(
            errorBlock(new Error(`The payload is not valid JSON: ${(error as Error).message}`)),
          )
          return
        }
        try {
          result.replaceChildren(
            explanation(
              await api<ExplainAnswer>('POST', 'explain', { event: eventControl.value, payload: parsed }),
            ),
          )
        } catch (error) {
          result.replaceChildren(errorBlock(error))
        }
      },
    },
    h('div', { class: 'field' }, h('label', { for: eventId }, 'Event'), eventControl),
    h('div', { class: 'field' }, h('label', { for: payloadId }, 'Payload'), payload),
    h('button', { type: 'submit' }, 'Explain'),
  )
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': headingId },
    h('h3', { id: headingId }, 'Explain an event'),
    h('p', { class: 'hint' }, 'Which subscriptions would send this payload, and why not. Nothing is sent.'),
    form,
    result,
  )
}

function explanation(answer: ExplainAnswer): HTMLElement {
  return h(
    'div',
    { class: 'explanation' },
    !answer.eventEnabled &&
      h('p', { class: 'warning' }, `${answer.eventName} is switched off: nothing would be sent.`),
    answer.subscriptions.length === 0
      ? h('p', {}, 'No subscription receives this event.')
      : h(
          'table',
          { class: 'list' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['Subscription', 'Integration', 'Sent as', 'Result'].map((label) =>
                h('th', { scope: 'col' }, label),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            answer.subscriptions.map((item) =>
              h(
                'tr',
                {},
                h('td', {}, code(item.subscriptionId)),
                h('td', {}, item.integrationId),
                h('td', {}, item.outgoingName),
                h(
                  'td',
                  {},
                  item.wouldDeliver
                    ? h('span', { class: 'badge' }, 'would be sent')
                    : `skipped: ${item.reason ?? ''}`,
                  item.failedClause &&
                    h(
                      'div',
                      { class: 'hint' },
                      `${item.failedClause.path} ${compactJson(item.failedClause.condition)}, found ${item.failedClause.actual === undefined ? 'nothing' : compactJson(item.failedClause.actual)}`,
                    ),
                ),
              ),
            ),
          ),
        ),
  )
}
