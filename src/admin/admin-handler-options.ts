import { z } from 'zod'
import type { Adapter } from '../adapters/adapter.js'
import type { Catalog } from '../catalog/catalog.js'
import { ConflictError } from '../errors/conflict-error.js'
import { parseInput } from '../errors/parse-input.js'
import { ValidationError } from '../errors/validation-error.js'

/**
 * What `authorize()` grants: the tenant the caller may manage (`{ tenant: 'acme' }`), or the
 * platform scope (`{ tenant: null }`: the router's own integrations and subscriptions).
 */
export interface AdminAuthorization {
  /** The tenant (merchant) whose records the caller manages, or `null` for the platform's. */
  readonly tenant: string | null
  /**
   * Refuse every change for this caller (a viewer role), as the handler's `readOnly` does for all.
   * @default false
   */
  readonly readOnly?: boolean
}

/**
 * Decides who the request is from. Resolve with the scope the caller may manage, with `null` (or
 * `undefined`) to refuse it as not signed in (401), or with a `Response` to answer with it as is
 * (a redirect to your login page). Throwing refuses it as forbidden (403). Called for every
 * request but the page's script and stylesheet, which hold no data.
 */
export type AdminAuthorize = (
  request: Request,
) =>
  | AdminAuthorization
  | Response
  | null
  | undefined
  | Promise<AdminAuthorization | Response | null | undefined>

/** Options of `createAdminHandler()`. */
export interface AdminHandlerOptions {
  /**
   * Who may do what: see {@link AdminAuthorize}. Required: there is no unauthenticated default.
   */
  authorize: AdminAuthorize
  /**
   * The path the handler is mounted at, as the request URL shows it (`/admin` serves the page at
   * `/admin/` and the API under `/admin/api/`). Mount it where the framework passes the full path
   * (Hono `app.all('/admin/*', ...)`, a Next.js `app/admin/[[...path]]/route.ts`).
   * @default '/'
   */
  basePath?: string
  /**
   * Refuse every change (403 `ERR_READ_ONLY`): the page shows the configuration, dead letters
   * and stats, and offers no edits.
   * @default false
   */
  readOnly?: boolean
  /**
   * The adapters the router was given (the same objects), for the page's integration forms: each
   * type's config fields from its `configSchema`, and which are secret (`secretFields`).
   * @default [] (integrations can be listed, edited and removed, but the page cannot build their forms)
   */
  adapters?: readonly Adapter<unknown>[]
  /**
   * The catalog the router was given (the same object), for the sample payload of each event the
   * page's "Explain" starts from.
   * @default undefined (explain starts from `{}`)
   */
  catalog?: Catalog
  /**
   * Origins allowed to make changes besides the request's own (`https://admin.example.com`), e.g.
   * behind a proxy that rewrites the host or the scheme. Changes from any other origin are refused
   * (403 `ERR_CSRF`). The handler answers no CORS preflight: these are not cross-origin clients.
   * @default []
   */
  allowedOrigins?: readonly string[]
  /**
   * Who may frame the page (CSP `frame-ancestors`): `"'none'"`, `"'self'"` or origins.
   * @default ["'none'"]
   */
  frameAncestors?: readonly string[]
  /**
   * Largest request body accepted, in bytes (413 `ERR_PAYLOAD_TOO_LARGE` beyond).
   * @default 1048576 (1 MiB)
   */
  maxBodyBytes?: number
  /**
   * Told of what failed on the server's side (a bug, a store failure, an `authorize()` that
   * returned something else than an authorization): the answer is then a 500 or 503 without details.
   * @default logs the error with console.error
   */
  onError?: (error: unknown, request: Request) => void
}

/** {@link AdminHandlerOptions} after validation, with defaults applied. */
export interface ResolvedAdminOptions {
  readonly authorize: AdminAuthorize
  /** `''` for the root, else `/admin` (no trailing slash). */
  readonly basePath: string
  readonly readOnly: boolean
  readonly adapters: ReadonlyMap<string, Adapter<unknown>>
  readonly catalog: Catalog | undefined
  readonly allowedOrigins: ReadonlySet<string>
  readonly frameAncestors: readonly string[]
  readonly maxBodyBytes: number
  readonly onError: (error: unknown, request: Request) => void
}

/** The defaults of {@link AdminHandlerOptions}. */
export const ADMIN_HANDLER_DEFAULTS = {
  /** {@link AdminHandlerOptions.basePath}: mounted at the root. */
  basePath: '/',
  /** {@link AdminHandlerOptions.readOnly}: changes are allowed. */
  readOnly: false,
  /** {@link AdminHandlerOptions.allowedOrigins}: only the request's own origin may make changes. */
  allowedOrigins: [],
  /** {@link AdminHandlerOptions.frameAncestors}: no one may frame the page. */
  frameAncestors: ["'none'"],
  /** {@link AdminHandlerOptions.maxBodyBytes}: 1 MiB. */
  maxBodyBytes: 1_048_576,
} as const

