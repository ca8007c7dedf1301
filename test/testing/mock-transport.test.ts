import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { MockTransport } from '../../src/testing/mock-transport.js'
import type { TransportRequest, TransportResponse } from '../../src/transport/transport.js'

const signal = () => new AbortController().signal
const post = (url: string, body?: unknown): TransportRequest => ({
  method: 'POST',
  url,
  headers: { 'content-type': 'application/json' },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
})
const statuses = async (transport: MockTransport, urls: readonly string[]) => {
  const answered: number[] = []
  for (const url of urls) answered.push((await transport.send(post(url), { signal: signal() })).status)
  return answered
}

/** Tracks a promise without awaiting it, so a test can tell whether it settled yet. */
function track(promise: Promise<TransportResponse>) {
  const state: { settled: boolean; response?: TransportResponse; error?: unknown } = { settled: false }
  promise.then(
    (response) => Object.assign(state, { settled: true, response }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  )
  return state
}

describe('MockTransport', () => {
  describe('recording', () => {
    afterEach(() => {
      vi.useRealTimers()
    })

    it('records every request in order with method, url, headers, body, receivedAt and signal', async () => {
      vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') })
      const transport = new MockTransport()
      const first = new AbortController()
      const second = new AbortController()

      await transport.send(post('https://crm.example/hooks', { coins: 50 }), { signal: first.signal })
      vi.advanceTimersByTime(1500)
      await transport.send(
        {
          method: 'PUT',
          url: 'https://a.klaviyo.com/api/profiles',
          headers: { Authorization: 'Klaviyo-API-Key pk' },
        },
        { signal: second.signal },
      )

      expect(transport.requests).toHaveLength(2)
      expect(transport.requests[0]).toMatchObject({
        method: 'POST',
        url: 'https://crm.example/hooks',
        headers: { 'content-type': 'application/json' },
        body: '{"coins":50}',
        receivedAt: Date.parse('2026-01-01T00:00:00Z'),
      })
      expect(transport.requests[0]?.signal).toBe(first.signal)
      expect(transport.requests[1]).toMatchObject({
        method: 'PUT',
        url: 'https://a.klaviyo.com/api/profiles',
        headers: { Authorization: 'Klaviyo-API-Key pk' }, // names as the adapter wrote them
        receivedAt: Date.parse('2026-01-01T00:00:01.500Z'),
      })
      expect(transport.requests[1]?.body).toBeUndefined()
      expect(transport.requests[1]?.signal).toBe(second.signal)
      second.abort()
      expect(transport.requests[1]?.signal.aborted).toBe(true)
    })

    it('parses the body with json()', async () => {
      const transport = new MockTransport()

      await transport.send(post('https://crm.example/hooks', { type: 'wallet.coins_rewarded', coins: 50 }), {
        signal: signal(),
      })

      expect(transport.requests[0]?.json<{ coins: number }>().coins).toBe(50)
      expect(transport.requests[0]?.json()).toEqual({ type: 'wallet.coins_rewarded', coins: 50 })
    })

    it('throws from json() when the body is missing or not JSON', async () => {
      const transport = new MockTransport()

      await transport.send(post('https://crm.example/hooks'), { signal: signal() })
      await transport.send({ ...post('https://crm.example/hooks'), body: 'coins=50' }, { signal: signal() })

      expect(() => transport.requests[0]?.json()).toThrow(SyntaxError)
      expect(() => transport.requests[1]?.json()).toThrow(SyntaxError)
    })

    it('keeps a copy of the headers, not the caller’s object', async () => {
      const transport = new MockTransport()
      const headers: Record<string, string> = { 'webhook-id': 'msg_1' }

      await transport.send(
        { method: 'POST', url: 'https://crm.example/hooks', headers },
        { signal: signal() },
      )
      headers['webhook-id'] = 'changed later'

      expect(transport.requests[0]?.headers).toEqual({ 'webhook-id': 'msg_1' })
    })

    it('records requests that fail, hang or arrive already aborted', async () => {
      const transport = new MockTransport().enqueue({ networkError: true }, { hang: true })
      const hanging = new AbortController()

      await expect(transport.send(post('https://crm.example/1'), { signal: signal() })).rejects.toThrow()
      const pending = transport.send(post('https://crm.example/2'), { signal: hanging.signal })
      await expect(
        transport.send(post('https://crm.example/3'), { signal: AbortSignal.abort() }),
      ).rejects.toThrow()
      hanging.abort()
      await expect(pending).rejects.toThrow()

      expect(transport.requests.map((request) => request.url)).toEqual([
        'https://crm.example/1',
        'https://crm.example/2',
        'https://crm.example/3',
      ])
    })

    it('forgets recorded requests with clearRequests() but keeps its scripts', async () => {
      const transport = new MockTransport().enqueue(503, 502)
      await transport.send(post('https://crm.example/hooks'), { signal: signal() })

      transport.clearRequests()

      expect(transport.requests).toHaveLength(0)
      expect(await statuses(transport, ['https://crm.example/hooks', 'https://crm.example/hooks'])).toEqual([
        502, 200,
      ])
      expect(transport.requests).toHaveLength(2)
    })
  })

  describe('answers', () => {
    it('answers 200 with an empty body and no headers by default', async () => {
      const transport = new MockTransport()

      await expect(transport.send(post('https://crm.example/hooks'), { signal: signal() })).resolves.toEqual({
        status: 200,
        headers: {},
        body: '',
      })
    })

    it('takes another default answer in the constructor', async () => {
      expect(await statuses(new MockTransport(202), ['https://crm.example/hooks'])).toEqual([202])
      await expect(
        new MockTransport({ status: 201, body: 'created' }).send(post('https://crm.example/hooks'), {
          signal: signal(),
        }),
      ).resolves.toEqual({ status: 201, headers: {}, body: 'created' })
    })

    it('answers every request with respondWith(), a number or an answer', async () => {
      const transport = new MockTransport().respondWith(204)
      expect(await statuses(transport, ['https://crm.example/a', 'https://crm.example/b'])).toEqual([
        204, 204,
      ])

      transport.respondWith({ status: 410, body: 'gone', headers: { 'X-Reason': 'Unsubscribed' } })

      await expect(transport.send(post('https://crm.example/a'), { signal: signal() })).resolves.toEqual({
        status: 410,
        headers: { 'x-reason': 'Unsubscribed' }, // names lower-cased, as transports return them
        body: 'gone',
      })
    })

    it('JSON-encodes object and array bodies and adds a JSON content-type', async () => {
      const transport = new MockTransport().enqueue(
        { status: 202, body: { accepted: true } },
        { status: 200, body: [1, 2] },
      )

      await expect(transport.send(post('https://crm.example/hooks'), { signal: signal() })).resolves.toEqual({
        status: 202,
        headers: { 'content-type': 'application/json' },
        body: '{"accepted":true}',
      })
      await expect(
        transport.send(post('https://crm.example/hooks'), { signal: signal() }),
      ).resolves.toMatchObject({
        headers: { 'content-type': 'application/json' },
        body: '[1,2]',
      })
    })

    it('keeps a content-type given with an object body, whatever its case', async () => {
      const transport = new MockTransport({
        status: 200,
        body: { data: [] },
        headers: { 'Content-Type': 'application/vnd.api+json' },
      })

      const response = await transport.send(post('https://a.klaviyo.com/api/events'), { signal: signal() })

      expect(response.headers).toEqual({ 'content-type': 'application/vnd.api+json' })
    })

    it('leaves string bodies as they are, without a content-type', async () => {
      const transport = new MockTransport({ status: 200, body: '{"already":"json"}' })

      await expect(transport.send(post('https://crm.example/hooks'), { signal: signal() })).resolves.toEqual({
        status: 200,
        headers: {},
        body: '{"already":"json"}',
      })
    })

    it('uses enqueued answers once each, in order, then the default', async () => {
      const transport = new MockTransport()
        .enqueue(503, { status: 429, headers: { 'retry-after': '2' } })
        .enqueue(500)
      const url = 'https://crm.example/hooks'

      const answers = []
      for (let i = 0; i < 5; i++) answers.push(await transport.send(post(url), { signal: signal() }))

      expect(answers.map((response) => response.status)).toEqual([503, 429, 500, 200, 200])
      expect(answers[1]?.headers).toEqual({ 'retry-after': '2' })
    })

    it('fails the next requests with failTimes(): 500 by default, or the given answer', async () => {
      const url = 'https://crm.example/hooks'

      expect(await statuses(new MockTransport().failTimes(2), [url, url, url])).toEqual([500, 500, 200])
      expect(await statuses(new MockTransport().failTimes(1, 503), [url, url])).toEqual([503, 200])
      expect(
        await statuses(new MockTransport().failTimes(2, { status: 429 }).failTimes(0), [url, url, url]),
      ).toEqual([429, 429, 200])
    })

    it('rejects like fetch with networkErrorTimes(): TypeError "fetch failed" with a cause', async () => {
      const transport = new MockTransport()
        .networkErrorTimes(1)
        .networkErrorTimes(1, 'getaddrinfo ENOTFOUND crm.example')

      const refused = await transport
        .send(post('https://crm.example/hooks'), { signal: signal() })
        .catch((e) => e)
      const unresolved = await transport
        .send(post('https://crm.example/hooks'), { signal: signal() })
        .catch((e) => e)
      const recovered = await transport.send(post('https://crm.example/hooks'), { signal: signal() })

      expect(refused).toBeInstanceOf(TypeError)
      expect(refused).toMatchObject({ message: 'fetch failed', cause: { message: 'connect ECONNREFUSED' } })
      expect(refused.cause).toBeInstanceOf(Error)
      expect(unresolved).toMatchObject({
        message: 'fetch failed',
        cause: { message: 'getaddrinfo ENOTFOUND crm.example' },
      })
      expect(recovered.status).toBe(200)
    })
  })

  describe('hangs and aborts', () => {
    it('keeps a hangTimes() request pending until its signal aborts, then rejects with the reason', async () => {
      const transport = new MockTransport().hangTimes(1)
      const controller = new AbortController()
      const reason = new Error('attempt TTL expired')

      const hanging = track(transport.send(post('https://crm.example/hooks'), { signal: controller.signal }))
      await new Promise((resolve) => setImmediate(resolve))
      expect(hanging.settled).toBe(false)

      controller.abort(reason)
      await new Promise((resolve) => setImmediate(resolve))

      expect(hanging.error).toBe(reason)
      expect(await statuses(transport, ['https://crm.example/hooks'])).toEqual([200]) // one hang only
    })

    it('rejects a hanging request with the default AbortError when aborted without a reason', async () => {
      const transport = new MockTransport().hangTimes(1)
      const controller = new AbortController()

      const hanging = transport.send(post('https://crm.example/hooks'), { signal: controller.signal })
      controller.abort()

      await expect(hanging).rejects.toMatchObject({ name: 'AbortError' })
      await expect(hanging).rejects.toBe(controller.signal.reason)
    })

    it('rejects at once with the reason when the signal is already aborted, whatever is scripted', async () => {
      const transport = new MockTransport({ status: 200, delayMs: 1000 })
      const reason = new Error('router closed')

      await expect(
        transport.send(post('https://crm.example/hooks'), { signal: AbortSignal.abort(reason) }),
      ).rejects.toBe(reason)
    })
  })

  describe('delayMs', () => {
    beforeEach(() => {
      vi.useFakeTimers()
    })
    afterEach(() => {
      vi.useRealTimers()
    })

    it('answers after delayMs of (fake) time', async () => {
      const transport = new MockTransport().enqueue({ status: 202, delayMs: 100 })

      const sending = track(transport.send(post('https://crm.example/hooks'), { signal: signal() }))
      await vi.advanceTimersByTimeAsync(99)
      expect(sending.settled).toBe(false)
      await vi.advanceTimersByTimeAsync(1)

      expect(sending.response?.status).toBe(202)
    })

    it('rejects with the reason when aborted during the delay, and clears its timer', async () => {
      const transport = new MockTransport({ status: 200, delayMs: 10_000 })
      const controller = new AbortController()
      const reason = new Error('attempt TTL expired')

      const sending = track(transport.send(post('https://crm.example/hooks'), { signal: controller.signal }))
      await vi.advanceTimersByTimeAsync(5_000)
      controller.abort(reason)
      await vi.advanceTimersByTimeAsync(0)

      expect(sending.error).toBe(reason)
      expect(vi.getTimerCount()).toBe(0)
    })

    it('answers at once without delayMs, even under fake timers', async () => {
      const transport = new MockTransport()

      const sending = track(transport.send(post('https://crm.example/hooks'), { signal: signal() }))
      // No timer is involved: flushing microtasks is enough.
      for (let i = 0; i < 5; i++) await Promise.resolve()

      expect(sending.response?.status).toBe(200)
      expect(vi.getTimerCount()).toBe(0)
    })
  })

  describe('when()', () => {
    it('routes by URL prefix, RegExp or predicate; unmatched requests get the default', async () => {
      const transport = new MockTransport()
      transport.when('https://a.klaviyo.com/').respondWith(202)
      transport.when(/^https:\/\/hooks\.slack\.com\//).respondWith(404)
      transport.when((request) => request.method === 'DELETE').respondWith(204)

      const answers = [
        await transport.send(post('https://a.klaviyo.com/api/events'), { signal: signal() }),
        await transport.send(post('https://hooks.slack.com/services/T0'), { signal: signal() }),
        await transport.send(
          { method: 'DELETE', url: 'https://crm.example/contacts/1', headers: {} },
          { signal: signal() },
        ),
        await transport.send(post('https://crm.example/hooks'), { signal: signal() }),
      ]

      expect(answers.map((response) => response.status)).toEqual([202, 404, 204, 200])
      expect(transport.requests).toHaveLength(4) // one log for all scripts
    })

    it('lets scripts added earlier win', async () => {
      const transport = new MockTransport()
      transport.when('https://crm.example/hooks/vip').respondWith(201)
      transport.when('https://crm.example/').respondWith(503)

      expect(
        await statuses(transport, ['https://crm.example/hooks/vip', 'https://crm.example/hooks']),
      ).toEqual([201, 503])
    })

    it('keeps a queue per script, separate from the default one', async () => {
      const transport = new MockTransport().failTimes(1, 500)
      transport.when('https://a.klaviyo.com/').failTimes(2, 429).respondWith(202)
      transport.when('https://crm.example/').networkErrorTimes(1)

      expect(
        await statuses(transport, ['https://a.klaviyo.com/api/events', 'https://other.example/x']),
      ).toEqual([429, 500])
      await expect(transport.send(post('https://crm.example/hooks'), { signal: signal() })).rejects.toThrow(
        'fetch failed',
      )
      expect(
        await statuses(transport, [
          'https://a.klaviyo.com/api/events',
          'https://a.klaviyo.com/api/events',
          'https://crm.example/hooks',
          'https://other.example/x',
        ]),
      ).toEqual([429, 202, 200, 200])
    })

    it('hangs and delays per script', async () => {
      const transport = new MockTransport()
      transport.when('https://slow.example/').hangTimes(1)
      const controller = new AbortController()

      const hanging = transport.send(post('https://slow.example/hooks'), { signal: controller.signal })
      expect(await statuses(transport, ['https://crm.example/hooks'])).toEqual([200])
      controller.abort()

      await expect(hanging).rejects.toMatchObject({ name: 'AbortError' })
    })

    // A RegExp with the g or y flag keeps `lastIndex` between `test()` calls; a naive
    // matcher would select the same URL only every other time.
    it('matches a RegExp with the g flag on every request', async () => {
      const transport = new MockTransport()
      transport.when(/klaviyo/g).respondWith(202)

      expect(
        await statuses(transport, [
          'https://a.klaviyo.com/api/events',
          'https://a.klaviyo.com/api/events',
          'https://a.klaviyo.com/api/events',
        ]),
      ).toEqual([202, 202, 202])
    })

    // `defaultAnswer` is "what every request gets when nothing else is scripted", so a when()
    // script without respondWith() falls back to it once its queue is used up.
    it('falls back to the transport default once a when() queue without respondWith() is used up', async () => {
      const transport = new MockTransport(503)
      transport.when('https://crm.example/').enqueue(500)

      expect(await statuses(transport, ['https://crm.example/hooks', 'https://crm.example/hooks'])).toEqual([
        500, 503,
      ])
    })
  })
})
