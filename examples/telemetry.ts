/**
 * eventrouter telemetry example: OpenTelemetry spans and metrics of one delivery that succeeds
 * after a retry, printed by the SDK's console exporters.
 *
 * Starts a webhook receiver on 127.0.0.1 that answers its first request 503 and the next 200,
 * emits one event inside a host span (as an HTTP server's instrumentation would make), and prints
 * what the exporters get: the host span, the delivery's spans as they end (a `POST` per attempt,
 * then their parent `deliver wallet.coins_rewarded`, linked to the host span), the metrics; then
 * a summary of the tree. See docs/observability.md.
 * Run: npx tsx examples/telemetry.ts
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { context } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import {
  ConsoleMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics'
import {
  BasicTracerProvider,
  ConsoleSpanExporter,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base'
import { EventRouter, kyTransport, webhookAdapter } from 'eventrouter'
import { semanticAttributes as attributes, openTelemetry } from 'eventrouter/telemetry'

// --- the OpenTelemetry SDK, as a host sets it up (NodeSDK does the same in one call) ----------
// A context manager, so that the span active at emit() is known and the delivery links to it.
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
// SimpleSpanProcessor prints each span as it ends; an app would batch (BatchSpanProcessor). The
// in-memory copy is only for the summary printed at the end.
const kept = new InMemorySpanExporter()
const tracerProvider = new BasicTracerProvider({
  spanProcessors: [new SimpleSpanProcessor(new ConsoleSpanExporter()), new SimpleSpanProcessor(kept)],
})
const metricReader = new PeriodicExportingMetricReader({
  exporter: new ConsoleMetricExporter(),
  exportIntervalMillis: 60_000,
})
const meterProvider = new MeterProvider({ readers: [metricReader] })

// --- a receiver on loopback that fails once ---------------------------------------------------
let failuresToInject = 1
const server = createServer((request, response) => {
  request.resume()
  request.on('end', () => {
    if (failuresToInject > 0) {
      failuresToInject--
      response.writeHead(503, { 'content-type': 'text/plain' }).end('busy, try later')
      return
    }
    response.writeHead(200).end()
  })
})
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const { port } = server.address() as AddressInfo

// --- the router, with telemetry -----------------------------------------------------------------
const router = new EventRouter({
  adapters: [webhookAdapter()],
  // The receiver is on loopback, which the default transport refuses: allow that address only.
  transport: kyTransport({ allowedAddresses: ['127.0.0.1'] }),
  retry: { minTimeout: 100, maxTimeout: 100, randomize: false },
  telemetry: openTelemetry({ tracerProvider, meterProvider }),
})
router.integrations.add({
  id: 'crm',
  type: 'webhook',
  // `?token=` is a secret: url.full shows it as REDACTED.
  config: { url: `http://127.0.0.1:${port}/hooks?token=tok_live_4f9a2c`, signing: false },
})
router.subscriptions.create({ event: 'wallet.coins_rewarded', integrationId: 'crm' })

// The host's own span (an HTTP request's, a job's): active while it emits.
const shop = tracerProvider.getTracer('shop')
const receipt = shop.startActiveSpan('POST /orders', (span) => {
  const emitted = router.emit('wallet.coins_rewarded', { coins: 150, customer: { id: 'cus_981' } })
  span.end()
  return emitted
})
const [result] = await receipt.settled

// Shutting the meter provider down exports the metrics once, gauges (read from router.stats()) included.
await meterProvider.shutdown()
await router.close()
// Read before shutdown, which empties the in-memory exporter.
const spans = kept.getFinishedSpans()
await tracerProvider.shutdown()
server.close()
context.disable()

// --- a summary of what the exporter printed above ----------------------------------------------
const host = spans.find((span) => span.name === 'POST /orders')
const deliver = spans.find((span) => span.name.startsWith('deliver '))
console.log('\nspan tree of the delivery:')
console.log(
  `${deliver?.name}  ${deliver?.attributes[attributes.DELIVERY_OUTCOME]}, ` +
    `linked to ${host?.name} (${deliver?.links[0]?.context.spanId === host?.spanContext().spanId ? 'the emitting span' : 'no link'})`,
)
for (const span of spans.filter((item) => item.parentSpanContext?.spanId === deliver?.spanContext().spanId)) {
  console.log(
    `  ${span.name}  attempt ${span.attributes[attributes.ATTEMPT_NUMBER]}: ` +
      `${span.attributes[attributes.HTTP_RESPONSE_STATUS_CODE]}  ${span.attributes[attributes.URL_FULL]}`,
  )
}
console.log(`delivery ${result?.delivery.id}: ${result?.status} after ${result?.attempts} attempt(s)`)
if (result?.status !== 'succeeded') process.exitCode = 1
