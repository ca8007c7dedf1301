import { z } from 'zod'
import type { AdminHandlerOptions } from '../../../src/admin/index.js'
import { loyaltyCatalog } from '../../../src/catalogs/loyalty/index.js'
import { defineAdapter, EventRouter, type EventRouterOptions, webhookAdapter } from '../../../src/index.js'
import { MockTransport } from '../../../src/testing/index.js'
import { buildAdminPage } from './build-page.js'

await buildAdminPage()
const { createAdminHandler } = await import('../../../src/admin/index.js')

export { createAdminHandler }

/** The origin of every test request. */
export const ORIGIN = 'https://admin.test'

/** A Standard Webhooks secret. */
export const SECRET = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`

/** An API-style adapter with a secret `token`, whose 4xx answers fail at once (a dead letter without waiting). */
export const apiAdapter = defineAdapter({
  type: 'api',
  configSchema: z.strictObject({
    url: z.url(),
    token: z.string().min(1),
    region: z.enum(['us', 'eu']).optional(),
  }),
  secretFields: ['token'],
  buildRequest: ({ event, config, delivery }) => ({
    method: 'POST',
    url: config.url,
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${config.token}`,
      'idempotency-key': delivery.id,
    },
    body: JSON.stringify({ id: event.id, type: event.outgoingName, data: event.payload }),
  }),
})

/**
 * Who a test request is from, by its `x-test-scope` header: `platform`, a tenant id,
 * `viewer:<tenant>` (read-only), `throw` (authorize throws), `bad` (a malformed authorization);
 * no header: not signed in.
 */
export const testAuthorize: AdminHandlerOptions['authorize'] = (request) => {
  const scope = request.headers.get('x-test-scope')
  if (scope === null) return null
  if (scope === 'platform') return { tenant: null }
  if (scope === 'throw') throw new Error('session store down')
  if (scope === 'bad') return { tenant: 42 } as unknown as { tenant: string }
  if (scope === 'login')
    return new Response('to the login page', { status: 302, headers: { location: '/login' } })
  if (scope.startsWith('viewer:')) return { tenant: scope.slice('viewer:'.length), readOnly: true }
  return { tenant: scope }
}

/** What {@link AdminFixture.call} answers. */
export interface Answer {
  readonly status: number
  readonly headers: Headers
  /** The parsed JSON body, or `undefined` when there is none. */
  readonly json: unknown
  readonly text: string
}

/** Options of one call. */
export interface CallOptions {
  /** JSON body (serialized); `raw` sends text as is. */
  readonly body?: unknown
  readonly raw?: string
  /** `x-test-scope`; `null` for none. @default 'acme' */
  readonly scope?: string | null
  /** Headers over the defaults (origin and JSON content type for changes); `null` removes one. */
  readonly headers?: Readonly<Record<string, string | null>>
}

/** A router with the loyalty catalog, a mock transport, and the admin handler under `/admin`. */
export function adminFixture(
  options: {
    readonly admin?: Partial<AdminHandlerOptions>
    readonly router?: Partial<EventRouterOptions<typeof loyaltyCatalog>>
  } = {},
) {
  const transport = new MockTransport()
  const adapters = [webhookAdapter(), apiAdapter]
  const router = new EventRouter({
    adapters,
    catalog: loyaltyCatalog,
    transport,
    retry: { retries: 0, minTimeout: 0, maxTimeout: 0, randomize: false },
    ...options.router,
  })
  const errors: unknown[] = []
  const handler = createAdminHandler(router, {
    basePath: '/admin',
    adapters,
    catalog: loyaltyCatalog,
    authorize: testAuthorize,
    onError: (error) => errors.push(error),
    ...options.admin,
  })
  const call = async (method: string, path: string, callOptions: CallOptions = {}): Promise<Answer> => {
    const scope = callOptions.scope === undefined ? 'acme' : callOptions.scope
    const headers: Record<string, string | null> = {
      ...(method === 'GET' || method === 'HEAD'
        ? {}
        : { origin: ORIGIN, 'content-type': 'application/json' }),
      ...(scope === null ? {} : { 'x-test-scope': scope }),
      ...callOptions.headers,
    }
    const init: RequestInit = {
      method,
      headers: Object.fromEntries(
        Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== null),
      ),
    }
    if (callOptions.raw !== undefined) init.body = callOptions.raw
    else if (callOptions.body !== undefined) init.body = JSON.stringify(callOptions.body)
    const response = await handler(new Request(`${ORIGIN}/admin${path}`, init))
    const text = await response.text()
    let json: unknown
    try {
      json = text === '' ? undefined : JSON.parse(text)
    } catch {
      json = undefined
    }
    return { status: response.status, headers: response.headers, json, text }
  }
  return { router, transport, adapters, handler, call, errors }
}

/** A valid `wallet.coins_rewarded` payload. */
export function coinsPayload(coins = 150): Record<string, unknown> {
  return { ...(loyaltyCatalog.get('wallet.coins_rewarded').sample as Record<string, unknown>), coins }
}
