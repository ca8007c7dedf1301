import type { Adapter } from '../adapters/adapter.js'
import type { Catalog } from '../catalog/catalog.js'
import { ValidationError } from '../errors/validation-error.js'
import type { AdminScope } from './admin-scope.js'

/** What a route is given: the caller's scope and the request's parts. */
export interface RouteContext {
  /** The router, or the caller's tenant view: everything goes through it. */
  readonly scope: AdminScope
  readonly tenant: string | null
  readonly readOnly: boolean
  /** The decoded `:params` of the path, in order. */
  readonly params: readonly string[]
  readonly query: URLSearchParams
  /** The parsed JSON body, `undefined` when empty (always for GET). */
  readonly body: unknown
  readonly adapters: ReadonlyMap<string, Adapter<unknown>>
  readonly catalog: Catalog | undefined
}

/** A route's answer: a status and a JSON body (none for 204). */
export interface RouteResult {
  readonly status: number
  readonly body?: unknown
}

/** One route of the API, under `<basePath>/api`. */
export interface Route {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE'
  /** Path segments after `/api`, with `:name` for a parameter: `integrations/:id/enable`. */
  readonly path: string
  /** Whether it changes something (refused when read-only). Test sends and redeliveries do. */
  readonly changes: boolean
  run(context: RouteContext): RouteResult | Promise<RouteResult>
}

/** The result of a lookup: the route and its params, or which methods the path has (405). */
export type RouteMatch =
  | { readonly route: Route; readonly params: readonly string[] }
  | { readonly route: undefined; readonly allowed: readonly string[] }

/** Finds the route of a method and the (still percent-encoded) segments after `/api/`. */
export function matchRoute(
  routes: readonly Route[],
  method: string,
  segments: readonly string[],
): RouteMatch {
  const allowed: string[] = []
  for (const route of routes) {
    const pattern = route.path.split('/')
    if (pattern.length !== segments.length) continue
    const params: string[] = []
    const fits = pattern.every((part, index) => {
      const segment = segments[index] as string
      if (!part.startsWith(':')) return part === segment
      params.push(decodeSegment(segment))
      return segment !== ''
    })
    if (!fits) continue
    if (route.method === method) return { route, params }
    allowed.push(route.method)
  }
  return { route: undefined, allowed }
}

/** `%2F` in an event name is a slash of the name, not a separator: decode each segment alone. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    // Not valid percent-encoding: the raw text, which names nothing and is refused as such.
    return segment
  }
}

/**
 * The body as an object with only `allowed` keys, for the routes whose body is theirs rather
 * than the router's input (explain, test send, dead letters). Throws a `ValidationError`.
 */
export function bodyObject(body: unknown, allowed: readonly string[], what: string): Record<string, unknown> {
  if (body === undefined) return {}
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError(what, [{ path: '', message: `expected a JSON object with ${keys(allowed)}` }])
  }
  const unknown = Object.keys(body).filter((key) => !allowed.includes(key))
  if (unknown.length > 0) {
    throw new ValidationError(
      what,
      unknown.map((key) => ({ path: key, message: `unknown field (expected ${keys(allowed)})` })),
    )
  }
  return body as Record<string, unknown>
}

/** The query string as an object, refusing a key given twice. Values stay strings. */
export function queryObject(query: URLSearchParams, what: string): Record<string, string> {
  const entries = new Map<string, string>()
  for (const [key, value] of query) {
    if (entries.has(key)) {
      throw new ValidationError(what, [{ path: key, message: 'given more than once in the query string' }])
    }
    entries.set(key, value)
  }
  // fromEntries defines own properties: a `__proto__` key stays a key (and is refused as unknown).
  return Object.fromEntries(entries)
}

function keys(names: readonly string[]): string {
  return names.map((name) => `\`${name}\``).join(', ')
}
