import ky from 'ky'
import { Agent, request } from 'undici'
import type { EventRouter, TransportRequest } from '../../src/index.js'
import { type Build, loadBuild } from '../lib/load-build.js'
import { type Receiver, type ReceiverStats, startReceiver } from '../lib/receiver-process.js'
import type { Row } from '../lib/report.js'
import { median, pairedRatio, range, rotate } from '../lib/stats.js'
import type { Suite } from '../lib/suite.js'

const EVENT = 'wallet.coins_rewarded'
const PAYLOAD = Object.freeze({
  coins: 150,
  balance: 1200,
  reason: 'order',
  orderId: 'ord_8f3a2c91',
  storeId: 'store_0042',
  campaign: 'spring-sale-2026',
  customer: Object.freeze({ id: 'cus_4821', email: 'ana@example.com', tier: 'gold', country: 'FR' }),
})

/** Sends one request (or delivers one event) and resolves when it has fully completed. */
type SendOne = () => Promise<void>

/** One way of sending: a raw client, or the router over a transport built on it. */
interface Contender {
  readonly name: string
  readonly client: 'undici' | 'ky'
  readonly kind: 'raw' | 'eventrouter'
  open(url: string, template: TransportRequest): Promise<{ sendOne: SendOne; close: () => Promise<void> }>
}

function routerContender(name: string, client: 'undici' | 'ky', built: Build): Contender {
  // The receiver listens on 127.0.0.1: allow it through the address guard, which stays on so
  // that the figures include its cost, as users get it by default.
  const local = { allowedAddresses: ['127.0.0.1'] }
  // Raw ky keeps fetch's global pool, and its sockets, from one run to the next; so does this
  // contender's ky transport. Raw undici gets a new Agent per run, and so does undiciTransport().
  const sharedKy = client === 'ky' ? built.eventrouter.kyTransport(local) : undefined
  return {
    name,
    client,
    kind: 'eventrouter',
    async open(url) {
      const { EventRouter, webhookAdapter } = built.eventrouter
      const transport = sharedKy ?? built.undici.undiciTransport(local)
      const router: EventRouter = new EventRouter({
        adapters: [webhookAdapter()],
        transport,
        retry: { retries: 0 },
      })
      // Pacing off the path: the workers set the concurrency, as they do for the raw clients.
      router.integrations.add({
        id: 'receiver',
        type: 'webhook',
        config: { url },
        pacing: { concurrency: 1024 },
      })
      router.subscriptions.create({ event: EVENT, integrationId: 'receiver' })
      return {
        sendOne: async () => {
          const [result] = await router.emit(EVENT, PAYLOAD).settled
          if (result?.status !== 'succeeded') throw result?.error ?? new Error('no delivery')
        },
        close: async () => {
          await router.close()
          if (transport !== sharedKy) await transport.close()
        },
      }
    },
  }
}

const rawUndici: Contender = {
  name: 'undici.request (raw)',
  client: 'undici',
  kind: 'raw',
  async open(url, template) {
    // The Agent undiciTransport() creates by default: 64 sockets per origin, no pipelining.
    const dispatcher = new Agent({ connections: 64, pipelining: 1, keepAliveTimeout: 4000 })
    const options = {
      dispatcher,
      method: 'POST',
      headers: template.headers,
      body: template.body ?? '',
    } as const
    return {
      sendOne: async () => {
        const response = await request(url, options)
        await response.body.text()
        if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`)
      },
      close: () => dispatcher.close(),
    }
  },
}

/**
 * Raw undici with what issue #1 mandates per attempt and nothing else: a fresh AbortController
 * and a 10 s TTL timer. Shows how much of the gap to raw undici is that requirement alone.
 */
const rawUndiciWithTtl: Contender = {
  name: 'undici.request + TTL (raw)',
  client: 'undici',
  kind: 'raw',
  async open(url, template) {
    const dispatcher = new Agent({ connections: 64, pipelining: 1, keepAliveTimeout: 4000 })
    return {
      sendOne: async () => {
        const controller = new AbortController()
        const timer = setTimeout(() => controller.abort(), 10_000)
        try {
          const response = await request(url, {
            dispatcher,
            method: 'POST',
            headers: template.headers,
            body: template.body ?? '',
            signal: controller.signal,
          })
          await response.body.text()
          if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`)
        } finally {
          clearTimeout(timer)
        }
      },
      close: () => dispatcher.close(),
    }
  },
}

const rawKy: Contender = {
  name: 'ky (raw)',
  client: 'ky',
  kind: 'raw',
  async open(url, template) {
    const options = {
      headers: template.headers,
      body: template.body ?? '',
      retry: 0,
      timeout: false,
    } as const
    return {
      sendOne: async () => {
        const response = await ky.post(url, options)
        await response.text()
      },
      close: async () => {},
    }
  },
}

interface Run {
  readonly rps: number
  readonly failed: number
  readonly receiver: ReceiverStats
}

/**
 * Closed loop: `concurrency` workers each send one request, wait for it to complete, and send
 * the next. Completions are counted over `windowMs`, after `warmupMs` (connections opened,
 * code optimised). Time comes from hrtime: timers firing late on a busy machine do not skew it.
 */
