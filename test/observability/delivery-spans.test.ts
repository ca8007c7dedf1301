import { randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { z } from 'zod'
import { defineAdapter, EventRouter, webhookAdapter } from '../../src/index.js'
import { sqliteStore } from '../../src/stores/sqlite/index.js'
import { MockTransport } from '../../src/testing/index.js'
import { coinsRewarded, DETERMINISTIC_RETRY } from '../factories.js'
import { tempDirectory } from '../support/temp-directory.js'
import { otelSdk } from './support/otel-sdk.js'

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const API_KEY = 'key_live_4fK9sQ2mZxV7'
const PASSWORD = 'pw-Zt8qLm3Rr'

/** A destination that takes its key in the query, its password in the URL, and its key again in a header. */
const leakyAdapter = defineAdapter({
  type: 'leaky',
  configSchema: z.strictObject({ host: z.string(), apiKey: z.string(), password: z.string() }),
  secretFields: ['apiKey', 'password'],
  buildRequest: ({ config, delivery }) => ({
    method: 'PUT',
    url: `https://admin:${config.password}@${config.host}:8443/v1/events?api_key=${config.apiKey}&sig=abc123&team=blue&ref=${config.apiKey}`,
    headers: { authorization: `Bearer ${config.apiKey}`, 'idempotency-key': delivery.id },
    body: JSON.stringify({ id: delivery.id }),
  }),
})

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId

afterEach(() => {
  vi.useRealTimers()
})

describe('delivery spans', () => {
  it('make a delivery span with one HTTP client span per attempt for a delivery that succeeds after two retries', async () => {
    vi.useFakeTimers({ now: Date.parse('2026-12-01T10:00:00.000Z') })
    const sdk = otelSdk()
    const transport = new MockTransport()
    transport.failTimes(2, 503)
    const router = new EventRouter({
      adapters: [webhookAdapter()],
      transport,
      retry: DETERMINISTIC_RETRY,
      telemetry: sdk.telemetry,
    })
    router.integrations.add({
      id: 'crm',
      type: 'webhook',
      config: { url: 'https://crm.example/hooks', secret: SECRET },
    })
    const subscription = router.subscriptions.create({ event: 'wallet.coins_rewarded', integrationId: 'crm' })
    const receipt = router.emit('wallet.coins_rewarded', coinsRewarded())
    await vi.advanceTimersByTimeAsync(3000)
    const [result] = await receipt.settled
    expect(result?.status).toBe('succeeded')

    const spans = sdk.spans()
    expect(spans.map((span) => span.name).sort()).toEqual([
      'POST',
      'POST',
      'POST',
      'deliver wallet.coins_rewarded',
    ])
    const delivery = spans.find((span) => span.name.startsWith('deliver ')) as ReadableSpan
    const attempts = spans
      .filter((span) => span !== delivery)
      .sort(
        (a, b) =>
          Number(a.attributes['eventrouter.attempt.number']) -
          Number(b.attributes['eventrouter.attempt.number']),
      )
    expect(delivery.kind).toBe(SpanKind.INTERNAL)
    expect(parentOf(delivery)).toBeUndefined()
    expect(delivery.attributes).toMatchObject({
      'eventrouter.event.name': 'wallet.coins_rewarded',
      'eventrouter.event.id': receipt.eventId,
      'eventrouter.delivery.id': result?.delivery.id,
      'eventrouter.integration.id': 'crm',
      'eventrouter.integration.type': 'webhook',
      'eventrouter.subscription.id': subscription.id,
      'eventrouter.delivery.outcome': 'succeeded',
      'eventrouter.delivery.attempts': 3,
    })
    expect(delivery.status.code).toBe(SpanStatusCode.UNSET)
    for (const [index, attempt] of attempts.entries()) {
      expect(attempt.kind).toBe(SpanKind.CLIENT)
      expect(parentOf(attempt)).toBe(delivery.spanContext().spanId)
      expect(attempt.spanContext().traceId).toBe(delivery.spanContext().traceId)
      expect(attempt.attributes).toMatchObject({
        'http.request.method': 'POST',
        'url.full': 'https://crm.example/hooks',
        'server.address': 'crm.example',
        'server.port': 443,
        'eventrouter.attempt.number': index + 1,
        'eventrouter.delivery.id': result?.delivery.id,
      })
    }
    const [first, second, third] = attempts as [ReadableSpan, ReadableSpan, ReadableSpan]
    expect(first.attributes).toMatchObject({
      'http.response.status_code': 503,
      'error.type': '503',
      'eventrouter.attempt.retry_delay_ms': 1000,
    })
    expect(first.attributes['http.request.resend_count']).toBeUndefined()
    expect(second.attributes).toMatchObject({
      'http.request.resend_count': 1,
      'error.type': '503',
      'eventrouter.attempt.retry_delay_ms': 2000,
    })
    expect(third.attributes).toMatchObject({
      'http.response.status_code': 200,
      'http.request.resend_count': 2,
    })
    expect(third.attributes['error.type']).toBeUndefined()
    expect([first.status.code, second.status.code, third.status.code]).toEqual([
      SpanStatusCode.ERROR,
      SpanStatusCode.ERROR,
      SpanStatusCode.UNSET,
    ])
    // The times are the history's: the retries 1 s and 2 s after the attempts before them.
    const seconds = (span: ReadableSpan) => span.startTime[0] + span.startTime[1] / 1e9
    expect(seconds(second) - seconds(first)).toBeCloseTo(1, 2)
    expect(seconds(third) - seconds(second)).toBeCloseTo(2, 2)
    expect(seconds(delivery)).toBe(seconds(first))
    await router.close()
  })

  it('link the delivery span to the span active when emit() ran, even when the delivery fails', async () => {
    const sdk = otelSdk()
    const transport = new MockTransport().respondWith(400)
    const router = new EventRouter({
      adapters: [webhookAdapter()],
      transport,
      retry: { retries: 0 },
      telemetry: sdk.telemetry,
    })
    router.integrations.add({
      id: 'crm',
      type: 'webhook',
      config: { url: 'https://crm.example/hooks', signing: false },
    })
    router.subscriptions.create({ event: 'wallet.coins_rewarded', integrationId: 'crm' })
    const tracer = sdk.tracerProvider.getTracer('host-app')
    const receipt = tracer.startActiveSpan('POST /orders', (span) => {
      const emitted = router.emit('wallet.coins_rewarded', coinsRewarded())
      span.end()
      return emitted
    })
    const [result] = await receipt.settled
    expect(result?.status).toBe('failed')
    const emitting = sdk.spans().find((span) => span.name === 'POST /orders') as ReadableSpan
    const delivery = sdk.spans().find((span) => span.name.startsWith('deliver ')) as ReadableSpan
    expect(delivery.links).toHaveLength(1)
    expect(delivery.links[0]?.context).toMatchObject({
      traceId: emitting.spanContext().traceId,
      spanId: emitting.spanContext().spanId,
    })
    // A trace of its own: the link ties it to the request, whatever async context the run had.
    expect(delivery.spanContext().traceId).not.toBe(emitting.spanContext().traceId)
    expect(delivery.status.code).toBe(SpanStatusCode.ERROR)
    // Webhooks retry every non-2xx, except that retries: 0 leaves none: retries_exhausted.
    expect(delivery.attributes).toMatchObject({
      'eventrouter.delivery.outcome': 'failed',
      'eventrouter.delivery.failure_reason': 'retries_exhausted',
      'error.type': 'ERR_HTTP_STATUS',
    })
    expect(result?.traceContext?.traceparent).toBe(
      `00-${emitting.spanContext().traceId}-${emitting.spanContext().spanId}-01`,
    )
    // Without an active span there is nothing to link to.
    const [unlinked] = await router.emit('wallet.coins_rewarded', coinsRewarded()).settled
    expect(unlinked?.traceContext).toBeUndefined()
    await router.close()
  })

  it('put no secret in any attribute, name or status: URL credentials, query secrets, the integration’s own', async () => {
    const sdk = otelSdk()
    const transport = new MockTransport()
    transport.failTimes(1, { status: 401, body: `invalid key ${API_KEY}` })
    const router = new EventRouter({
      adapters: [leakyAdapter],
      transport,
      retry: { retries: 1, minTimeout: 0, maxTimeout: 0, randomize: false },
      telemetry: sdk.telemetry,
    })
    router.integrations.add({
      id: 'api',
      type: 'leaky',
      config: { host: 'api.example', apiKey: API_KEY, password: PASSWORD },
    })
    router.subscriptions.create({ event: 'wallet.coins_rewarded', integrationId: 'api' })
    await router.emit('wallet.coins_rewarded', coinsRewarded()).settled
    const spans = sdk.spans()
    expect(spans).toHaveLength(2)
    const attempt = spans.find((span) => span.kind === SpanKind.CLIENT) as ReadableSpan
    expect(attempt.name).toBe('PUT')
    expect(attempt.attributes['url.full']).toBe(
      'https://REDACTED:REDACTED@api.example:8443/v1/events?api_key=REDACTED&sig=REDACTED&team=blue&ref=[REDACTED]',
    )
    expect(attempt.attributes).toMatchObject({ 'server.address': 'api.example', 'server.port': 8443 })
    const everything = JSON.stringify(
      spans.map((span) => ({
        name: span.name,
        attributes: span.attributes,
        status: span.status,
        links: span.links,
      })),
    )
    for (const secret of [API_KEY, PASSWORD, 'abc123']) expect(everything).not.toContain(secret)
    // The dead letter's history keeps the same redacted request, and nothing of the headers or body.
    const [letter] = await router.deadLetters.list()
    expect(letter?.history[0]?.request).toEqual({
      method: 'PUT',
      url: attempt.attributes['url.full'],
      serverAddress: 'api.example',
      serverPort: 8443,
    })
    for (const secret of [API_KEY, PASSWORD, 'abc123']) expect(JSON.stringify(letter)).not.toContain(secret)
    await router.close()
  })

  it('keep the link across a restart on SQLite: the span of a delivery finished by the next process links to the first one’s emit', async () => {
    const directory = await tempDirectory('eventrouter-otel-')
    try {
      const path = join(directory, 'store.db')
      const key = { id: 'k1', key: randomBytes(32) }
      const first = otelSdk()
      const down = new MockTransport().respondWith(503)
      const before = new EventRouter({
        adapters: [webhookAdapter()],
        transport: down,
        store: sqliteStore({ path }),
        secrets: { keys: [key] },
        retry: { retries: 5, minTimeout: 60_000, maxTimeout: 60_000, randomize: false },
        telemetry: first.telemetry,
      })
      await before.start()
      before.integrations.add({
        id: 'crm',
        type: 'webhook',
        config: { url: 'https://crm.example/hooks', signing: false },
      })
      before.subscriptions.create({ event: 'wallet.coins_rewarded', integrationId: 'crm' })
      const tracer = first.tracerProvider.getTracer('host-app')
      const failedOnce = new Promise((resolve) => before.once('attemptFailed', resolve))
      tracer.startActiveSpan('POST /orders', (span) => {
        before.emit('wallet.coins_rewarded', coinsRewarded())
        span.end()
      })
      await failedOnce
      // Closed while the retry waits: the delivery stays in the file, with its trace context.
      await before.close({ timeoutMs: 0 })
      const emitting = first.spans().find((span) => span.name === 'POST /orders') as ReadableSpan
      expect(first.spans().filter((span) => span.name.startsWith('deliver '))).toEqual([])

      vi.useFakeTimers({ now: Date.now() + 120_000, toFake: ['Date'] })
      const second = otelSdk()
      const after = new EventRouter({
        adapters: [webhookAdapter()],
        transport: new MockTransport(),
        store: sqliteStore({ path }),
        secrets: { keys: [key] },
        retry: { retries: 5, minTimeout: 60_000, maxTimeout: 60_000, randomize: false },
        telemetry: second.telemetry,
      })
      const settled = new Promise((resolve) => after.once('deliverySucceeded', resolve))
      await after.start()
      await settled
      await after.close()
      const delivery = second.spans().find((span) => span.name.startsWith('deliver ')) as ReadableSpan
      expect(delivery.links.map((link) => link.context.spanId)).toEqual([emitting.spanContext().spanId])
      expect(delivery.links[0]?.context.traceId).toBe(emitting.spanContext().traceId)
      // Both attempts, the first process's included, under it.
      const attempts = second.spans().filter((span) => parentOf(span) === delivery.spanContext().spanId)
      expect(attempts.map((span) => span.attributes['http.response.status_code']).sort()).toEqual([200, 503])
    } finally {
      vi.useRealTimers()
      await rm(directory, { recursive: true, force: true })
    }
  })

  it('capture nothing and make no span with traces off', async () => {
    const sdk = otelSdk()
    const { openTelemetry } = await import('../../src/observability/otel/index.js')
    const router = new EventRouter({
      adapters: [webhookAdapter()],
      transport: new MockTransport(),
      telemetry: openTelemetry({
        tracerProvider: sdk.tracerProvider,
        meterProvider: sdk.meterProvider,
        traces: false,
      }),
    })
    router.integrations.add({
      id: 'crm',
      type: 'webhook',
      config: { url: 'https://crm.example/hooks', signing: false },
    })
    router.subscriptions.create({ event: 'wallet.coins_rewarded', integrationId: 'crm' })
    const tracer = trace.getTracer('unused')
    const [result] = await tracer.startActiveSpan('x', (span) => {
      const emitted = router.emit('wallet.coins_rewarded', coinsRewarded())
      span.end()
      return emitted.settled
    })
    expect(result?.traceContext).toBeUndefined()
    expect(sdk.spans()).toEqual([])
    await router.close()
  })
})
