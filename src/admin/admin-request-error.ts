import { EventRouterError } from '../errors/event-router-error.js'

/** Codes of the requests the admin handler refuses by itself, before the router sees them. */
export type AdminRequestErrorCode =
  | 'ERR_UNAUTHORIZED'
  | 'ERR_FORBIDDEN'
  | 'ERR_READ_ONLY'
  | 'ERR_CSRF'
  | 'ERR_UNSUPPORTED_MEDIA_TYPE'
  | 'ERR_PAYLOAD_TOO_LARGE'
  | 'ERR_ROUTE_NOT_FOUND'
  | 'ERR_METHOD_NOT_ALLOWED'
  | 'ERR_NOT_IMPLEMENTED'

/**
 * A request the admin handler refuses by itself (not signed in, not allowed, read-only,
 * cross-site, not JSON, too large, no such route), with the HTTP status it answers. Nothing was
 * changed. Answered as `{ error: { code, message, field: null, issues: [] } }`.
 */
export class AdminRequestError extends EventRouterError {
  override readonly code: AdminRequestErrorCode
  /** The HTTP status of the answer. */
  readonly status: number
  /** Extra response headers (`Allow` for a 405). */
  readonly headers: Readonly<Record<string, string>>

  constructor(
    status: number,
    code: AdminRequestErrorCode,
    message: string,
    headers: Readonly<Record<string, string>> = {},
  ) {
    super(code, message)
    this.name = 'AdminRequestError'
    this.code = code
    this.status = status
    this.headers = headers
  }
}
