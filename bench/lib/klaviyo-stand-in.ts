import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'

/**
 * Klaviyo's published rate limits per endpoint, enforced as Klaviyo does: per account, fixed
 * windows, a burst (1 s) and a steady (1 min) window, a 429 with `Retry-After` (whole seconds)
 * past either. Sources: developers.klaviyo.com/en/reference/create_event (`350/s`, `3500/m`)
 * and /en/reference/bulk_create_events (`10/s`, `150/m`, "up to 1,000 events per request").
 */
export const KLAVIYO_ENDPOINT_LIMITS = {
  '/api/events': { burst: 350, steady: 3500, maxEvents: 1 },
  '/api/event-bulk-create-jobs': { burst: 10, steady: 150, maxEvents: 1000 },
} as const

type Path = keyof typeof KLAVIYO_ENDPOINT_LIMITS

/** What the stand-in saw, per endpoint. */
export interface EndpointCounts {
  requests: number
  throttled: number
  accepted: number
  events: number
}

/**
 * A loopback (127.0.0.1) stand-in for Klaviyo's Create Event and Bulk Create Events: both
 * endpoints' limits (fixed windows), at most 1,000 events per bulk request, events recorded
 * once per `unique_id`. Answers 202.
 */
export class KlaviyoStandIn {
  readonly counts: Record<Path, EndpointCounts> = {
    '/api/events': { requests: 0, throttled: 0, accepted: 0, events: 0 },
    '/api/event-bulk-create-jobs': { requests: 0, throttled: 0, accepted: 0, events: 0 },
  }
  /** Unique ids of the events kept. */
  readonly uniqueIds = new Set<string>()
  readonly #windows = new Map<string, number>()
  readonly #server: Server

  constructor() {
    this.#server = createServer((request, response) => void this.#answer(request, response))
  }

  /** Starts listening on 127.0.0.1; resolves with the base URL. */
  listen(): Promise<string> {
    return new Promise((resolve) => {
      this.#server.listen(0, '127.0.0.1', () => {
        const address = this.#server.address()
        resolve(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`)
      })
    })
  }

  close(): Promise<void> {
    this.#server.closeAllConnections()
    return new Promise((resolve) => this.#server.close(() => resolve()))
  }

  /** Counts a request in the fixed windows of `path`; returns the seconds to wait when over a limit. */
  #admit(path: Path, now: number): number | undefined {
    const limits = KLAVIYO_ENDPOINT_LIMITS[path]
    const second = Math.floor(now / 1000)
    const minute = Math.floor(now / 60_000)
    const burstKey = `${path}|s|${second}`
    const steadyKey = `${path}|m|${minute}`
    const burst = this.#windows.get(burstKey) ?? 0
    const steady = this.#windows.get(steadyKey) ?? 0
    if (steady >= limits.steady) return Math.ceil(((minute + 1) * 60_000 - now) / 1000)
    if (burst >= limits.burst) return Math.ceil(((second + 1) * 1000 - now) / 1000)
    this.#windows.set(burstKey, burst + 1)
    this.#windows.set(steadyKey, steady + 1)
    if (this.#windows.size > 64) {
      for (const key of this.#windows.keys())
        if (!key.endsWith(`|${second}`) && !key.endsWith(`|${minute}`)) this.#windows.delete(key)
    }
    return undefined
  }

  async #answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const path = (request.url ?? '').split('?')[0] as Path
    const counts = this.counts[path]
    if (request.method !== 'POST' || !counts) {
      response.writeHead(404).end()
      return
    }
    counts.requests++
    const wait = this.#admit(path, Date.now())
    if (wait !== undefined) {
      counts.throttled++
      response.writeHead(429, {
        'retry-after': String(Math.max(1, wait)),
        'content-type': 'application/vnd.api+json',
      })
      response.end(
        JSON.stringify({ errors: [{ status: 429, code: 'throttled', detail: 'Request was throttled.' }] }),
      )
      return
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
    const ids: string[] =
      path === '/api/events'
        ? [body.data.attributes.unique_id]
        : body.data.attributes['events-bulk-create'].data.flatMap(
            (group: { attributes: { events: { data: { attributes: { unique_id: string } }[] } } }) =>
              group.attributes.events.data.map((event) => event.attributes.unique_id),
          )
    if (ids.length > KLAVIYO_ENDPOINT_LIMITS[path].maxEvents) {
      response.writeHead(400).end()
      return
    }
    counts.accepted++
    counts.events += ids.length
    for (const id of ids) this.uniqueIds.add(id)
    response.writeHead(202).end()
  }
}
