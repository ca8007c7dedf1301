import { describe, expect, it } from 'vitest'
import { EventRouter, type Telemetry, ValidationError, webhookAdapter } from '../../src/index.js'
import { openTelemetry } from '../../src/observability/otel/index.js'
import { MockTransport } from '../../src/testing/index.js'
import { coinsRewarded } from '../factories.js'

function routerWith(telemetry?: Telemetry) {
  const router = new EventRouter({
    adapters: [webhookAdapter()],
    transport: new MockTransport(),
    ...(telemetry ? { telemetry } : {}),
  })
  router.integrations.add({
    id: 'crm',
    type: 'webhook',
    config: { url: 'https://crm.example/hooks', signing: false },
  })
  router.subscriptions.create({ event: 'wallet.coins_rewarded', integrationId: 'crm' })
  return router
}

describe('the telemetry option', () => {
  it('is off by default: no trace context in records or results, no request in the history', async () => {
    const router = routerWith()
    const [result] = await router.emit('wallet.coins_rewarded', coinsRewarded()).settled
    expect(result && 'traceContext' in result).toBe(false)
    expect(result?.history[0] && 'request' in result.history[0]).toBe(false)
    await router.close()
  })

  it('takes any Telemetry: captures its context at emit(), attaches once, detaches at close()', async () => {
    const calls: string[] = []
    const telemetry: Telemetry = {
      captureContext: () => {
        calls.push('capture')
        return { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: 'v=1' }
      },
      attach: (router) => {
        calls.push('attach')
        router.on('deliverySucceeded', (result) => calls.push(`settled ${result.traceContext?.tracestate}`))
        expect(router.integrationStats()).toEqual([])
        return () => calls.push('detach')
      },
    }
    const router = routerWith(telemetry)
    const [result] = await router.emit('wallet.coins_rewarded', coinsRewarded()).settled
    expect(result?.traceContext).toEqual({
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      tracestate: 'v=1',
    })
    expect(result?.history[0]?.request).toEqual({
      method: 'POST',
      url: 'https://crm.example/hooks',
      serverAddress: 'crm.example',
      serverPort: 443,
    })
    await router.close()
    expect(calls).toEqual(['attach', 'capture', 'settled v=1', 'detach'])
  })

  it('refuses what is not telemetry, and openTelemetry() refuses unknown or invalid options by name', () => {
    expect(() => new EventRouter({ adapters: [webhookAdapter()], telemetry: {} as Telemetry })).toThrow(
      expect.objectContaining({ name: 'ValidationError', field: 'telemetry.captureContext' }),
    )
    const refused = (options: unknown) => {
      try {
        openTelemetry(options as never)
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError)
        return (error as ValidationError).field
      }
      throw new Error('expected a ValidationError')
    }
    expect(refused({ tracer: {} })).toBe('tracer')
    expect(refused({ traces: 'yes' })).toBe('traces')
    expect(refused({ meterProvider: {} })).toBe('meterProvider.getMeter')
  })

  it('defaults to the global providers, which are no-ops until an SDK registers', async () => {
    const router = routerWith(openTelemetry())
    const [result] = await router.emit('wallet.coins_rewarded', coinsRewarded()).settled
    expect(result?.status).toBe('succeeded')
    expect(result?.traceContext).toBeUndefined()
    await router.close()
  })
})