const PATH = /^\/(?:[A-Za-z0-9._~!$&'()*+,;=:@%-]+\/?)*$/
// CSP source expressions this option accepts: keywords, and scheme://host[:port] (host may start with `*.`).
const FRAME_SOURCE = /^(?:'none'|'self'|https?:\/\/(?:\*\.)?[A-Za-z0-9.-]+(?::\d{1,5})?)$/

const fn = (message: string) =>
  z.custom<(...args: never[]) => unknown>((value) => typeof value === 'function', { error: message })

const optionsSchema = z.strictObject({
  authorize: fn(
    'expected a function `(request) => ({ tenant })` that decides who the caller is; there is no unauthenticated default',
  ),
  basePath: z
    .string()
    .regex(PATH, 'expected a path such as `/admin`: starting with `/`, without a query or fragment')
    .optional(),
  readOnly: z.boolean().optional(),
  adapters: z
    .array(
      z
        .object(
          { type: z.string().min(1), configSchema: z.object({}).loose(), secretFields: z.array(z.string()) },
          'expected an adapter such as webhookAdapter()',
        )
        .loose(),
    )
    .optional(),
  catalog: z
    .object(
      { names: fn('expected a function'), get: fn('expected a function') },
      'expected a catalog made with defineCatalog()',
    )
    .loose()
    .optional(),
  allowedOrigins: z
    .array(z.string().refine(isOrigin, 'expected an origin such as `https://admin.example.com` (no path)'))
    .optional(),
  frameAncestors: z
    .array(
      z
        .string()
        .regex(FRAME_SOURCE, "expected `'none'`, `'self'` or an origin such as `https://app.example`"),
    )
    .min(1)
    .optional(),
  maxBodyBytes: z.number().int().min(1).max(1_073_741_824).optional(),
  onError: fn('expected a function `(error, request) => void`').optional(),
})

/**
 * Validates the options and applies the defaults. Throws a `ValidationError` naming the option
 * (`authorize`, `basePath`, ...), or a `ConflictError` for two adapters of one type.
 */
export function resolveAdminOptions(
  options: AdminHandlerOptions,
  routerEventNames: readonly string[],
): ResolvedAdminOptions {
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError('admin handler options', [
      { path: '', message: 'expected an options object with at least `authorize`' },
    ])
  }
  parseInput(optionsSchema, options, 'admin handler options')
  const adapters = new Map<string, Adapter<unknown>>()
  for (const [index, adapter] of (options.adapters ?? []).entries()) {
    if (adapters.has(adapter.type)) {
      throw new ConflictError(
        'ERR_DUPLICATE_ID',
        `adapters.${index}.type`,
        `Two adapters have the type \`${adapter.type}\` (adapters.${index}.type); pass the router's adapters, each once.`,
      )
    }
    adapters.set(adapter.type, adapter)
  }
  if (options.catalog !== undefined) assertSameCatalog(options.catalog, routerEventNames)
  const basePath = (options.basePath ?? ADMIN_HANDLER_DEFAULTS.basePath).replace(/\/+$/, '')
  const frameAncestors = options.frameAncestors ?? ADMIN_HANDLER_DEFAULTS.frameAncestors
  if (frameAncestors.length > 1 && frameAncestors.includes("'none'")) {
    throw new ValidationError('admin handler options', [
      { path: 'frameAncestors', message: "`'none'` cannot be combined with other sources" },
    ])
  }
  return {
    authorize: options.authorize,
    basePath,
    readOnly: options.readOnly ?? ADMIN_HANDLER_DEFAULTS.readOnly,
    adapters,
    catalog: options.catalog,
    allowedOrigins: new Set(options.allowedOrigins ?? ADMIN_HANDLER_DEFAULTS.allowedOrigins),
    frameAncestors: Object.freeze([...frameAncestors]),
    maxBodyBytes: options.maxBodyBytes ?? ADMIN_HANDLER_DEFAULTS.maxBodyBytes,
    onError: options.onError ?? ((error) => console.error('eventrouter admin:', error)),
  }
}

/** The catalog option must be the router's: the same event names, in the same order. */
function assertSameCatalog(catalog: Catalog, routerEventNames: readonly string[]): void {
  const names = catalog.names()
  if (
    names.length !== routerEventNames.length ||
    names.some((name, index) => name !== routerEventNames[index])
  ) {
    throw new ValidationError('admin handler options', [
      {
        path: 'catalog',
        message:
          routerEventNames.length === 0
            ? 'the router has no catalog: pass the catalog to the router (option catalog) too'
            : "expected the catalog the router was given: the event names differ from the router's",
      },
    ])
  }
}

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value)
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value
  } catch {
    return false
  }
}
