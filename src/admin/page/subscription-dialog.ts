import type { EventTypeView, IntegrationView, SubscriptionView } from '../admin-api-types.js'
import { ApiError, api, segment } from './api.js'
import { type App, errorBlock } from './app.js'
import { confirmDialog, openDialog } from './dialog.js'
import { h, richText, uniqueId } from './dom.js'
import { filterEditor } from './filter-editor.js'
import { testSendResult } from './test-send-result.js'

/** What the dialog needs to offer choices. */
export interface SubscriptionChoices {
  readonly events: readonly EventTypeView[]
  readonly integrations: readonly IntegrationView[]
}

/**
 * The Create / edit dialog of a subscription: the event, the integration, a prefix for the
 * event name and the filter; in edit mode also Update, a test send and Delete (top right, confirmed).
 */
export function openSubscriptionDialog(
  app: App,
  choices: SubscriptionChoices,
  existing: SubscriptionView | undefined,
  saved: () => void,
): void {
  const readOnly = app.session.readOnly
  const summary = h('div', { class: 'summary' })
  const eventId = uniqueId('subscription-event')
  const current = existing?.event
  // A select of the catalog's events; free text without a catalog or for several names.
  const eventControl =
    choices.events.length > 0 && !Array.isArray(current)
      ? h(
          'select',
          { id: eventId },
          h('option', { value: '*', selected: current === '*' }, 'All events (*)'),
          choices.events.map((event) =>
            h(
              'option',
              { value: event.name, selected: event.name === current },
              `${event.title} (${event.name})`,
            ),
          ),
        )
      : h('input', {
          id: eventId,
          type: 'text',
          spellcheck: 'false',
          placeholder: 'event name, names separated by commas, or *',
        })
  if (eventControl instanceof HTMLInputElement) {
    eventControl.value = typeof current === 'string' ? current : (current?.join(', ') ?? '')
  } else if (existing === undefined) {
    eventControl.value = choices.events[0]?.name ?? '*'
  }
  const eventError = fieldError(eventId)

  const integrationId = uniqueId('subscription-integration')
  const integrationSelect = h(
    'select',
    { id: integrationId },
    choices.integrations.map((integration) =>
      h(
        'option',
        { value: integration.id, selected: integration.id === existing?.integrationId },
        integration.name === null ? integration.id : `${integration.name} (${integration.id})`,
      ),
    ),
  )
  const integrationError = fieldError(integrationId)

  const prefixId = uniqueId('subscription-prefix')
  const usePrefix = h('input', { type: 'checkbox', checked: existing?.eventNamePrefix != null })
  const prefix = h('input', {
    id: prefixId,
    type: 'text',
    autocomplete: 'off',
    placeholder: 'e.g. Loyalty ',
    disabled: existing?.eventNamePrefix == null,
  })
  prefix.value = existing?.eventNamePrefix ?? ''
  usePrefix.addEventListener('change', () => {
    prefix.disabled = !usePrefix.checked
    if (usePrefix.checked) prefix.focus()
  })
  const prefixError = fieldError(prefixId)
  const enabled = h('input', { type: 'checkbox', checked: existing?.enabled ?? true })

  const fieldsOf = (name: string) => choices.events.find((event) => event.name === name)?.fields ?? []
  const filter = filterEditor(existing?.filter ?? {}, fieldsOf(eventControl.value))
  eventControl.addEventListener('change', () => filter.setFields(fieldsOf(eventControl.value)))

  const eventValue = (): string | string[] => {
    const raw = eventControl.value.trim()
    if (eventControl instanceof HTMLSelectElement || !raw.includes(',')) return raw
    return raw
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== '')
  }

  const errors = [eventError, integrationError, prefixError]
  const submit = h(
    'button',
    { type: 'submit', class: 'primary', disabled: readOnly },
    existing ? 'Update' : 'Create',
  )
  const form = h(
    'form',
    {
      novalidate: true,
      onsubmit: async (event: Event) => {
        event.preventDefault()
        summary.replaceChildren()
        filter.clearIssues()
        for (const error of errors) error.show('')
        const filterValue = filter.value()
        if (filterValue === undefined) return
        const body = {
          event: eventValue(),
          integrationId: integrationSelect.value,
          filter: filterValue,
          eventNamePrefix: usePrefix.checked ? prefix.value : null,
          enabled: enabled.checked,
        }
        submit.disabled = true
        try {
          if (existing) await api('PATCH', `subscriptions/${segment(existing.id)}`, body)
          else await api('POST', 'subscriptions', body)
          handle.close()
          app.announce(existing ? 'Subscription updated.' : 'Subscription created.')
          saved()
        } catch (error) {
          submit.disabled = false
          if (!(error instanceof ApiError)) {
            summary.replaceChildren(errorBlock(error))
            return
          }
          const rest = filter.showIssues(error.issues)
          const placed = new Set(error.issues.filter((issue) => !rest.includes(issue)))
          for (const issue of rest) {
            const target = targetOf(issue.path)
            if (target) {
              target.show(issue.message)
              placed.add(issue)
            }
          }
          // A NotFoundError has a field and no issues: `integrationId`.
          if (error.issues.length === 0 && error.field !== null) targetOf(error.field)?.show(error.message)
          summary.replaceChildren(errorBlock(error, { skip: (issue) => placed.has(issue) }))
        }
      },
    },
    summary,
    h('div', { class: 'field' }, h('label', { for: eventId }, 'Event'), eventControl, eventError.element),
    h(
      'div',
      { class: 'field' },
      h('label', { for: integrationId }, 'Integration'),
      integrationSelect,
      integrationError.element,
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { class: 'checkbox' }, usePrefix, ' Add a prefix to the event name'),
      h('label', { for: prefixId, class: 'sr-only' }, 'Prefix'),
      prefix,
      h(
        'p',
        { class: 'hint' },
        'Sent before the event name, e.g. “Loyalty ” makes “Loyalty Wallet Coins Rewarded”.',
      ),
      prefixError.element,
    ),
    h('label', { class: 'checkbox' }, enabled, ' Enabled'),
    filter.element,
    existing && testSection(existing, readOnly),
    h(
      'div',
      { class: 'dialog-actions' },
      h('button', { type: 'button', onclick: () => handle.close() }, 'Cancel'),
      submit,
    ),
  )
  const targetOf = (path: string) =>
    path === 'event' || path.startsWith('event.')
      ? eventError
      : path === 'integrationId'
        ? integrationError
        : path === 'eventNamePrefix'
          ? prefixError
          : undefined

  const remove =
    existing && !readOnly
      ? h(
          'button',
          {
            type: 'button',
            class: 'danger',
            onclick: async () => {
              const sure = await confirmDialog({
                title: 'Delete subscription?',
                message: `${describeEvent(choices, existing.event)} will no longer be sent to ${describeIntegration(choices, existing.integrationId)} by this subscription.`,
                confirmLabel: 'Delete',
              })
              if (!sure) return
              try {
                await api('DELETE', `subscriptions/${segment(existing.id)}`)
                handle.close()
                app.announce('Subscription deleted.')
                saved()
              } catch (error) {
                summary.replaceChildren(errorBlock(error))
              }
            },
          },
          'Delete',
        )
      : undefined
  const handle = openDialog({
    title: existing ? 'Edit subscription' : 'Create subscription',
    content: [form],
    headerActions: [remove],
    className: 'wide',
  })
}

