import type { AdminSessionView, ErrorIssueView } from '../admin-api-types.js'
import { ApiError } from './api.js'
import { h, richText } from './dom.js'

/** What every view is given. */
export interface App {
  readonly session: AdminSessionView
  /** Says something to screen readers and shows it briefly (a change was saved). */
  announce(message: string): void
}

/**
 * Announces a change: in a polite live region that is always in the page (screen readers miss
 * text that appears together with its region), and in a toast for the eyes, hidden from them.
 */
export function createAnnouncer(region: HTMLElement, toast: HTMLElement): (message: string) => void {
  let timer: ReturnType<typeof setTimeout> | undefined
  return (message) => {
    region.textContent = message
    toast.textContent = message
    toast.hidden = false
    clearTimeout(timer)
    timer = setTimeout(() => {
      toast.hidden = true
    }, 6000)
  }
}

/**
 * An error as a block of text: the message, and each issue on its own line with its path.
 * `role="alert"` so that it is read out when it appears.
 */
export function errorBlock(
  error: unknown,
  options: { readonly skip?: (issue: ErrorIssueView) => boolean } = {},
): HTMLElement {
  const all = error instanceof ApiError ? error.issues : []
  const issues = all.filter((issue) => !options.skip?.(issue))
  // When every issue is shown by its field, the summary only points there.
  const message =
    all.length > 0 && issues.length === 0
      ? 'Some fields need a change: see the messages below them.'
      : error instanceof Error
        ? error.message
        : String(error)
  return h(
    'div',
    { class: 'error-block', role: 'alert' },
    h('p', {}, richText(message)),
    issues.length > 0 &&
      h(
        'ul',
        {},
        issues.map((issue) =>
          h('li', {}, issue.path === '' ? '' : `${issue.path}: `, richText(issue.message)),
        ),
      ),
  )
}

/** An element for a view that failed to load. */
export function loadFailed(what: string, error: unknown): HTMLElement {
  return h('div', {}, h('p', {}, `Could not load ${what}.`), errorBlock(error))
}
