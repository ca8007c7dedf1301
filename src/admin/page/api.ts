import type { ErrorBodyView, ErrorIssueView } from '../admin-api-types.js'

/** An answer of the admin API that is not a success, with the error it carries. */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly field: string | null
  readonly issues: readonly ErrorIssueView[]

  constructor(status: number, body: Partial<ErrorBodyView> | null) {
    super(body?.error?.message ?? `The server answered HTTP ${status}.`)
    this.name = 'ApiError'
    this.status = status
    this.code = body?.error?.code ?? 'ERR_HTTP'
    this.field = body?.error?.field ?? null
    this.issues = body?.error?.issues ?? []
  }
}

/**
 * Calls the admin API, relative to the page (`<basePath>/api/...`). Changes are sent as JSON
 * from this origin, which is what the handler's CSRF check asks for.
 */
export async function api<T>(
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`api/${path}`, {
    method,
    credentials: 'same-origin',
    headers:
      method === 'GET'
        ? { accept: 'application/json' }
        : { accept: 'application/json', 'content-type': 'application/json' },
    ...(method === 'GET' ? {} : { body: body === undefined ? '' : JSON.stringify(body) }),
  })
  if (response.status === 204) return undefined as T
  const data: unknown = await response.json().catch(() => null)
  if (!response.ok) throw new ApiError(response.status, data as Partial<ErrorBodyView> | null)
  return data as T
}

/** `encodeURIComponent`, for ids and event names in paths (`/` in an event name included). */
export function segment(value: string): string {
  return encodeURIComponent(value)
}
