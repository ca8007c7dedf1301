import type { AdapterView, IntegrationView } from '../admin-api-types.js'
import { api, segment } from './api.js'
import { type App, errorBlock, loadFailed } from './app.js'
import { code, h, uniqueId } from './dom.js'
import { integrationLabel as label, openIntegrationDialog } from './integration-dialog.js'

/** The Integrations page: the destinations, added and edited with forms built from each adapter's schema. */
export async function renderIntegrations(root: HTMLElement, app: App): Promise<void> {
  let integrations: IntegrationView[]
  let adapters: AdapterView[]
  try {
    ;[integrations, adapters] = await Promise.all([
      api<IntegrationView[]>('GET', 'integrations'),
      api<AdapterView[]>('GET', 'adapters'),
    ])
  } catch (error) {
    root.replaceChildren(loadFailed('the integrations', error))
    return
  }
  const refresh = () => renderIntegrations(root, app)
  const status = h('div', { class: 'inline-status' })
  const add = h(
    'button',
    {
      type: 'button',
      class: 'primary',
      disabled: app.session.readOnly || adapters.length === 0,
      onclick: () => openIntegrationDialog(app, adapters, undefined, refresh),
    },
    'Add integration',
  )
  root.replaceChildren(
    h(
      'div',
      { class: 'toolbar' },
      h(
        'p',
        { class: 'lead' },
        'Set up the tools events are sent to. Credentials are write-only: they are never shown again.',
      ),
      add,
    ),
    adapters.length > 0
      ? ''
      : h(
          'p',
          { class: 'hint' },
          'The handler was not given the adapters (option adapters): integrations cannot be added here.',
        ),
    status,
    integrations.length === 0
      ? h('p', { class: 'empty' }, 'No integrations yet. Add one, then send events to it from Send Events.')
      : h(
          'table',
          { class: 'list' },
          h('caption', { class: 'sr-only' }, 'Integrations'),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['Integration', 'Type', 'Settings', 'Enabled', ''].map((label) =>
                h('th', { scope: 'col' }, label),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            integrations.map((integration) => integrationRow(integration, adapters, app, status, refresh)),
          ),
        ),
  )
}

function integrationRow(
  integration: IntegrationView,
  adapters: AdapterView[],
  app: App,
  status: HTMLElement,
  refresh: () => void,
): HTMLElement {
  const titleId = uniqueId('integration-title')
  const secrets = Object.entries(integration.secrets)
  const toggle = h(
    'button',
    {
      type: 'button',
      role: 'switch',
      class: 'switch',
      'aria-checked': String(integration.enabled),
      'aria-labelledby': titleId,
      disabled: app.session.readOnly,
      onclick: async () => {
        toggle.disabled = true
        try {
          const action = integration.enabled ? 'disable' : 'enable'
          await api('POST', `integrations/${segment(integration.id)}/${action}`)
          app.announce(`${label(integration)} is ${action}d.`)
          refresh()
        } catch (error) {
          status.replaceChildren(errorBlock(error))
          toggle.disabled = false
        }
      },
    },
    h('span', { class: 'switch-track', 'aria-hidden': 'true' }, h('span', { class: 'switch-thumb' })),
    h('span', { class: 'switch-label' }, integration.enabled ? 'On' : 'Off'),
  )
  const edit = h(
    'button',
    {
      type: 'button',
      'aria-label': `Edit ${label(integration)}`,
      onclick: () => openIntegrationDialog(app, adapters, integration, refresh),
    },
    app.session.readOnly ? 'View' : 'Edit',
  )
  return h(
    'tr',
    {},
    h(
      'th',
      { scope: 'row' },
      h('span', { id: titleId, class: 'title' }, label(integration)),
      h('br'),
      code(integration.id),
    ),
    h('td', {}, integration.type),
    h(
      'td',
      { class: 'settings' },
      Object.entries(integration.config).map(([key, value]) =>
        h(
          'div',
          {},
          h('span', { class: 'key' }, `${key}: `),
          typeof value === 'string' ? value : JSON.stringify(value),
        ),
      ),
      secrets.map(([key, set]) =>
        h(
          'div',
          {},
          h('span', { class: 'key' }, `${key}: `),
          h('span', { class: set ? 'badge' : 'badge muted' }, set ? 'set' : 'not set'),
        ),
      ),
      integration.disabledReason !== null &&
        h('div', { class: 'warning' }, `Disabled by the router: ${integration.disabledReason}`),
    ),
    h('td', {}, toggle),
    h('td', { class: 'actions' }, edit),
  )
}