function testSection(subscription: SubscriptionView, readOnly: boolean): HTMLElement {
  const result = h('div', { class: 'test-result', role: 'status' })
  const button = h(
    'button',
    {
      type: 'button',
      disabled: readOnly,
      onclick: async () => {
        button.disabled = true
        result.replaceChildren(h('p', {}, 'Sending…'))
        try {
          result.replaceChildren(
            testSendResult(await api('POST', `subscriptions/${segment(subscription.id)}/test`, {})),
          )
        } catch (error) {
          result.replaceChildren(errorBlock(error))
        } finally {
          button.disabled = readOnly
        }
      },
    },
    'Send test event',
  )
  return h(
    'section',
    { class: 'test-send' },
    h('h3', {}, 'Test'),
    h(
      'p',
      { class: 'hint' },
      'Sends one real event, marked as a test, with the saved settings, whatever the filter.',
    ),
    button,
    result,
  )
}

function fieldError(inputId: string): { element: HTMLElement; show(message: string): void } {
  const element = h('p', { class: 'field-error', id: `${inputId}-error`, hidden: true })
  return {
    element,
    show: (message) => {
      element.replaceChildren(...richText(message))
      element.hidden = message === ''
      const input = document.getElementById(inputId)
      if (message === '') input?.removeAttribute('aria-invalid')
      else input?.setAttribute('aria-invalid', 'true')
    },
  }
}

function describeEvent(choices: SubscriptionChoices, event: string | readonly string[]): string {
  const names = typeof event === 'string' ? [event] : event
  return names
    .map((name) =>
      name === '*' ? 'Every event' : (choices.events.find((e) => e.name === name)?.title ?? name),
    )
    .join(', ')
}

function describeIntegration(choices: SubscriptionChoices, id: string): string {
  return choices.integrations.find((integration) => integration.id === id)?.name ?? id
}
