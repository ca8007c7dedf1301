import type { ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { describe, expect, it } from 'vitest'
import { type DeliveryResult, EventRouter, webhookAdapter } from '../../src/index.js'
import { undiciTransport } from '../../src/transport/undici/index.js'
import { startChaosServer, withAttemptHeader } from '../support/chaos-server.js'
import { envInt } from '../support/escaped-errors.js'
import { otelSdk, pointsOf, sumOf } from './support/otel-sdk.js'

const EVENTS = envInt('OTEL_CHAOS_EVENTS', 150)
const SEED = envInt('CHAOS_SEED', 0x5eed)

describe('delivery metrics after a chaos run (real HTTP server on 127.0.0.1)', () => {
  it('reconcile with the results: deliveries, attempts, durations, dead letters, throttling, gauges, spans', async () => {
    const server = await startChaosServer({
      seed: SEED,
      weights: { ok: 50, slow: 15, error500: 8, unavailable503: 7, throttled429: 6, hang: 5, reset: 6 },
      routes: { '/bad': { ok: 10, slow: 5, error500: 35, unavailable503: 20, hang: 10, reset: 20 } },
      slowMs: [5, 40],
      maxRetryAfterSeconds: 1,
    })
    const sdk = otelSdk()
    const transport = undiciTransport({ allowPrivateNetworks: true })
    const router = new EventRouter({
      adapters: [withAttemptHeader(webhookAdapter())],
      transport,
      timeoutMs: 200,
      retry: { retries: 3, minTimeout: 1, maxTimeout: 20, randomize: true, throttledRetries: 2 },
      circuitBreaker: { failureThreshold: 3, coolDownMs: 100, replayParked: false },
      telemetry: sdk.telemetry,
    })
    router.integrations.add({
      id: 'alpha',
      type: 'webhook',
      config: { url: `${server.origin}/alpha`, signing: false },
      pacing: { concurrency: 4 },
    })
    router.tenant('acme').integrations.add({
      id: 'bad',
      type: 'webhook',
      config: { url: `${server.origin}/bad`, signing: false },
      pacing: { concurrency: 4 },
    })
    router.subscriptions.create({ event: 'order.paid', integrationId: 'alpha' })
    router.tenant('acme').subscriptions.create({ event: 'order.paid', integrationId: 'bad' })

    const results: DeliveryResult[] = []
    let throttled = 0
    let letters = 0
    router.on('deliverySucceeded', (result) => results.push(result))
    router.on('deliveryFailed', (result) => results.push(result))
    router.on('integrationThrottled', () => throttled++)
    router.on('deliveryDeadLettered', () => letters++)
    for (let index = 0; index < EVENTS; index++) {
      await router.tenant('acme').emitAsync('order.paid', { order: index })
    }
    await router.onIdle()
    const metrics = await sdk.collect()
    await router.close({ timeoutMs: 1000 })
    await transport.close()
    await server.close()

    expect(results).toHaveLength(EVENTS * 2)
    const succeeded = results.filter((result) => result.status === 'succeeded')
    const failed = results.filter((result) => result.status === 'failed')
    // The run must have exercised failures, parking and throttling for the figures to mean anything.
    expect(failed.length).toBeGreaterThan(0)
    expect(failed.some((result) => result.status === 'failed' && result.reason === 'circuit_open')).toBe(true)

    const deliveries = metrics.get('eventrouter.deliveries')
    expect(sumOf(deliveries)).toBe(results.length)
    expect(sumOf(deliveries, { 'eventrouter.delivery.outcome': 'succeeded' })).toBe(succeeded.length)
    for (const reason of new Set(failed.map((result) => (result.status === 'failed' ? result.reason : '')))) {
      expect(sumOf(deliveries, { 'eventrouter.delivery.failure_reason': reason }), reason).toBe(
        failed.filter((result) => result.status === 'failed' && result.reason === reason).length,
      )
    }
    expect(sumOf(deliveries, { 'eventrouter.integration.id': 'bad', 'eventrouter.tenant': 'acme' })).toBe(
      EVENTS,
    )

    // Each attempt of each history is counted once, by status class, and timed once.
    const history = results.flatMap((result) => result.history)
    const attempts = metrics.get('eventrouter.attempts')
    expect(sumOf(attempts)).toBe(history.length)
    const classOf = (status: number | null) => (status === null ? 'none' : `${Math.floor(status / 100)}xx`)
    for (const statusClass of ['2xx', '4xx', '5xx', 'none']) {
      expect(sumOf(attempts, { 'eventrouter.attempt.status_class': statusClass }), statusClass).toBe(
        history.filter((attempt) => classOf(attempt.status) === statusClass).length,
      )
    }
    const duration = metrics.get('http.client.request.duration')
    expect(duration?.descriptor.unit).toBe('s')
    expect(sumOf(duration)).toBe(history.length)
    expect(sumOf(duration, { 'http.response.status_code': 429 })).toBe(
      history.filter((attempt) => attempt.status === 429).length,
    )

    expect(sumOf(metrics.get('eventrouter.dead_letters'))).toBe(letters)
    expect(letters).toBe(failed.length)
    expect(sumOf(metrics.get('eventrouter.throttle.pauses'))).toBe(throttled)

    // Gauges, observed at collection: nothing pending or in flight once idle; one state per circuit.
    expect(pointsOf(metrics.get('eventrouter.deliveries.pending')).map((point) => point.value)).toEqual([
      0, 0,
    ])
    expect(pointsOf(metrics.get('eventrouter.attempts.in_flight')).map((point) => point.value)).toEqual([
      0, 0,
    ])
    const circuit = pointsOf(metrics.get('eventrouter.circuit.state'))
    expect(circuit).toHaveLength(6)
    for (const id of ['alpha', 'bad']) {
      const current = circuit.filter(
        (point) => point.attributes['eventrouter.integration.id'] === id && point.value === 1,
      )
      expect(current, id).toHaveLength(1)
      const stats = id === 'alpha' ? router.stats() : router.tenant('acme').stats()
      expect(current[0]?.attributes['eventrouter.circuit.state']).toBe(stats.integrations[0]?.circuit)
    }

    // And the traces: one delivery span per result, one client span per attempt.
    const spans = sdk.spans()
    const deliverySpans = spans.filter((span: ReadableSpan) => span.name === 'deliver order.paid')
    expect(deliverySpans).toHaveLength(results.length)
    expect(spans.length - deliverySpans.length).toBe(history.length)
  }, 60_000)
})
