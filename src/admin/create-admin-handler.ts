import type { Catalog } from '../catalog/catalog.js'
import { ValidationError } from '../errors/validation-error.js'
import type { EventRouter } from '../router/event-router.js'
import type {
  AdminAuthorization,
  AdminHandlerOptions,
  ResolvedAdminOptions,
} from './admin-handler-options.js'
import { resolveAdminOptions } from './admin-handler-options.js'
import { AdminRequestError } from './admin-request-error.js'
import { ADMIN_ROUTES } from './admin-routes.js'
import { type AdminScope, scopeOf } from './admin-scope.js'
import { errorAnswer } from './error-response.js'
import { pageAssets } from './page-assets.js'
import { readJsonBody } from './read-json-body.js'
import { assertChangeAllowed, SAFE_METHODS } from './request-guard.js'
import { matchRoute } from './route.js'
import { securityHeaders } from './security-headers.js'

/**
 * A Fetch API handler: what Hono, Next.js route handlers, Bun and Deno mount as is, and
 * `toNodeListener()` adapts to `node:http` and Express. It never rejects: failures are answers.
 */
export type AdminHandler = (request: Request) => Promise<Response>

/**
 * The admin page and its JSON API for a router, under `basePath`: event types switched on and
 * off, integrations, the "Send Events" subscriptions with their filters, test sends, explain, dead
 * letters and their redelivery, per-integration stats.
 *
 * Every request but the page's script and stylesheet goes through `authorize()`, and every
 * route then works through the scope it grants: `router.tenant(id)` for a tenant, which sees
 * nothing of another tenant's records, or the router itself for the platform. Changes must be
 * JSON from the page's own origin (CSRF), are refused when read-only, and go through the router's
 * own validation: a refused request changes nothing and answers
 * `{ error: { code, message, field, issues } }` with its status (400, 404, 409, 429, 503...).
 *
 * @example
 * const handler = createAdminHandler(router, {
 *   basePath: '/admin',
 *   adapters, // the router's adapters: the page builds the integration forms from them
 *   authorize: async (request) => {
 *     const user = await sessions.user(request)
 *     return user ? { tenant: user.merchantId } : null
 *   },
 * })
 * createServer(toNodeListener(handler)).listen(3000) // or Hono: app.all('/admin/*', (c) => handler(c.req.raw))
 */
export function createAdminHandler<C extends Catalog | undefined>(
  router: EventRouter<C>,
  options: AdminHandlerOptions,
): AdminHandler {
  if (typeof router !== 'object' || router === null || typeof router.tenant !== 'function') {
    throw new ValidationError('createAdminHandler() arguments', [
      { path: 'router', message: 'expected an EventRouter' },
    ])
  }
  const config = resolveAdminOptions(
    options,
    router.catalog.list().map((event) => event.name),
  )
  const headers = securityHeaders(config.frameAncestors)
  const page = pageAssets()

  const answer = (
    request: Request,
    status: number,
    body: Uint8Array<ArrayBuffer> | string | null,
    extra: Readonly<Record<string, string>>,
  ): Response =>
    new Response(request.method === 'HEAD' || status === 204 ? null : body, {
      status,
      headers: { ...headers, ...extra },
    })

  const json = (
    request: Request,
    status: number,
    body: unknown,
    extra: Readonly<Record<string, string>> = {},
  ) =>
    answer(request, status, body === undefined ? null : JSON.stringify(body), {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      ...extra,
    })

  const handle = async (request: Request): Promise<Response> => {
    const url = new URL(request.url)
    const method = request.method === 'HEAD' ? 'GET' : request.method
    const base = config.basePath
    if (base !== '' && url.pathname === base && method === 'GET') {
      // Relative, so that it holds behind a proxy that moves the mount: `/admin` -> `/admin/`.
      const last = base.slice(base.lastIndexOf('/') + 1)
      return answer(request, 308, null, { location: `${last}/${url.search}`, 'cache-control': 'no-store' })
    }
    if (!url.pathname.startsWith(`${base}/`)) {
      throw new AdminRequestError(
        404,
        'ERR_ROUTE_NOT_FOUND',
        `Nothing at \`${url.pathname.slice(0, 200)}\`: the admin handler serves \`${base}/\` (option basePath).`,
      )
    }
    const rest = url.pathname.slice(base.length + 1)
    if (rest.startsWith('assets/')) return asset(request, method, rest.slice('assets/'.length))
    // CSRF first: a cross-site change is refused before anything (authorize() included) runs.
    if (!SAFE_METHODS.has(request.method)) assertChangeAllowed(request, config.allowedOrigins)
    const granted = await authorize(request, config)
    if (granted instanceof Response) return granted
    if (rest === '') {
      if (method !== 'GET') throw methodNotAllowed(['GET', 'HEAD'])
      return answer(request, 200, page.html, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
      })
    }
    if (!rest.startsWith('api/')) throw noRoute(url.pathname)
    const match = matchRoute(ADMIN_ROUTES, method, rest.slice('api/'.length).split('/'))
    if (match.route === undefined) {
      if (match.allowed.length > 0) throw methodNotAllowed(match.allowed)
      throw noRoute(url.pathname)
    }
    const readOnly = config.readOnly || granted.readOnly === true
    if (match.route.changes && readOnly) {
      throw new AdminRequestError(403, 'ERR_READ_ONLY', 'This admin page is read-only: changes are refused.')
    }
    const body = SAFE_METHODS.has(request.method)
      ? undefined
      : await readJsonBody(request, config.maxBodyBytes)
    const result = await match.route.run({
      scope: scopeFor(router, granted),
      tenant: granted.tenant,
      readOnly,
      params: match.params,
      query: url.searchParams,
      body,
      adapters: config.adapters,
      catalog: config.catalog,
    })
    return json(request, result.status, result.body)
  }

  const asset = (request: Request, method: string, name: string): Response => {
    if (method !== 'GET') throw methodNotAllowed(['GET', 'HEAD'])
    const file = page.files.get(name)
    if (file === undefined) throw noRoute(`assets/${name}`)
    return answer(request, 200, file.bytes, {
      'content-type': file.contentType,
      // The name carries a hash of the content: a new build is a new name.
      'cache-control': 'public, max-age=31536000, immutable',
    })
  }

  return async (request) => {
    try {
      return await handle(request)
    } catch (error) {
      const failure = errorAnswer(error)
      if (failure.unexpected) report(config, error, request)
      return json(request, failure.status, failure.body, failure.headers)
    }
  }
}

