import { isEventRouterError } from '../errors/event-router-error.js'
import type { ErrorBodyView, ErrorIssueView } from './admin-api-types.js'
import { AdminRequestError } from './admin-request-error.js'

/** An error answer: its status, headers and body, and whether the host should hear of it. */
export interface ErrorAnswer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: ErrorBodyView
  /** True for what is not the caller's fault (a bug, a store failure): reported to `onError`. */
  readonly unexpected: boolean
}

/**
 * The HTTP status of each error code the router throws. Codes, not classes, so that errors of
 * another copy of the package map the same.
 */
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  ERR_VALIDATION: 400,
  ERR_INVALID_FILTER: 400,
  ERR_NOT_FOUND: 404,
  ERR_DUPLICATE_ID: 409,
  ERR_INTEGRATION_IN_USE: 409,
  ERR_QUOTA_EXCEEDED: 409,
  ERR_BACKPRESSURE: 429,
  ERR_ROUTER_CLOSED: 503,
  ERR_NOT_STARTED: 503,
  ERR_STORE: 503,
}

/** Maps what a route threw to the answer: the library's typed errors keep their code, message, field and issues. */
export function errorAnswer(error: unknown): ErrorAnswer {
  if (error instanceof AdminRequestError) {
    return { status: error.status, headers: error.headers, body: bodyOf(error), unexpected: false }
  }
  if (isEventRouterError(error)) {
    if (error.code === 'ERR_STORE') {
      // The store's own message may name files or hosts: the host's log gets it, the caller a summary.
      return {
        status: 503,
        headers: {},
        body: plainBody(
          'ERR_STORE',
          'The store could not do this now; nothing was changed. Try again later.',
        ),
        unexpected: true,
      }
    }
    const status = STATUS_BY_CODE[error.code]
    if (status !== undefined) {
      // BackpressureError: the queue drains by itself; a second is a polite first wait.
      const headers: Record<string, string> = status === 429 ? { 'retry-after': '1' } : {}
      return { status, headers, body: bodyOf(error), unexpected: false }
    }
  }
  return {
    status: 500,
    headers: {},
    body: plainBody('ERR_INTERNAL', 'Internal error: the request failed on the server (see its log).'),
    unexpected: true,
  }
}

function bodyOf(error: Error & { code: string }): ErrorBodyView {
  const { field, issues } = error as { field?: unknown; issues?: unknown }
  return {
    error: {
      code: error.code,
      message: error.message,
      field: typeof field === 'string' ? field : null,
      issues: Array.isArray(issues)
        ? issues.filter(isIssue).map(({ path, message }) => ({ path, message }))
        : [],
    },
  }
}

function plainBody(code: string, message: string): ErrorBodyView {
  return { error: { code, message, field: null, issues: [] } }
}

function isIssue(value: unknown): value is ErrorIssueView {
  const issue = value as Partial<ErrorIssueView> | null
  return typeof issue?.path === 'string' && typeof issue.message === 'string'
}