async function measure(
  contender: Contender,
  receiver: Receiver,
  template: TransportRequest,
  concurrency: number,
  warmupMs: number,
  windowMs: number,
): Promise<Run> {
  const { sendOne, close } = await contender.open(receiver.url, template)
  receiver.reset()
  let stop = false
  let completed = 0
  let failed = 0
  let firstError: unknown
  const worker = async () => {
    while (!stop) {
      try {
        await sendOne()
        completed++
      } catch (error) {
        failed++
        firstError ??= error
      }
    }
  }
  const workers = Array.from({ length: concurrency }, worker)
  await sleep(warmupMs)
  const before = completed
  const start = process.hrtime.bigint()
  await sleep(windowMs)
  const done = completed - before
  const elapsedNs = Number(process.hrtime.bigint() - start)
  stop = true
  await Promise.all(workers)
  await close()
  if (failed > 0) console.warn(`  ${contender.name}: ${failed} failures, first: ${String(firstError)}`)
  return { rps: done / (elapsedNs / 1e9), failed, receiver: await receiver.stats() }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

export const deliverySuite: Suite = {
  name: 'delivery',
  description: 'End-to-end deliveries/s to a loopback receiver in another process, vs the raw clients',
  async run({ quick }) {
    const concurrencies = [1, 16, 64]
    const rounds = quick ? 1 : 5
    const warmupMs = quick ? 50 : 300
    const windowMs = quick ? 150 : 1000
    const built = await loadBuild()
    const receiver = await startReceiver()
    const contenders: Contender[] = [
      rawUndici,
      rawUndiciWithTtl,
      routerContender('eventrouter + undiciTransport()', 'undici', built),
      rawKy,
      routerContender('eventrouter + kyTransport()', 'ky', built),
    ]
    // The raw clients send exactly what the webhook adapter builds for this event.
    const template = await built.eventrouter.webhookAdapter().buildRequest({
      event: { id: 'evt_1', name: EVENT, outgoingName: EVENT, payload: PAYLOAD, occurredAt: new Date() },
      config: { url: receiver.url },
      delivery: {
        id: '2f1c7e0a-5b7d-4c1e-9a43-0d6f1b8e2c55',
        eventId: 'evt_1',
        eventName: EVENT,
        outgoingName: EVENT,
        subscriptionId: 'sub_1',
        integrationId: 'receiver',
        integrationType: 'webhook',
      },
      attempt: 1,
    })

    const runs = new Map<string, Run[]>()
    const key = (contender: Contender, concurrency: number) => `${contender.name} @ c=${concurrency}`
    try {
      for (const concurrency of concurrencies) {
        for (let round = 0; round < rounds; round++) {
          for (const contender of rotate(contenders, round)) {
            const run = await measure(contender, receiver, template, concurrency, warmupMs, windowMs)
            runs.set(key(contender, concurrency), [...(runs.get(key(contender, concurrency)) ?? []), run])
          }
        }
      }
    } finally {
      await receiver.close()
    }

    const rows: Row[] = []
    const results: Record<string, unknown> = {}
    for (const concurrency of concurrencies) {
      for (const contender of contenders) {
        const own = runs.get(key(contender, concurrency))!
        const raw = runs.get(key(contender.client === 'undici' ? rawUndici : rawKy, concurrency))!
        const rps = own.map((run) => run.rps)
        const ratio = pairedRatio(
          rps,
          raw.map((run) => run.rps),
        )
        const sockets = median(own.map((run) => run.receiver.connections))
        results[key(contender, concurrency)] = {
          contender: contender.name,
          concurrency,
          rps: median(rps),
          spread: range(rps),
          overRaw: contender.kind === 'raw' ? null : ratio,
          failed: own.reduce((sum, run) => sum + run.failed, 0),
          socketsOpenedPerRun: sockets,
          samples: own,
        }
        rows.push({
          c: concurrency,
          client: contender.name,
          'req/s': Math.round(median(rps)),
          'min–max': `${Math.round(Math.min(...rps))}–${Math.round(Math.max(...rps))}`,
          'ours/raw': contender.kind === 'raw' ? '' : `${ratio.toFixed(2)}x`,
          'vs raw undici': `${pairedRatio(
            rps,
            runs.get(key(rawUndici, concurrency))!.map((run) => run.rps),
          ).toFixed(2)}x`,
          sockets,
        })
      }
    }
    return {
      config: {
        concurrencies,
        rounds,
        warmupMs,
        windowMs,
        requestBodyBytes: Buffer.byteLength(template.body ?? ''),
        requestHeaders: Object.keys(template.headers),
        routerRetry: { retries: 0 },
      },
      tables: [{ title: `Delivery throughput, median req/s over ${rounds} rounds of ${windowMs} ms`, rows }],
      results,
      notes: [
        `Body: ${Buffer.byteLength(template.body ?? '')} bytes of JSON built by webhookAdapter (unsigned), same for raw clients.`,
        '"sockets": connections the receiver accepted during one run (median): keep-alive at work when it stays near c.',
      ],
    }
  },
}
