import { ApiError, api } from './api.js'
import { type App, loadFailed } from './app.js'
import { h } from './dom.js'
import { formatNumber, formatTime } from './format.js'

/** One integration's figures, as `router.stats()` reports them. */
interface IntegrationStats {
  readonly integrationId: string
  readonly type?: string
  readonly pending?: number
  readonly inFlight?: number
  readonly lastMinute?: { readonly succeeded?: number; readonly failed?: number }
  readonly lastHour?: { readonly succeeded?: number; readonly failed?: number }
  readonly latencyMs?: {
    readonly p50?: number | null
    readonly p95?: number | null
    readonly p99?: number | null
  }
  readonly circuit?: unknown
  readonly pausedUntil?: string | number | null
}

/** The Stats page: per-integration backlog, outcomes and latency. */
export async function renderStats(root: HTMLElement, app: App): Promise<void> {
  if (!app.session.stats) {
    root.replaceChildren(
      h(
        'p',
        { class: 'empty' },
        'Statistics are not available: this router has no stats() (it comes with a newer eventrouter).',
      ),
    )
    return
  }
  let integrations: readonly IntegrationStats[]
  try {
    const stats = await api<{ integrations?: IntegrationStats[] }>('GET', 'stats')
    integrations = stats.integrations ?? []
  } catch (error) {
    if (error instanceof ApiError && error.status === 501) {
      root.replaceChildren(h('p', { class: 'empty' }, error.message))
      return
    }
    root.replaceChildren(loadFailed('the statistics', error))
    return
  }
  const refresh = h('button', { type: 'button', onclick: () => renderStats(root, app) }, 'Refresh')
  root.replaceChildren(
    h(
      'div',
      { class: 'toolbar' },
      h('p', { class: 'lead' }, 'Deliveries per integration: waiting, in flight, outcomes and latency.'),
      refresh,
    ),
    integrations.length === 0
      ? h('p', { class: 'empty' }, 'No integrations.')
      : h(
          'table',
          { class: 'list numbers' },
          h('caption', { class: 'sr-only' }, 'Statistics per integration'),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              [
                'Integration',
                'Pending',
                'In flight',
                'Last minute: sent / failed',
                'Last hour: sent / failed',
                'Latency p50 / p95 / p99',
                'Circuit',
                'Paused until',
              ].map((label) => h('th', { scope: 'col' }, label)),
            ),
          ),
          h(
            'tbody',
            {},
            integrations.map((item) =>
              h(
                'tr',
                {},
                h(
                  'th',
                  { scope: 'row' },
                  item.integrationId,
                  item.type ? h('div', { class: 'hint' }, item.type) : null,
                ),
                h('td', {}, formatNumber(item.pending)),
                h('td', {}, formatNumber(item.inFlight)),
                h(
                  'td',
                  {},
                  `${formatNumber(item.lastMinute?.succeeded)} / ${formatNumber(item.lastMinute?.failed)}`,
                ),
                h(
                  'td',
                  {},
                  `${formatNumber(item.lastHour?.succeeded)} / ${formatNumber(item.lastHour?.failed)}`,
                ),
                h(
                  'td',
                  {},
                  [item.latencyMs?.p50, item.latencyMs?.p95, item.latencyMs?.p99]
                    .map((value) => formatNumber(value, ' ms'))
                    .join(' / '),
                ),
                h('td', {}, circuitText(item.circuit)),
                h(
                  'td',
                  {},
                  item.pausedUntil === null || item.pausedUntil === undefined
                    ? '—'
                    : formatTime(item.pausedUntil),
                ),
              ),
            ),
          ),
        ),
  )
}

/** The circuit's state: a word (`closed`), or an object with a `state`. */
function circuitText(circuit: unknown): string {
  if (typeof circuit === 'string') return circuit
  if (typeof circuit === 'object' && circuit !== null && 'state' in circuit)
    return String((circuit as { state: unknown }).state)
  return circuit === undefined || circuit === null ? '—' : JSON.stringify(circuit)
}
