import { defineAdapter } from 'eventrouter'
import { checkAdapterConformance } from 'eventrouter/testing'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'

const BATCH_CHECK = /^batching:/

/** A custom adapter with a bulk endpoint; `broken` makes its batch requests lose the delivery ids. */
function bulkAdapter(broken: boolean) {
  return defineAdapter({
    type: 'bulk',
    configSchema: z.object({ url: z.url(), token: z.string() }),
    secretFields: ['token'],
    buildRequest: ({ config, delivery }) => ({
      method: 'POST',
      url: config.url,
      headers: { authorization: `Bearer ${config.token}`, 'content-type': 'application/json' },
      body: JSON.stringify([{ id: delivery.id }]),
    }),
    batching: {
      maxItems: 50,
      maxBytes: 64 * 1024,
      buildItem: ({ event, delivery }) => ({
        json: JSON.stringify({ id: broken ? 'same' : delivery.id, payload: event.payload }),
      }),
      buildRequest: ({ config, entries }) => ({
        method: 'POST',
        url: config.url,
        headers: { authorization: `Bearer ${config.token}`, 'content-type': 'application/json' },
        body: `[${entries.map((entry) => entry.item.json).join(',')}]`,
      }),
    },
  })
}

const options = (broken: boolean) => ({
  adapter: bulkAdapter(broken),
  config: { url: 'https://bulk.example/events', token: 'tok_9f8e7d6c5b4a' },
  invalidConfigs: [{ config: { url: 'nope', token: 'x' }, field: 'url' }],
})

describe('checkAdapterConformance on an adapter that batches', () => {
  it('passes the batch checks for a custom adapter defined with `batching`', async () => {
    const report = await checkAdapterConformance(options(false))
    const batch = report.checks.find((check) => BATCH_CHECK.test(check.name))
    expect(batch).toMatchObject({ ok: true, problems: [] })
  })

  it('reports a batch request that loses the delivery ids', async () => {
    const report = await checkAdapterConformance(options(true))
    const batch = report.checks.find((check) => BATCH_CHECK.test(check.name))
    expect(batch?.ok).toBe(false)
    expect(batch?.problems.join('\n')).toMatch(/is not in its batch request/)
  })

  it('refuses a batching definition with bad limits, naming the adapter', () => {
    expect(() =>
      defineAdapter({
        ...bulkAdapterDefinition(),
        batching: { ...bulkAdapterDefinition().batching, maxItems: 0 },
      }),
    ).toThrow(/Invalid adapter `batching` of `bulk`/)
  })
})

function bulkAdapterDefinition() {
  return {
    type: 'bulk',
    configSchema: z.object({ url: z.url() }),
    buildRequest: () => ({ method: 'POST' as const, url: 'https://bulk.example/', headers: {}, body: '[]' }),
    batching: {
      maxItems: 10,
      maxBytes: 1024,
      buildItem: () => ({ json: '{}' }),
      buildRequest: () => ({
        method: 'POST' as const,
        url: 'https://bulk.example/',
        headers: {},
        body: '[]',
      }),
    },
  }
}
