import type { Adapter } from '../adapters/adapter.js'
import type { Batching } from '../delivery/batching.js'
import type { DeliveryResult } from '../delivery/delivery.js'
import { EventRouter } from '../router/event-router.js'
import type { TransportResponse } from '../transport/transport.js'
import { MockTransport } from './mock-transport.js'

/** What the batch checks need: the adapter, a valid config, a payload and the accepting answer. */
export interface BatchConformanceInput {
  readonly adapter: Adapter<unknown>
  readonly config: Record<string, unknown>
  readonly payload: Record<string, unknown>
  readonly success: TransportResponse | number
  readonly idempotent: boolean
}

const RETRY_INSTANTLY = { retries: 1, minTimeout: 0, maxTimeout: 0, randomize: false }

async function deliver(
  input: BatchConformanceInput,
  batching: Batching,
  payloads: readonly Record<string, unknown>[],
): Promise<{ transport: MockTransport; results: DeliveryResult[]; ids: string[] }> {
  const transport = new MockTransport(input.success)
  const router = new EventRouter({
    adapters: [input.adapter],
    transport,
    retry: RETRY_INSTANTLY,
    timeoutMs: 5000,
  })
  // No linger: a batch leaves once the deliveries claimed together are in it.
  router.integrations.add({
    id: 'conformance',
    type: input.adapter.type,
    config: input.config,
    batching: { lingerMs: 0, ...batching },
  })
  router.subscriptions.create({ event: '*', integrationId: 'conformance', eventNamePrefix: 'Loyalty ' })
  const receipts = payloads.map((payload, index) =>
    router.emit('wallet.coins_rewarded', payload, {
      id: `evt_batch_${index}`,
      occurredAt: '2026-11-01T10:00:00.000Z',
    }),
  )
  const results = (await Promise.all(receipts.map((receipt) => receipt.settled))).flat()
  await router.close()
  return { transport, results, ids: receipts.map((receipt) => receipt.deliveries[0]?.id ?? '') }
}

/**
 * The batch checks of an adapter that batches: one request for many deliveries with one
 * outcome per delivery (and each delivery id in it, for an idempotent adapter); `maxItems` and
 * `maxBytes` respected; an event too large for any batch failing alone while the others go.
 * Returns the problems found.
 */
export async function checkBatchBehaviour(input: BatchConformanceInput): Promise<string[]> {
  const batching = input.adapter.batching
  if (!batching) return []
  const problems: string[] = []
  if (!(Number.isInteger(batching.maxItems) && batching.maxItems >= 1))
    problems.push('batching.maxItems is not a positive integer')
  if (!(Number.isInteger(batching.maxBytes) && batching.maxBytes >= 1))
    problems.push('batching.maxBytes is not a positive integer')

  const five = Array.from({ length: 5 }, () => input.payload)
  const together = await deliver(input, { maxItems: Math.min(5, batching.maxItems) }, five)
  const expected = Math.ceil(5 / Math.min(5, batching.maxItems))
  if (together.transport.requests.length !== expected) {
    problems.push(
      `5 deliveries (maxItems ${Math.min(5, batching.maxItems)}) made ${together.transport.requests.length} requests, expected ${expected}`,
    )
  }
  if (
    together.results.length !== 5 ||
    !together.results.every((result) => result.status === 'succeeded' && result.attempts === 1)
  ) {
    problems.push(
      `expected 5 deliveries succeeded in 1 attempt each, got ${together.results.map((r) => `${r.status}/${r.attempts}`).join(', ')}`,
    )
  }
  if (input.idempotent) {
    const bodies = together.transport.requests
      .map((request) => `${request.url} ${request.body ?? ''}`)
      .join('\n')
    for (const id of together.ids)
      if (!bodies.includes(id)) problems.push(`delivery id ${id} is not in its batch request`)
  }

  const items = await deliver(input, { maxItems: Math.min(2, batching.maxItems) }, five)
  for (const request of items.transport.requests) {
    const body = request.body ?? ''
    if (Buffer.byteLength(body, 'utf8') > batching.maxBytes)
      problems.push(`a request of ${Buffer.byteLength(body)} bytes is over maxBytes ${batching.maxBytes}`)
  }
  if (items.transport.requests.length !== Math.ceil(5 / Math.min(2, batching.maxItems))) {
    problems.push(
      `5 deliveries with maxItems 2 made ${items.transport.requests.length} requests, expected ${Math.ceil(5 / Math.min(2, batching.maxItems))}`,
    )
  }

  // One request of a single delivery, to size the limit between a normal and a padded event.
  const one = together.transport.requests[0]?.body ?? ''
  const maxBytes = Math.min(
    batching.maxBytes,
    Math.max(256, Math.ceil(Buffer.byteLength(one, 'utf8') / 5) * 3),
  )
  const padded = { ...input.payload, conformancePadding: 'x'.repeat(maxBytes * 2) }
  const alone = await deliver(input, { maxBytes }, [input.payload, padded, input.payload])
  for (const request of alone.transport.requests) {
    if (Buffer.byteLength(request.body ?? '', 'utf8') > maxBytes)
      problems.push(
        `with maxBytes ${maxBytes}, a request of ${Buffer.byteLength(request.body ?? '')} bytes was sent`,
      )
  }
  const [first, big, third] = alone.results
  if (big?.status !== 'failed' || big.attempts !== 1)
    problems.push('an event too large for any batch did not fail at once')
  if (first?.status !== 'succeeded' || third?.status !== 'succeeded')
    problems.push('the events next to one too large for any batch did not succeed')
  return problems
}
