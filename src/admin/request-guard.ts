import { AdminRequestError } from './admin-request-error.js'

/** Methods that change nothing; every other method must pass {@link assertChangeAllowed}. */
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD'])

/**
 * CSRF defence of a request that may change something, checked before anything else runs:
 *
 * - its `Content-Type` must be `application/json`. An HTML form or a "simple" cross-site `fetch`
 *   cannot send that without a CORS preflight, which this handler never grants;
 * - its `Origin` must be the request's own origin or one of `allowedOrigins`. Without `Origin`,
 *   `Sec-Fetch-Site` (Fetch Metadata) must be `same-origin`; a request with neither header does
 *   not come from a browser, so it carries no ambient credentials to abuse.
 */
export function assertChangeAllowed(request: Request, allowedOrigins: ReadonlySet<string>): void {
  const origin = request.headers.get('origin')
  const own = new URL(request.url).origin
  if (origin !== null) {
    // `Origin: null` (a sandboxed frame, a file: page) is never our origin.
    if (origin !== own && !allowedOrigins.has(origin)) {
      throw new AdminRequestError(
        403,
        'ERR_CSRF',
        `Refused a ${request.method} from origin \`${origin.slice(0, 200)}\`: changes are accepted from \`${own}\` only (add the origin to the allowedOrigins option if the page is served from there, e.g. behind a proxy).`,
      )
    }
  } else {
    const site = request.headers.get('sec-fetch-site')
    if (site !== null && site !== 'same-origin') {
      throw new AdminRequestError(
        403,
        'ERR_CSRF',
        `Refused a ${request.method} with Sec-Fetch-Site \`${site.slice(0, 40)}\` and no Origin: changes are accepted from the page's own origin only.`,
      )
    }
  }
  const type = request.headers.get('content-type')
  if (type === null || mediaType(type) !== 'application/json') {
    throw new AdminRequestError(
      415,
      'ERR_UNSUPPORTED_MEDIA_TYPE',
      `Refused a ${request.method} with ${type === null ? 'no Content-Type' : `Content-Type \`${type.slice(0, 100)}\``}: send \`Content-Type: application/json\` (with an empty body when there is nothing to send).`,
    )
  }
}

/** `application/json; charset=utf-8` -> `application/json`. */
function mediaType(value: string): string {
  return (value.split(';')[0] ?? '').trim().toLowerCase()
}
