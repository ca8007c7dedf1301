import { describe, expect, it, vi } from 'vitest'
import { EventRouter, type LogFields, type Logger, ValidationError, webhookAdapter } from '../../src/index.js'
import { MockTransport } from '../../src/testing/index.js'
import { apiAdapter, coinsRewarded } from '../factories.js'

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const TOKEN = 'tok_live_9Xq2LmZr8'

type Line = { level: keyof Logger; fields: LogFields; message: string }

function recordingLogger() {
  const lines: Line[] = []
  const logger: Logger = {
    debug: (fields, message) => lines.push({ level: 'debug', fields, message }),
    info: (fields, message) => lines.push({ level: 'info', fields, message }),
    warn: (fields, message) => lines.push({ level: 'warn', fields, message }),
    error: (fields, message) => lines.push({ level: 'error', fields, message }),
  }
  return { logger, lines }
}

describe('the logger option', () => {
  it('logs state changes, throttling, failures and listener errors at their levels, with structured fields and no secret', async () => {
    vi.useFakeTimers()
    try {
      const { logger, lines } = recordingLogger()
      const transport = new MockTransport()
      transport.when('https://api.example').respondWith({ status: 500, body: `token ${TOKEN} refused` })
      transport.when('https://crm.example').respondWith({ status: 429, headers: { 'retry-after': '1' } })
      const router = new EventRouter({
        adapters: [webhookAdapter(), apiAdapter],
        transport,
        retry: { retries: 0, throttledRetries: 1, minTimeout: 0, maxTimeout: 5000, randomize: false },
        circuitBreaker: { failureThreshold: 1, coolDownMs: 60_000, replayParked: false },
        logger,
      })
      router.integrations.add({
        id: 'crm',
        type: 'webhook',
        config: { url: 'https://crm.example/hooks', secret: SECRET },
      })
      router.tenant('acme').integrations.add({
        id: 'api',
        type: 'api',
        config: { url: `https://api.example/in?token=${TOKEN}` },
      })
      router.subscriptions.create({ event: 'wallet.coins_rewarded', integrationId: 'crm' })
      router.tenant('acme').subscriptions.create({ event: 'wallet.coins_rewarded', integrationId: 'api' })
      router.on('deliveryFailed', () => {
        throw new Error('listener bug')
      })
      router.tenant('acme').emit('wallet.coins_rewarded', coinsRewarded())
      await vi.advanceTimersByTimeAsync(3000)
      await router.onIdle()

      const levelOf = (event: string) =>
        lines.filter((line) => line.fields.lifecycleEvent === event).map((line) => line.level)
      expect(levelOf('integrationThrottled')).toContain('info')
      // Both destinations ran out of retries (the 429s of crm too): both circuits opened.
      expect(levelOf('integrationSuspended')).toEqual(['warn', 'warn'])
      expect(levelOf('deliveryFailed')).toEqual(['warn', 'warn'])
      expect(levelOf('attemptFailed').every((level) => level === 'debug')).toBe(true)
      expect(levelOf('error')).toEqual(['error', 'error'])
      const suspended = lines.find(
        (line) => line.fields.lifecycleEvent === 'integrationSuspended' && line.fields.tenant === 'acme',
      )
      expect(suspended?.fields).toMatchObject({
        integrationId: 'api',
        tenant: 'acme',
        consecutiveFailures: 1,
      })
      const listener = lines.find((line) => line.fields.lifecycleEvent === 'error')
      expect(listener?.fields.err).toMatchObject({ name: 'ListenerError', code: 'ERR_LISTENER' })
      const failure = lines.find(
        (line) => line.fields.lifecycleEvent === 'deliveryFailed' && line.fields.tenant === 'acme',
      )
      expect(failure?.fields).toMatchObject({
        integrationId: 'api',
        reason: 'retries_exhausted',
        attempts: 1,
        err: { code: 'ERR_HTTP_STATUS' },
      })
      const all = JSON.stringify(lines)
      expect(all).not.toContain(TOKEN)
      expect(all).not.toContain(SECRET)
      expect(all).not.toContain('ana@example.com') // no payload
      await router.close()
    } finally {
      vi.useRealTimers()
    }
  })

  it('is silent by default, survives a logger that throws, and refuses what is not a logger', async () => {
    const transport = new MockTransport().respondWith(500)
    const spy = vi.spyOn(console, 'warn')
    const quiet = new EventRouter({ adapters: [webhookAdapter()], transport, retry: { retries: 0 } })
    quiet.integrations.add({
      id: 'crm',
      type: 'webhook',
      config: { url: 'https://crm.example/hooks', signing: false },
    })
    quiet.subscriptions.create({ event: 'wallet.coins_rewarded', integrationId: 'crm' })
    await quiet.emit('wallet.coins_rewarded', coinsRewarded()).settled
    expect(spy).not.toHaveBeenCalled()
    spy.mockRestore()

    const throwing: Logger = {
      debug: () => {},
      info: () => {},
      warn: () => {
        throw new Error('logger down')
      },
      error: () => {},
    }
    const errors: unknown[] = []
    const loud = new EventRouter({
      adapters: [webhookAdapter()],
      transport,
      retry: { retries: 0 },
      logger: throwing,
    })
    loud.on('error', (error) => errors.push(error))
    loud.integrations.add({
      id: 'crm',
      type: 'webhook',
      config: { url: 'https://crm.example/hooks', signing: false },
    })
    loud.subscriptions.create({ event: 'wallet.coins_rewarded', integrationId: 'crm' })
    const [result] = await loud.emit('wallet.coins_rewarded', coinsRewarded()).settled
    expect(result?.status).toBe('failed')
    expect(errors).toEqual([])

    const refused = (logger: unknown) => () =>
      new EventRouter({ adapters: [webhookAdapter()], logger: logger as Logger })
    expect(refused({ info() {}, warn() {}, error() {} })).toThrow(ValidationError)
    expect(refused('console')).toThrow(expect.objectContaining({ field: 'logger' }))
    // console fits as it is.
    expect(() => new EventRouter({ adapters: [webhookAdapter()], logger: console })).not.toThrow()
  })
})
