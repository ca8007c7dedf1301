import { api } from './api.js'
import { type App, errorBlock, loadFailed } from './app.js'
import { confirmDialog } from './dialog.js'
import { code, h } from './dom.js'
import { formatTime } from './format.js'

/** A dead letter, as far as the page reads it. */
interface DeadLetterAnswer {
  readonly id: string
  readonly delivery: {
    readonly integrationId: string
    readonly outgoingName: string
    readonly subscriptionId: string
  }
  readonly event: { readonly name: string; readonly id: string }
  readonly reason: string
  readonly error: { readonly code: string; readonly message: string; readonly status: number | null }
  readonly history: readonly unknown[]
  readonly deadLetteredAt: string
  readonly redeliveries: number
}

/** The Dead letters page: deliveries that did not arrive, sent again or discarded. */
export async function renderDeadLetters(root: HTMLElement, app: App): Promise<void> {
  let letters: DeadLetterAnswer[]
  try {
    letters = await api<DeadLetterAnswer[]>('GET', 'dead-letters?limit=500')
  } catch (error) {
    root.replaceChildren(loadFailed('the dead letters', error))
    return
  }
  const refresh = () => renderDeadLetters(root, app)
  const status = h('div', { class: 'inline-status' })
  const selected = new Set<string>()
  const readOnly = app.session.readOnly

  const redeliver = async (ids: readonly string[]) => {
    status.replaceChildren()
    try {
      const answer = await api<{ deliveries: unknown[] }>('POST', 'dead-letters/redeliver', { ids })
      app.announce(
        `${answer.deliveries.length} ${answer.deliveries.length === 1 ? 'delivery' : 'deliveries'} sent again.`,
      )
      await refresh()
    } catch (error) {
      status.replaceChildren(errorBlock(error))
    }
  }
  const discard = async (ids: readonly string[]) => {
    const sure = await confirmDialog({
      title: 'Discard dead letters?',
      message: `${ids.length} ${ids.length === 1 ? 'delivery' : 'deliveries'} will be deleted for good and never sent.`,
      confirmLabel: 'Discard',
    })
    if (!sure) return
    try {
      const answer = await api<{ discarded: number }>('POST', 'dead-letters/discard', { ids })
      app.announce(`${answer.discarded} discarded.`)
      await refresh()
    } catch (error) {
      status.replaceChildren(errorBlock(error))
    }
  }
  const bulkRedeliver = h(
    'button',
    { type: 'button', disabled: true, onclick: () => redeliver([...selected]) },
    'Redeliver selected',
  )
  const bulkDiscard = h(
    'button',
    { type: 'button', class: 'danger', disabled: true, onclick: () => discard([...selected]) },
    'Discard selected',
  )
  const updateBulk = () => {
    bulkRedeliver.disabled = readOnly || selected.size === 0
    bulkDiscard.disabled = readOnly || selected.size === 0
  }
  root.replaceChildren(
    h(
      'div',
      { class: 'toolbar' },
      h(
        'p',
        { class: 'lead' },
        'Deliveries that failed for good or were parked. Redelivering keeps each delivery’s id, so receivers can drop copies.',
      ),
      h(
        'div',
        { class: 'toolbar-actions' },
        h('button', { type: 'button', onclick: refresh }, 'Refresh'),
        bulkRedeliver,
        bulkDiscard,
      ),
    ),
    status,
    letters.length === 0
      ? h('p', { class: 'empty' }, 'No dead letters: everything arrived.')
      : h(
          'table',
          { class: 'list' },
          h('caption', { class: 'sr-only' }, 'Dead letters'),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['', 'When', 'Event', 'Integration', 'Why', 'Attempts', ''].map((label) =>
                h('th', { scope: 'col' }, label),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            letters.map((letter) => {
              const pick = h('input', {
                type: 'checkbox',
                'aria-label': `Select ${letter.delivery.outgoingName} to ${letter.delivery.integrationId}`,
                disabled: readOnly,
                onchange: () => {
                  if (pick.checked) selected.add(letter.id)
                  else selected.delete(letter.id)
                  updateBulk()
                },
              })
              return h(
                'tr',
                {},
                h('td', {}, pick),
                h('td', { class: 'nowrap' }, formatTime(letter.deadLetteredAt)),
                h('th', { scope: 'row' }, letter.delivery.outgoingName, h('br'), code(letter.event.name)),
                h('td', {}, letter.delivery.integrationId),
                h(
                  'td',
                  {},
                  h('span', { class: 'badge warn' }, letter.reason),
                  h(
                    'div',
                    { class: 'hint' },
                    letter.error.status === null ? '' : `HTTP ${letter.error.status}: `,
                    letter.error.message,
                  ),
                ),
                h(
                  'td',
                  {},
                  String(letter.history.length),
                  letter.redeliveries > 0 ? ` (redelivered ${letter.redeliveries}×)` : '',
                ),
                h(
                  'td',
                  { class: 'actions' },
                  h(
                    'button',
                    {
                      type: 'button',
                      disabled: readOnly,
                      'aria-label': `Redeliver ${letter.delivery.outgoingName} to ${letter.delivery.integrationId}`,
                      onclick: () => redeliver([letter.id]),
                    },
                    'Redeliver',
                  ),
                ),
              )
            }),
          ),
        ),
  )
}
