import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  defineAdapter,
  EventRouter,
  type EventRouterError,
  type TransportRequest,
  webhookAdapter,
} from '../../src/index.js'
import { MockTransport } from '../../src/testing/index.js'
import { INSTANT_RETRY } from '../factories.js'

const unhandled: unknown[] = []
const onUnhandled = (reason: unknown) => unhandled.push(reason)

/** An adapter whose buildRequest/classifyResponse return what `behaviour` says. */
function rogue(type: string, build: () => unknown, classify: () => unknown = () => ({ outcome: 'success' })) {
  return defineAdapter({
    type,
    configSchema: z.object({}),
    buildRequest: build as () => TransportRequest,
    classifyResponse: classify as never,
  })
}

const good = (): TransportRequest => ({ method: 'POST', url: 'https://ok.example/', headers: {}, body: '{}' })

describe('isolation', () => {
  beforeEach(() => {
    unhandled.length = 0
    process.on('unhandledRejection', onUnhandled)
  })
  afterEach(() => {
    process.off('unhandledRejection', onUnhandled)
  })

  it.each([
    [
      'throws',
      () =>
        rogue('x', () => {
          throw new Error('boom')
        }),
    ],
    ['rejects', () => rogue('x', () => Promise.reject(new Error('boom')))],
    ['returns undefined', () => rogue('x', () => undefined)],
    ['returns a relative URL', () => rogue('x', () => ({ ...good(), url: '/hooks' }))],
    ['returns an unknown method', () => rogue('x', () => ({ ...good(), method: 'TRACE' }))],
    ['returns a non-string body', () => rogue('x', () => ({ ...good(), body: { a: 1 } }))],
    ['classifies with garbage', () => rogue('x', good, () => ({ outcome: 'maybe' }))],
    [
      'classify throws',
      () =>
        rogue('x', good, () => {
          throw new Error('boom')
        }),
    ],
  ])('an adapter that %s fails only its own delivery, with ERR_ADAPTER, never retried', async (_, make) => {
    const transport = new MockTransport()
    const router = new EventRouter({ adapters: [make(), webhookAdapter()], transport, retry: INSTANT_RETRY })
    router.integrations.add({ id: 'bad', type: 'x', config: {} })
    router.integrations.add({
      id: 'crm',
      type: 'webhook',
      config: { url: 'https://crm.example/', signing: false },
    })
    router.subscriptions.create({ event: 'a.b', integrationId: 'bad' })
    router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
    const results = await router.emit('a.b', {}).settled
    expect(results[0]).toMatchObject({ status: 'failed', reason: 'not_retryable', attempts: 1 })
    expect(results[0]?.status === 'failed' && results[0].error.code).toBe('ERR_ADAPTER')
    expect(results[1]).toMatchObject({ status: 'succeeded' })
    await router.close()
    await new Promise((resolve) => setImmediate(resolve))
    expect(unhandled).toEqual([])
  })

  it('a transport that resolves garbage fails the delivery, not the host', async () => {
    const router = new EventRouter({
      adapters: [webhookAdapter()],
      transport: { send: async () => undefined as never },
      retry: { ...INSTANT_RETRY, retries: 1 },
    })
    router.integrations.add({
      id: 'crm',
      type: 'webhook',
      config: { url: 'https://crm.example/', signing: false },
    })
    router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
    const [result] = await router.emit('a.b', {}).settled
    expect(result).toMatchObject({ status: 'failed', attempts: 2 })
    expect(result?.status === 'failed' && result.error.message).toContain('not a response')
    await router.close()
    expect(unhandled).toEqual([])
  })

  it('listeners that throw or reject are reported on `error` and change nothing else', async () => {
    const transport = new MockTransport()
    transport.when('https://down.example').respondWith(400)
    const router = new EventRouter({ adapters: [webhookAdapter()], transport, retry: INSTANT_RETRY })
    router.integrations.add({
      id: 'crm',
      type: 'webhook',
      config: { url: 'https://crm.example/', signing: false },
    })
    router.integrations.add({
      id: 'down',
      type: 'webhook',
      config: { url: 'https://down.example/', signing: false },
    })
    router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
    router.subscriptions.create({ event: 'a.b', integrationId: 'down' })
    const errors: EventRouterError[] = []
    router.on('error', (error) => {
      errors.push(error)
      throw new Error('the error listener throws too')
    })
    router.on('deliverySucceeded', () => {
      throw new Error('listener bug')
    })
    router.on('deliveryFailed', async () => Promise.reject(new Error('async listener bug')))
    router.on('deliveryDeadLettered', () => {
      throw new Error('listener bug')
    })
    const results = await router.emit('a.b', {}).settled
    expect(results.map((r) => r.status)).toEqual(['succeeded', 'failed'])
    await router.onIdle()
    await new Promise((resolve) => setImmediate(resolve))
    expect(errors.map((e) => e.code)).toEqual(['ERR_LISTENER', 'ERR_LISTENER', 'ERR_LISTENER'])
    expect(await router.deadLetters.list()).toHaveLength(1)
    await router.close()
    expect(unhandled).toEqual([])
  })
})