/** Runs `authorize()`: an authorization, or a `Response` of the host's to send as is. */
async function authorize(
  request: Request,
  config: ResolvedAdminOptions,
): Promise<AdminAuthorization | Response> {
  let granted: unknown
  try {
    granted = await config.authorize(request)
  } catch (error) {
    // Fail closed. Reported: it may be a refusal, or the session store being down.
    report(config, error, request)
    throw new AdminRequestError(403, 'ERR_FORBIDDEN', 'You may not use this admin page.')
  }
  if (granted === null || granted === undefined) {
    throw new AdminRequestError(401, 'ERR_UNAUTHORIZED', 'Sign in to use this admin page.')
  }
  if (granted instanceof Response) return granted
  const { tenant, readOnly } = granted as Partial<AdminAuthorization>
  if (
    (typeof tenant !== 'string' && tenant !== null) ||
    (readOnly !== undefined && typeof readOnly !== 'boolean')
  ) {
    // The host's bug, not the caller's: a 500, and never a scope by accident.
    throw new TypeError(
      'authorize() must resolve with { tenant: string | null, readOnly?: boolean }, null or a Response',
    )
  }
  return granted as AdminAuthorization
}

function scopeFor<C extends Catalog | undefined>(
  router: EventRouter<C>,
  granted: AdminAuthorization,
): AdminScope {
  try {
    return scopeOf(router, granted.tenant)
  } catch (error) {
    throw new TypeError(
      `authorize() granted tenant \`${String(granted.tenant).slice(0, 140)}\`, which is not a valid tenant id`,
      {
        cause: error,
      },
    )
  }
}

function report(config: ResolvedAdminOptions, error: unknown, request: Request): void {
  try {
    config.onError(error, request)
  } catch {
    // A logger that throws must not turn an answer into a crash.
  }
}

function methodNotAllowed(allowed: readonly string[]): AdminRequestError {
  const methods = [...new Set(allowed.includes('GET') ? [...allowed, 'HEAD'] : allowed)]
  return new AdminRequestError(
    405,
    'ERR_METHOD_NOT_ALLOWED',
    `Method not allowed here; use ${methods.join(', ')}.`,
    { allow: methods.join(', ') },
  )
}

function noRoute(path: string): AdminRequestError {
  return new AdminRequestError(404, 'ERR_ROUTE_NOT_FOUND', `No admin route at \`${path.slice(0, 200)}\`.`)
}
