import { KLAVIYO_ENDPOINT_LIMITS, KlaviyoStandIn } from '../lib/klaviyo-stand-in.js'
import { loadBuild } from '../lib/load-build.js'
import { generateLoyaltyEvents } from '../lib/loyalty-events.js'
import type { Suite } from '../lib/suite.js'

const API_KEY = 'pk_0123456789abcdef0123456789abcdef01'

interface Run {
  readonly events: number
  readonly requests: number
  readonly throttled: number
  readonly received: number
  readonly succeeded: number
  readonly wallMs: number
}

/** Emits `count` loyalty events to one Klaviyo integration on the stand-in, and waits for every delivery. */
async function run(count: number, batched: boolean): Promise<Run> {
  const { eventrouter } = await loadBuild()
  const standIn = new KlaviyoStandIn()
  const baseUrl = await standIn.listen()
  const transport = eventrouter.kyTransport({ allowedAddresses: ['127.0.0.1'] })
  const router = new eventrouter.EventRouter({
    adapters: [eventrouter.klaviyoAdapter()],
    transport,
    maxPending: count + 1,
    circuitBreaker: false,
  })
  router.integrations.add({
    id: 'klaviyo',
    type: 'klaviyo',
    config: { apiKey: API_KEY, baseUrl },
    // The adapter's own pacing either way: Create Event's 350/s and 3,500/min, or (batched)
    // Bulk Create Events' 10/s and 150/min.
    ...(batched ? {} : { batching: { enabled: false } }),
  })
  router.subscriptions.create({ event: 'wallet.coins_rewarded', integrationId: 'klaviyo' })
  let succeeded = 0
  router.on('deliverySucceeded', () => {
    succeeded++
  })
  const events = generateLoyaltyEvents(count)
  const started = performance.now()
  for (const [index, event] of events.entries()) {
    // 5,000 customers: Klaviyo profiles, by email, as a loyalty platform's nightly run would have.
    router.emit('wallet.coins_rewarded', {
      ...event,
      customer: { ...event.customer, email: `c${index % 5000}@example.com` },
    })
  }
  await router.onIdle()
  const wallMs = performance.now() - started
  await router.close()
  await transport.close()
  await standIn.close()
  const path = batched ? '/api/event-bulk-create-jobs' : '/api/events'
  const counts = standIn.counts[path]
  return {
    events: count,
    requests: counts.requests,
    throttled: counts.throttled,
    received: standIn.uniqueIds.size,
    succeeded,
    wallMs,
  }
}

/**
 * 100,000 loyalty events to a loopback Klaviyo stand-in that enforces both endpoints' published
 * limits, batched (Bulk Create Events) against unbatched (Create Event), in one run. The
 * unbatched run at 3,500 per minute would take about 28 minutes for 100,000 events: it is
 * measured on 3,500 events (what one steady minute allows) and extrapolated with the formula
 * printed, which the steady limit makes exact: each further 3,500 events wait for the next minute.
 */
export const batchingSuite: Suite = {
  name: 'batching',
  description: 'Klaviyo, 100,000 events: Bulk Create Events (batched) vs Create Event (one request each)',
  async run({ quick }) {
    const total = quick ? 2_000 : 100_000
    const single = KLAVIYO_ENDPOINT_LIMITS['/api/events']
    const sample = quick ? 350 : single.steady
    const batched = await run(total, true)
    const unbatched = await run(sample, false)
    // Unbatched for `total`: one request per event; every full steady window of 3,500 requests
    // but the last is followed by the wait to the next minute; the last window takes what the
    // measured sample took (the burst limit, 350/s, paces it).
    const windows = Math.ceil(total / single.steady)
    const extrapolatedMs =
      (windows - 1) * 60_000 + unbatched.wallMs * ((total - (windows - 1) * single.steady) / sample)
    const formula = `T(${total}) = (ceil(${total} / ${single.steady}) - 1) x 60 s + ${(unbatched.wallMs / 1000).toFixed(1)} s x (${total - (windows - 1) * single.steady} / ${sample}) = ${(extrapolatedMs / 1000).toFixed(0)} s`
    const requestsUnbatched = total // one Create Event request per event, by construction
    const rows = [
      {
        contender: 'batched: Bulk Create Events (measured)',
        events: total,
        requests: batched.requests,
        '429s': batched.throttled,
        received: batched.received,
        'wall s': (batched.wallMs / 1000).toFixed(1),
      },
      {
        contender: `unbatched: Create Event (measured on ${sample})`,
        events: sample,
        requests: unbatched.requests,
        '429s': unbatched.throttled,
        received: unbatched.received,
        'wall s': (unbatched.wallMs / 1000).toFixed(1),
      },
      {
        contender: `unbatched: Create Event (extrapolated to ${total})`,
        events: total,
        requests: requestsUnbatched,
        '429s': '-',
        received: '-',
        'wall s': (extrapolatedMs / 1000).toFixed(0),
      },
      {
        contender: 'batched advantage',
        events: total,
        requests: `${(requestsUnbatched / batched.requests).toFixed(0)}x fewer`,
        '429s': '-',
        received: '-',
        'wall s': `${(extrapolatedMs / batched.wallMs).toFixed(0)}x sooner`,
      },
    ]
    return {
      config: { total, sample, limits: KLAVIYO_ENDPOINT_LIMITS },
      tables: [{ title: 'Klaviyo stand-in on 127.0.0.1, published limits enforced (fixed windows)', rows }],
      results: { batched, unbatched, extrapolatedMs, formula },
      notes: [
        `unbatched extrapolation: ${formula}`,
        'both runs use the adapter pacing of their endpoint; limits are not scaled. The batched run is measured in full.',
        ...(batched.received === total && batched.succeeded === total
          ? []
          : [`batched run: ${batched.succeeded} succeeded, ${batched.received} received of ${total}`]),
      ],
    }
  },
}
