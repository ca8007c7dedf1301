/**
 * Writing your own adapter: a complete, runnable example.
 *
 * "Acme CRM" stands for any HTTP API you want to feed: it takes one activity per request,
 * authenticated with a bearer token, and deduplicates on an `Idempotency-Key` header.
 * This file defines the adapter, checks it with the conformance suite, and sends one event
 * to a stand-in of the API on 127.0.0.1. Run: npx tsx examples/custom-adapter.ts
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { classifyHttpResponse, defineAdapter, EventRouter, kyTransport } from 'eventrouter'
import { checkAdapterConformance } from 'eventrouter/testing'
import { z } from 'zod'

// 1. The adapter: a config schema (its type flows into buildRequest), a request builder,
//    and, because Acme answers 200 with {"ok":false} on rejected activities, a classifier.
export const acmeCrmAdapter = defineAdapter({
  type: 'acme-crm',
  configSchema: z.strictObject({
    apiToken: z
      .string()
      .regex(/^acme_[A-Za-z0-9]{16,}$/, 'Expected `apiToken` to look like `acme_` + 16 letters or digits.'),
    baseUrl: z.url({ protocol: /^https?$/ }).default('https://api.acme-crm.example'),
    contactIdPath: z.string().min(1).default('customer.id'),
  }),
  secretFields: ['apiToken'],
  buildRequest: ({ event, config, delivery }) => {
    const contactId = contactIdOf(event.payload, config.contactIdPath)
    if (contactId === undefined) {
      // Thrown errors fail the delivery for good (ERR_ADAPTER): retrying cannot add a customer id.
      throw new Error(`the payload has no contact id at \`${config.contactIdPath}\``)
    }
    return {
      method: 'POST',
      url: `${config.baseUrl}/v2/contacts/${encodeURIComponent(contactId)}/activities`,
      headers: {
        authorization: `Bearer ${config.apiToken}`,
        'content-type': 'application/json',
        // The delivery id is the same on every retry: Acme drops the duplicates.
        'idempotency-key': delivery.id,
      },
      body: JSON.stringify({
        kind: event.outgoingName,
        at: event.occurredAt.toISOString(),
        data: event.payload,
      }),
    }
  },
  classifyResponse: (response) => {
    if (response.status === 200 && response.body.includes('"ok":false')) {
      return { outcome: 'fail', reason: `Acme rejected the activity: ${response.body.slice(0, 200)}` }
    }
    return classifyHttpResponse(response)
  },
})

function contactIdOf(payload: Readonly<Record<string, unknown>>, path: string): string | undefined {
  let value: unknown = payload
  for (const key of path.split('.')) value = (value as Record<string, unknown> | undefined)?.[key]
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined
}

// 2. A stand-in of Acme's API on loopback.
const server = createServer((request, response) => {
  const ok = request.headers.authorization === 'Bearer acme_0123456789abcdef'
  response.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' }).end(JSON.stringify({ ok }))
})
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
const config = { apiToken: 'acme_0123456789abcdef', baseUrl }

// 3. The conformance suite: the same checks every built-in adapter passes.
const report = await checkAdapterConformance({
  adapter: acmeCrmAdapter,
  config,
  invalidConfigs: [
    { config: { apiToken: 'nope' }, field: 'apiToken' },
    { config: { apiToken: 'acme_0123456789abcdef', baseUrl: 'ftp://x' }, field: 'baseUrl' },
  ],
})
for (const check of report.checks) console.log(`${check.ok ? 'pass' : 'FAIL'}  ${check.name}`)

// 4. Use it like any built-in adapter.
const router = new EventRouter({
  adapters: [acmeCrmAdapter],
  // The stand-in listens on 127.0.0.1, which the transport refuses by default (SSRF guard).
  transport: kyTransport({ allowedAddresses: ['127.0.0.1'] }),
})
router.integrations.add({ id: 'acme', type: 'acme-crm', config })
router.subscriptions.create({ event: 'coupon.created', integrationId: 'acme', eventNamePrefix: 'Loyalty ' })
const [result] = await router.emit('coupon.created', { code: 'LOYAL-7Q2K', customer: { id: 'cus_981' } })
  .settled
console.log(`\ndelivery: ${result?.status} after ${result?.attempts} attempt(s)`)
await router.close()
server.close()
process.exitCode = report.ok && result?.status === 'succeeded' ? 0 : 1
