import { HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { Webhook } from 'standardwebhooks'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { EventRouter, webhookAdapter } from '../../src/index.js'

// The whole path with the default transport (ky over fetch), against msw handlers that
// check the request as a Standard Webhooks receiver would.
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const received: { id: string; body: unknown }[] = []
let failuresLeft = 0

const server = setupServer(
  http.post('https://crm.example/hooks', async ({ request }) => {
    const body = await request.text()
    const headers = Object.fromEntries(request.headers.entries())
    try {
      new Webhook(SECRET).verify(body, headers)
    } catch {
      return HttpResponse.json({ error: 'bad signature' }, { status: 401 })
    }
    if (failuresLeft > 0) {
      failuresLeft--
      return new HttpResponse('busy', { status: 503, headers: { 'retry-after': '0' } })
    }
    received.push({ id: headers['webhook-id'] ?? '', body: JSON.parse(body) })
    return new HttpResponse(null, { status: 204 })
  }),
)

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => {
  server.resetHandlers()
  received.length = 0
})
afterAll(() => server.close())

describe('EventRouter end to end with the default transport', () => {
  it('delivers a signed, prefixed event that the receiver verifies, after a retry', async () => {
    failuresLeft = 1
    const router = new EventRouter({
      adapters: [webhookAdapter()],
      retry: { minTimeout: 10, randomize: false },
    })
    router.integrations.add({
      id: 'crm',
      type: 'webhook',
      config: { url: 'https://crm.example/hooks', secret: SECRET },
    })
    router.subscriptions.create({
      event: 'wallet.coins_rewarded',
      integrationId: 'crm',
      filter: { coins: { $gte: 100 } },
      eventNamePrefix: 'Loyalty ',
    })
    const receipt = router.emit(
      'wallet.coins_rewarded',
      { coins: 150, customer: { id: 'c1' } },
      { id: 'evt_42' },
    )
    const [result] = await receipt.settled
    expect(result).toMatchObject({ status: 'succeeded', attempts: 2, responseStatus: 204 })
    expect(received).toEqual([
      {
        id: receipt.deliveries[0]?.id,
        body: {
          id: 'evt_42',
          type: 'Loyalty wallet.coins_rewarded',
          timestamp: expect.any(String),
          data: { coins: 150, customer: { id: 'c1' } },
        },
      },
    ])
    await router.close()
  })

  // Standard Webhooks retries every non-2xx but 410: a receiver mid-key-rotation answers 401
  // for a while, so the 401 is a failed attempt, and the delivery ends as retries_exhausted.
  it('a wrong secret gets a 401, retried on the schedule, then dead-lettered with the answer', async () => {
    const router = new EventRouter({
      adapters: [webhookAdapter()],
      retry: { retries: 2, minTimeout: 10, randomize: false },
    })
    router.integrations.add({
      id: 'crm',
      type: 'webhook',
      config: { url: 'https://crm.example/hooks', secret: 'whsec_QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB' },
    })
    router.subscriptions.create({ event: 'a.b', integrationId: 'crm' })
    const [result] = await router.emit('a.b', {}).settled
    expect(result).toMatchObject({ status: 'failed', attempts: 3, reason: 'retries_exhausted' })
    if (result?.status === 'failed') {
      expect(result.error.status).toBe(401)
      expect(result.error.responseBodyExcerpt).toContain('bad signature')
      expect(result.history.map((attempt) => attempt.status)).toEqual([401, 401, 401])
    }
    expect(await router.deadLetters.list()).toMatchObject([
      { reason: 'retries_exhausted', error: { status: 401 } },
    ])
    await router.close()
  })
})
