import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { Webhook } from 'standardwebhooks'

/**
 * What the receiver does with a request: answer with a status (and headers, such as
 * `retry-after`), or hold it open (never answer).
 */
export type ReceiverAnswer =
  | number
  | { readonly status: number; readonly headers: Readonly<Record<string, string>> }
  | 'hold'

/** One request the receiver read, as `decide` is given it. */
export interface IncomingWebhook {
  /** The `webhook-id` header: the delivery id, the same across attempts and processes. */
  readonly deliveryId: string
  /** The request headers, lower-cased. */
  readonly headers: Readonly<Record<string, string>>
  /** The parsed JSON body (`{ id, type, timestamp, data }`), or `undefined` when it is not JSON. */
  readonly body: { id?: unknown; type?: unknown; data?: Record<string, unknown> } | undefined
  readonly path: string
  /** Whether the Standard Webhooks signature verified with the receiver's secret. */
  readonly signed: boolean
}

/** One request the receiver read, and what it did with it. */
export interface ReceivedRequest extends IncomingWebhook {
  readonly answer: ReceiverAnswer
  /**
   * `answered`: the status was written to a live socket; `client-gone`: the client had hung up
   * first; `held`: never answered.
   */
  outcome: 'answered' | 'client-gone' | 'held'
}

/** A running receiver on 127.0.0.1. */
export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string
  /** Every request, in arrival order. */
  readonly requests: readonly ReceivedRequest[]
  /** Requests by delivery id, in arrival order. */
  readonly byDelivery: ReadonlyMap<string, readonly ReceivedRequest[]>
  /** Held requests whose client is still connected. */
  heldOpen(): ReceivedRequest[]
  /** Destroys every socket (held requests included) and stops listening. */
  close(): Promise<void>
}

/**
 * A Standard Webhooks receiver on 127.0.0.1 (port 0): verifies each request's signature with
 * `secret`, records it, and answers what `decide` says (called once per request, in arrival order).
 */
export async function startWebhookReceiver(options: {
  readonly secret: string
  readonly decide: (request: IncomingWebhook) => ReceiverAnswer
}): Promise<WebhookReceiver> {
  const verifier = new Webhook(options.secret)
  const requests: ReceivedRequest[] = []
  const byDelivery = new Map<string, ReceivedRequest[]>()
  const held = new Map<ReceivedRequest, IncomingMessage>()
  const sockets = new Set<Socket>()

  const handle = (req: IncomingMessage, res: ServerResponse, text: string) => {
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string') headers[name] = value
    }
    let body: ReceivedRequest['body']
    try {
      body = JSON.parse(text) as ReceivedRequest['body']
    } catch {}
    let signed = true
    try {
      verifier.verify(text, headers)
    } catch {
      signed = false
    }
    const seen: IncomingWebhook = {
      deliveryId: headers['webhook-id'] ?? '',
      headers,
      body,
      path: (req.url ?? '/').split('?')[0] as string,
      signed,
    }
    const answer = options.decide(seen)
    const record: ReceivedRequest = { ...seen, answer, outcome: 'held' }
    requests.push(record)
    const earlier = byDelivery.get(record.deliveryId)
    if (earlier) earlier.push(record)
    else byDelivery.set(record.deliveryId, [record])
    if (answer === 'hold') {
      held.set(record, req)
      req.socket.once('close', () => held.delete(record))
      return
    }
    if (req.socket.destroyed || res.destroyed) {
      record.outcome = 'client-gone'
      return
    }
    record.outcome = 'answered'
    const [status, extra] = typeof answer === 'number' ? [answer, {}] : [answer.status, answer.headers]
    res.writeHead(status, { 'content-type': 'application/json', ...extra }).end('{}')
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')))
    // A client killed mid-request: nothing to clean up but errors.
    req.on('error', () => {})
    res.on('error', () => {})
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('error', () => {})
    socket.on('close', () => sockets.delete(socket))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo

  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    byDelivery,
    heldOpen: () => [...held.keys()],
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      for (const socket of sockets) socket.destroy()
      await closed
    },
  }
}
