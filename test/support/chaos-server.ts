import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { Adapter } from '../../src/index.js'

/**
 * Request header carrying the router's attempt number (set by {@link withAttemptHeader}).
 * Arrival order is no proxy for it: an attempt abandoned at its TTL may still be read by the
 * server after the next attempt, which came on another socket.
 */
export const ATTEMPT_HEADER = 'x-chaos-attempt'

/** What the chaos server does with one request. */
export type ChaosAction = 'ok' | 'slow' | 'error500' | 'unavailable503' | 'throttled429' | 'hang' | 'reset'

/** Relative weights of the actions; missing ones are 0. */
export type ChaosWeights = Partial<Record<ChaosAction, number>>

/** One request the chaos server received, and what it did with it. */
export interface ChaosRequest {
  /** The `webhook-id` header: the delivery id, stable across attempts. */
  readonly deliveryId: string
  /** The event id from the JSON body (what the schedule is keyed on). */
  readonly eventId: string
  readonly path: string
  /** The attempt number the client sent in `x-chaos-attempt` (the schedule is keyed on it). */
  readonly attempt: number
  /** 1 for the first request of this delivery id the server saw, 2 for the second, ... */
  readonly arrival: number
  readonly action: ChaosAction
  /** The status the server answered, or `null` (hang, reset). */
  readonly status: number | null
  /**
   * `answered`: the response was written to a live socket; `client-gone`: the client had
   * already hung up when the answer was due (its TTL fired first); `reset`: the server
   * destroyed the socket; `hung`: never answered.
   */
  outcome: 'answered' | 'client-gone' | 'reset' | 'hung'
}

/** Options of {@link startChaosServer}. */
export interface ChaosServerOptions {
  /** Seed of the schedule: the same seed gives every (path, event, attempt) the same action. */
  readonly seed: number
  /** Weights used on paths without their own. */
  readonly weights: ChaosWeights
  /** Weights per path, e.g. a `/bad` destination that mostly fails. */
  readonly routes?: Readonly<Record<string, ChaosWeights>>
  /** Delay range of `slow` answers, in ms (keep it below the router's TTL). @default [5, 60] */
  readonly slowMs?: readonly [number, number]
  /** Largest `Retry-After` (seconds) sent with 429 and some 503. @default 1 */
  readonly maxRetryAfterSeconds?: number
}

/** A running chaos server on 127.0.0.1. */
export interface ChaosServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string
  /** Every request, in arrival order. */
  readonly requests: ChaosRequest[]
  /** Requests by delivery id, in arrival order. */
  readonly byDelivery: Map<string, ChaosRequest[]>
  /** Forgets the recorded requests (for the heap measurement). */
  clear(): void
  /** Destroys every socket (hung requests included) and stops listening. */
  close(): Promise<void>
}

/** Wraps an adapter so that each request says which attempt of its delivery it is. */
export function withAttemptHeader<Config>(adapter: Adapter<Config>): Adapter<Config> {
  return {
    ...adapter,
    async buildRequest(context) {
      const request = await adapter.buildRequest(context)
      return { ...request, headers: { ...request.headers, [ATTEMPT_HEADER]: String(context.attempt) } }
    },
  }
}

/** mulberry32: a tiny seeded PRNG with 32 bits of state, plenty for a test schedule. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** FNV-1a, to key the PRNG on a string. */
function hash(text: string): number {
  let h = 0x811c9dc5
  for (let index = 0; index < text.length; index++) {
    h ^= text.charCodeAt(index)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

const ACTIONS: readonly ChaosAction[] = [
  'ok',
  'slow',
  'error500',
  'unavailable503',
  'throttled429',
  'hang',
  'reset',
]

function pick(weights: ChaosWeights, random: number): ChaosAction {
  const total = ACTIONS.reduce((sum, action) => sum + (weights[action] ?? 0), 0)
  if (total <= 0) throw new RangeError('chaos weights must not all be 0')
  let point = random * total
  for (const action of ACTIONS) {
    point -= weights[action] ?? 0
    if (point < 0) return action
  }
  return 'ok'
}

/**
 * A real HTTP server on 127.0.0.1 (port 0) whose answers follow a seeded schedule. The
 * action for a request depends only on the seed, the path, the event id in the body and the
 * attempt number in {@link ATTEMPT_HEADER}, never on arrival order: a run is reproducible
 * as far as the router's timing lets it be.
 */
export async function startChaosServer(options: ChaosServerOptions): Promise<ChaosServer> {
  const { seed, weights, routes = {}, slowMs = [5, 60], maxRetryAfterSeconds = 1 } = options
  const requests: ChaosRequest[] = []
  const byDelivery = new Map<string, ChaosRequest[]>()
  const sockets = new Set<Socket>()
  const timers = new Set<ReturnType<typeof setTimeout>>()

  const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const deliveryId = String(req.headers['webhook-id'] ?? '')
    const path = (req.url ?? '/').split('?')[0] as string
    let eventId = ''
    try {
      eventId = String((JSON.parse(body) as { id?: unknown }).id ?? '')
    } catch {}
    const earlier = byDelivery.get(deliveryId)
    const arrival = (earlier?.length ?? 0) + 1
    const attempt = Number(req.headers[ATTEMPT_HEADER] ?? 0)
    const random = mulberry32(seed ^ hash(`${path}|${eventId}|${attempt}`))
    const action = pick(routes[path] ?? weights, random())
    const status =
      action === 'ok' || action === 'slow'
        ? random() < 0.5
          ? 200
          : 202
        : action === 'error500'
          ? 500
          : action === 'unavailable503'
            ? 503
            : action === 'throttled429'
              ? 429
              : null
    const record: ChaosRequest = {
      deliveryId,
      eventId,
      path,
      attempt,
      arrival,
      action,
      status,
      outcome: 'hung',
    }
    requests.push(record)
    if (earlier) earlier.push(record)
    else byDelivery.set(deliveryId, [record])

    const answer = () => {
      if (req.socket.destroyed || res.destroyed) {
        record.outcome = 'client-gone'
        return
      }
      record.outcome = 'answered'
      const headers: Record<string, string> = { 'content-type': 'application/json' }
      if (action === 'throttled429' || (action === 'unavailable503' && random() < 0.5)) {
        headers['retry-after'] = String(Math.floor(random() * (maxRetryAfterSeconds + 1)))
      }
      res.writeHead(status as number, headers).end(JSON.stringify({ action }))
    }
    switch (action) {
      case 'hang':
        return
      case 'reset':
        record.outcome = 'reset'
        req.socket.destroy()
        return
      case 'slow': {
        const [min, max] = slowMs
        const timer = setTimeout(
          () => {
            timers.delete(timer)
            answer()
          },
          min + Math.floor(random() * (max - min + 1)),
        )
        timers.add(timer)
        return
      }
      default:
        answer()
    }
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')))
    // A client that gives up (TTL) destroys its socket: nothing to clean up but errors.
    req.on('error', () => {})
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo

  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    byDelivery,
    clear() {
      requests.length = 0
      byDelivery.clear()
    },
    async close() {
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      for (const socket of sockets) socket.destroy()
      await closed
    },
  }
}
