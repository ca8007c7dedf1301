import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineAdapter, webhookAdapter } from '../../src/index.js'
import { assertAdapterConformance, checkAdapterConformance } from '../../src/testing/index.js'

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'

describe('adapter conformance suite', () => {
  it('passes the webhook adapter', async () => {
    await assertAdapterConformance({
      adapter: webhookAdapter(),
      config: {
        url: 'https://crm.example/hooks',
        secret: SECRET,
        headers: { authorization: 'Bearer s3cr3t-token' },
      },
      invalidConfigs: [
        { config: { url: 'ftp://x' }, field: 'url' },
        { config: { url: 'https://crm.example/', secret: 'nope' }, field: 'secret' },
      ],
      responses: {
        success: { status: 204, headers: {}, body: '' },
        // Standard Webhooks retries every other 4xx on the schedule: 410 Gone is its final one.
        clientError: { status: 410, headers: {}, body: '' },
      },
    })
  })

  it('catches an adapter that leaks its key, forgets idempotency and retries 400s', async () => {
    const leaky = defineAdapter({
      type: 'leaky',
      configSchema: z.object({ apiKey: z.string().min(8) }),
      buildRequest: ({ config, attempt }) => {
        if (attempt > 1) throw new Error(`retry with key ${config.apiKey}`)
        return {
          method: 'POST',
          url: 'https://leaky.example/track',
          headers: { 'content-type': 'application/json' },
          body: '{',
        }
      },
      classifyResponse: (response) =>
        response.status < 300
          ? { outcome: 'success' }
          : { outcome: 'retry', reason: `HTTP ${response.status}` },
    })
    const report = await checkAdapterConformance({
      adapter: leaky as never,
      config: { apiKey: 'sk_live_abcdef123456' },
      invalidConfigs: [{ config: { apiKey: 'short' }, field: 'apiKey' }],
    })
    expect(report.ok).toBe(false)
    const failed = report.checks.filter((c) => !c.ok).map((c) => c.name.split(':')[0])
    expect(failed).toEqual(['request', 'idempotency', 'secrets', 'classification'])
    await expect(
      assertAdapterConformance({
        adapter: leaky as never,
        config: { apiKey: 'sk_live_abcdef123456' },
        invalidConfigs: [],
      }),
    ).rejects.toThrow(/does not conform[\s\S]*no invalid configs given/)
  })
})
