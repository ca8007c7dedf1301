import type { AdminSessionView } from '../admin-api-types.js'
import { api } from './api.js'
import { type App, createAnnouncer, loadFailed } from './app.js'
import { renderDeadLetters } from './dead-letters-view.js'
import { h } from './dom.js'
import { renderEvents } from './events-view.js'
import { renderIntegrations } from './integrations-view.js'
import { renderStats } from './stats-view.js'
import { renderSubscriptions } from './subscriptions-view.js'

/** The page's sections, by their `#hash`. */
const SECTIONS = [
  { hash: 'events', title: 'Events', render: renderEvents },
  { hash: 'integrations', title: 'Integrations', render: renderIntegrations },
  { hash: 'send-events', title: 'Send Events', render: renderSubscriptions },
  { hash: 'dead-letters', title: 'Dead letters', render: renderDeadLetters },
  { hash: 'stats', title: 'Stats', render: renderStats },
] as const

async function start(root: HTMLElement): Promise<void> {
  const live = h('div', { class: 'sr-only', role: 'status', 'aria-live': 'polite' })
  const toast = h('div', { class: 'notice', 'aria-hidden': 'true', hidden: true })
  let session: AdminSessionView
  try {
    session = await api<AdminSessionView>('GET', 'session')
  } catch (error) {
    root.replaceChildren(loadFailed('the admin page', error))
    return
  }
  const app: App = { session, announce: createAnnouncer(live, toast) }
  const links = SECTIONS.map((section) => h('a', { href: `#${section.hash}` }, section.title))
  const heading = h('h2', { tabindex: '-1' })
  const view = h('div', { class: 'view' })
  root.replaceChildren(
    h(
      'header',
      { class: 'top' },
      h('h1', {}, 'Event routing'),
      h(
        'p',
        { class: 'scope' },
        session.tenant === null ? 'Platform' : `Tenant ${session.tenant}`,
        session.readOnly ? h('span', { class: 'badge muted' }, 'read-only') : null,
      ),
      h(
        'nav',
        { 'aria-label': 'Sections' },
        h(
          'ul',
          {},
          links.map((link) => h('li', {}, link)),
        ),
      ),
    ),
    h('main', {}, heading, view),
    live,
    toast,
  )
  let first = true
  const show = async () => {
    const hash = location.hash.slice(1)
    const section = SECTIONS.find((candidate) => candidate.hash === hash) ?? SECTIONS[0]
    for (const [index, link] of links.entries()) {
      if (SECTIONS[index] === section) link.setAttribute('aria-current', 'page')
      else link.removeAttribute('aria-current')
    }
    heading.textContent = section.title
    document.title = `${section.title} · eventrouter`
    view.replaceChildren(h('p', { class: 'loading' }, 'Loading…'))
    view.setAttribute('aria-busy', 'true')
    await section.render(view, app)
    view.removeAttribute('aria-busy')
    // After a change of section, focus its heading, so that keyboard and screen reader users land there.
    if (!first) heading.focus()
    first = false
  }
  window.addEventListener('hashchange', () => void show())
  await show()
}

const root = document.getElementById('app')
if (root) void start(root)
