import { describe, expect, it } from 'vitest'
import {
  ConflictError,
  EventRouter,
  NotFoundError,
  REDACTED,
  ValidationError,
  webhookAdapter,
} from '../../src/index.js'
import { MockTransport } from '../../src/testing/index.js'
import { INSTANT_RETRY } from '../factories.js'

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'

function emptyRouter() {
  const transport = new MockTransport()
  return {
    router: new EventRouter({ adapters: [webhookAdapter()], transport, retry: INSTANT_RETRY }),
    transport,
  }
}

describe('router.integrations', () => {
  it('adds, gets and lists integrations with secrets redacted', () => {
    const { router } = emptyRouter()
    const crm = router.integrations.add({
      id: 'crm',
      type: 'webhook',
      name: 'CRM webhook',
      config: { url: 'https://crm.example/hooks', secret: SECRET },
    })
    expect(crm).toMatchObject({ id: 'crm', type: 'webhook', name: 'CRM webhook', enabled: true })
    expect(crm.config).toEqual({ url: 'https://crm.example/hooks', secret: REDACTED })
    expect(router.integrations.get('crm')).toEqual(crm)
    expect(router.integrations.list()).toEqual([crm])
    expect(router.integrations.get('nope')).toBeUndefined()
  })

  it('generates an id when none is given', () => {
    const { router } = emptyRouter()
    const added = router.integrations.add({
      type: 'webhook',
      config: { url: 'https://x.example/', signing: false },
    })
    expect(added.id).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('updates config by shallow merge, keeping the secret, and deliveries use the new config', async () => {
    const { router, transport } = emptyRouter()
    router.integrations.add({
      id: 'crm',
      type: 'webhook',
      config: { url: 'https://old.example/', secret: SECRET },
    })
    router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
    const updated = router.integrations.update('crm', {
      config: { url: 'https://new.example/' },
      name: 'New',
    })
    expect(updated).toMatchObject({ name: 'New', config: { url: 'https://new.example/', secret: REDACTED } })
    await router.emit('a.b', {}).settled
    expect(transport.requests[0]?.url).toBe('https://new.example/')
    expect(transport.requests[0]?.headers['webhook-signature']).toMatch(/^v1,/)
    // Turning signing off is explicit: the secret goes (`undefined` removes a key) and
    // `signing: false` says so; dropping the secret alone is refused.
    expect(() => router.integrations.update('crm', { config: { secret: undefined } })).toThrow(
      expect.objectContaining({ code: 'ERR_VALIDATION', field: 'config.secret' }),
    )
    router.integrations.update('crm', { config: { secret: undefined, signing: false } })
    await router.emit('a.b', {}).settled
    expect(transport.requests[1]?.headers['webhook-signature']).toBeUndefined()
  })

  it('disables and enables: a disabled integration receives nothing', () => {
    const { router } = emptyRouter()
    router.integrations.add({
      id: 'crm',
      type: 'webhook',
      config: { url: 'https://crm.example/', signing: false },
    })
    router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
    expect(router.integrations.disable('crm').enabled).toBe(false)
    expect(router.emit('a.b', {}).deliveries).toHaveLength(0)
    expect(router.integrations.enable('crm').enabled).toBe(true)
    expect(router.emit('a.b', {}).deliveries).toHaveLength(1)
  })

  it('refuses to remove an integration that subscriptions use, then removes it once free', () => {
    const { router } = emptyRouter()
    router.integrations.add({
      id: 'crm',
      type: 'webhook',
      config: { url: 'https://crm.example/', signing: false },
    })
    const sub = router.subscriptions.create({ id: 'sub-1', event: 'a.b', integrationId: 'crm' })
    expect(() => router.integrations.remove('crm')).toThrow(ConflictError)
    expect(() => router.integrations.remove('crm')).toThrow(/used by subscription\(s\) `sub-1`/)
    expect(router.integrations.get('crm')).toBeDefined()
    router.subscriptions.remove(sub.id)
    router.integrations.remove('crm')
    expect(router.integrations.list()).toEqual([])
  })

  describe('rejects bad input with a typed error naming the field, and changes nothing', () => {
    it.each([
      [
        'unknown adapter type',
        { id: 'x', type: 'klaviyo', config: {} },
        NotFoundError,
        'ERR_NOT_FOUND',
        'type',
      ],
      [
        'bad config url',
        { id: 'x', type: 'webhook', config: { url: 'not a url', signing: false } },
        ValidationError,
        'ERR_VALIDATION',
        'config.url',
      ],
      [
        'bad secret',
        { id: 'x', type: 'webhook', config: { url: 'https://a.example/', secret: 'nope' } },
        ValidationError,
        'ERR_VALIDATION',
        'config.secret',
      ],
      [
        'unknown config key',
        { id: 'x', type: 'webhook', config: { url: 'https://a.example/', signing: false, urll: 1 } },
        ValidationError,
        'ERR_VALIDATION',
        'config.urll',
      ],
      [
        'bad id',
        { id: 'a b', type: 'webhook', config: { url: 'https://a.example/', signing: false } },
        ValidationError,
        'ERR_VALIDATION',
        'id',
      ],
      ['missing config', { id: 'x', type: 'webhook' }, ValidationError, 'ERR_VALIDATION', 'config'],
    ])('%s', (_label, input, type, code, field) => {
      const { router } = emptyRouter()
      expect(() => router.integrations.add(input as never)).toThrow(type)
      try {
        router.integrations.add(input as never)
      } catch (error) {
        expect(error).toMatchObject({ code, field })
      }
      expect(router.integrations.list()).toEqual([])
    })

    it('duplicate id', () => {
      const { router } = emptyRouter()
      router.integrations.add({
        id: 'crm',
        type: 'webhook',
        config: { url: 'https://crm.example/', signing: false },
      })
      expect(() =>
        router.integrations.add({
          id: 'crm',
          type: 'webhook',
          config: { url: 'https://other.example/', signing: false },
        }),
      ).toThrow(expect.objectContaining({ code: 'ERR_DUPLICATE_ID', field: 'id' }))
      expect(router.integrations.get('crm')?.config.url).toBe('https://crm.example/')
    })

    it('a rejected update leaves the integration as it was', () => {
      const { router } = emptyRouter()
      const before = router.integrations.add({
        id: 'crm',
        type: 'webhook',
        config: { url: 'https://crm.example/', signing: false },
      })
      expect(() =>
        router.integrations.update('crm', { config: { url: 'ftp://x' }, name: 'renamed' }),
      ).toThrow(expect.objectContaining({ field: 'config.url' }))
      expect(() => router.integrations.update('crm', { enabled: 'no' } as never)).toThrow(ValidationError)
      expect(router.integrations.get('crm')).toEqual(before)
      expect(() => router.integrations.update('ghost', {})).toThrow(NotFoundError)
    })

    it('a credential echoed back by the destination is scrubbed from the failure', async () => {
      const { router, transport } = emptyRouter()
      transport.respondWith({
        status: 401,
        body: 'invalid token "Bearer crm-token-123" for https://crm.example',
      })
      router.integrations.add({
        id: 'crm',
        type: 'webhook',
        config: {
          url: 'https://crm.example/',
          signing: false,
          headers: { authorization: 'Bearer crm-token-123' },
        },
      })
      router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
      const [result] = await router.emit('a.b', {}).settled
      expect(result?.status).toBe('failed')
      expect(JSON.stringify(result)).not.toContain('crm-token-123')
      if (result?.status === 'failed')
        expect(result.error.responseBodyExcerpt).toContain(`invalid token "${REDACTED}"`)
    })

    it('secrets never appear in validation errors', () => {
      const { router } = emptyRouter()
      const leaky = 'whsec_not-base64-but-secret!!'
      try {
        router.integrations.add({
          id: 'x',
          type: 'webhook',
          config: { url: 'https://a.example/', secret: leaky },
        })
        expect.unreachable()
      } catch (error) {
        expect(String((error as Error).message)).not.toContain('not-base64-but-secret')
      }
    })
  })
})

describe('integration ids that cannot be turned into text', () => {
  it.each(['update', 'remove', 'enable', 'disable'] as const)(
    '%s(Object.create(null)) throws NotFoundError',
    (method) => {
      const router = new EventRouter({ adapters: [webhookAdapter()], transport: new MockTransport() })
      const call = () =>
        (router.integrations[method] as (id: unknown, patch?: unknown) => unknown)(Object.create(null), {})
      expect(call).toThrow(expect.objectContaining({ code: 'ERR_NOT_FOUND', field: 'id' }))
    },
  )

  it('says which field a conflict is about', () => {
    const router = new EventRouter({ adapters: [webhookAdapter()], transport: new MockTransport() })
    router.integrations.add({
      id: 'crm',
      type: 'webhook',
      config: { url: 'https://crm.example/', signing: false },
    })
    router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
    expect(() => router.integrations.remove('crm')).toThrow(/\(id\)/)
  })
})
