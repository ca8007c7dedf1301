import type { AdapterView, IntegrationView } from '../admin-api-types.js'
import { ApiError, api, segment } from './api.js'
import { type App, errorBlock } from './app.js'
import { type ConfigForm, configForm } from './config-form.js'
import { confirmDialog, openDialog } from './dialog.js'
import { h, uniqueId } from './dom.js'

/** How the page names an integration: its name, else its id. */
export function integrationLabel(integration: IntegrationView): string {
  return integration.name ?? integration.id
}

/** The add or edit dialog of an integration. */
export function openIntegrationDialog(
  app: App,
  adapters: readonly AdapterView[],
  existing: IntegrationView | undefined,
  saved: () => void,
): void {
  const readOnly = app.session.readOnly
  const summary = h('div', { class: 'summary' })
  const typeSelect = h(
    'select',
    { id: uniqueId('integration-type'), disabled: existing !== undefined },
    (existing ? [existing.type] : adapters.map((adapter) => adapter.type)).map((type) =>
      h('option', { value: type }, type),
    ),
  )
  const idInput = h('input', {
    id: uniqueId('integration-id'),
    type: 'text',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: 'e.g. klaviyo-main (a random id if empty)',
    disabled: existing !== undefined,
  })
  idInput.value = existing?.id ?? ''
  const nameInput = h('input', { id: uniqueId('integration-name'), type: 'text', autocomplete: 'off' })
  nameInput.value = existing?.name ?? ''
  const enabled = h('input', { type: 'checkbox', checked: existing?.enabled ?? true })
  const configSlot = h('div')
  let form: ConfigForm | undefined
  const showConfig = () => {
    const adapter = adapters.find((candidate) => candidate.type === typeSelect.value)
    form = adapter ? configForm(adapter, existing) : undefined
    configSlot.replaceChildren(
      form?.element ??
        h(
          'p',
          { class: 'hint' },
          'The handler was not given this adapter: its settings cannot be edited here.',
        ),
    )
  }
  typeSelect.addEventListener('change', showConfig)
  showConfig()

  const submit = h(
    'button',
    { type: 'submit', class: 'primary', disabled: readOnly },
    existing ? 'Save' : 'Add integration',
  )
  const element = h(
    'form',
    {
      novalidate: true,
      onsubmit: async (event: Event) => {
        event.preventDefault()
        summary.replaceChildren()
        form?.clearIssues()
        const value = form?.read()
        if (form && value === undefined) return
        const body: Record<string, unknown> = existing
          ? {
              name: nameInput.value.trim() === '' ? null : nameInput.value.trim(),
              enabled: enabled.checked,
              ...(value ? { config: value.config } : {}),
              ...(value && value.unset.length > 0 ? { unsetConfig: value.unset } : {}),
            }
          : {
              type: typeSelect.value,
              ...(idInput.value.trim() === '' ? {} : { id: idInput.value.trim() }),
              ...(nameInput.value.trim() === '' ? {} : { name: nameInput.value.trim() }),
              enabled: enabled.checked,
              config: value?.config ?? {},
            }
        submit.disabled = true
        try {
          const result = existing
            ? await api<IntegrationView>('PATCH', `integrations/${segment(existing.id)}`, body)
            : await api<IntegrationView>('POST', 'integrations', body)
          handle.close()
          app.announce(`Integration ${integrationLabel(result)} ${existing ? 'saved' : 'added'}.`)
          saved()
        } catch (error) {
          const rest = error instanceof ApiError && form ? form.showIssues(error.issues) : undefined
          summary.replaceChildren(
            errorBlock(error, { skip: (issue) => rest !== undefined && !rest.includes(issue) }),
          )
          submit.disabled = false
        }
      },
    },
    summary,
    h('div', { class: 'field' }, h('label', { for: typeSelect.id }, 'Type'), typeSelect),
    h(
      'div',
      { class: 'field-row' },
      h(
        'div',
        { class: 'field' },
        h('label', { for: idInput.id }, 'Id ', h('span', { class: 'hint' }, '(optional)')),
        idInput,
      ),
      h(
        'div',
        { class: 'field' },
        h('label', { for: nameInput.id }, 'Name ', h('span', { class: 'hint' }, '(optional)')),
        nameInput,
      ),
    ),
    h('label', { class: 'checkbox' }, enabled, ' Enabled'),
    configSlot,
    h(
      'div',
      { class: 'dialog-actions' },
      h('button', { type: 'button', onclick: () => handle.close() }, 'Cancel'),
      submit,
    ),
  )
  const remove =
    existing && !readOnly
      ? h(
          'button',
          {
            type: 'button',
            class: 'danger',
            onclick: async () => {
              const sure = await confirmDialog({
                title: 'Delete integration?',
                message: `${integrationLabel(existing)} will be deleted. Remove the subscriptions that send to it first.`,
                confirmLabel: 'Delete',
              })
              if (!sure) return
              try {
                await api('DELETE', `integrations/${segment(existing.id)}`)
                handle.close()
                app.announce(`Integration ${integrationLabel(existing)} deleted.`)
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
    title: existing ? `Integration ${integrationLabel(existing)}` : 'Add integration',
    content: [element],
    headerActions: [remove],
  })
}
