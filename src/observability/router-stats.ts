/** Deliveries that settled within a window. */
export interface OutcomeCounts {
  /** Deliveries the destination accepted. */
  readonly succeeded: number
  /** Deliveries that failed for good (retries exhausted, not retryable, parked, refused, shut down). */
  readonly failed: number
}

/** Percentiles of attempt latency, in ms (`null` when no attempt ended in the window). */
export interface LatencyPercentiles {
  /** The median: half of the attempts took at most this long. */
  readonly p50: number | null
  /** 95 % of the attempts took at most this long. */
  readonly p95: number | null
  /** 99 % of the attempts took at most this long. */
  readonly p99: number | null
}

/** One integration's figures in {@link RouterStats}. */
export interface IntegrationStats {
  /** The integration's id within its tenant. */
  readonly integrationId: string
  /** The tenant the integration belongs to, or `null` for the platform. */
  readonly tenant: string | null
  /** Its adapter type. */
  readonly type: string
  /** Whether it receives deliveries (`false`: disabled by you, or by a `410 Gone`). */
  readonly enabled: boolean
  /** Deliveries to it accepted and not settled: in the store, queued, in flight or waiting to retry. */
  readonly pending: number
  /** Attempts to it being made right now (requests sent, no answer yet). */
  readonly inFlight: number
  /** Deliveries settled in the last 60 seconds (to the second). */
  readonly lastMinute: OutcomeCounts
  /** Deliveries settled in the last 60 minutes (to the minute). */
  readonly lastHour: OutcomeCounts
  /**
   * Latency of its attempts (each try, failed ones included) that ended in the last 5 minutes (to
   * the minute), from a logarithmic histogram: within about 5 % of the exact value.
   */
  readonly latencyMs: LatencyPercentiles
  /** Its circuit breaker: `closed` (deliveries go), `open` (parked until a probe), `half-open` (a probe is out). */
  readonly circuit: 'closed' | 'open' | 'half-open'
  /** Until when the destination asked not to be sent anything (a 429), ISO-8601; `null` when not paused. */
  readonly pausedUntil: string | null
}

/**
 * What `router.stats()` (or a tenant view's `stats()`) returns: a plain JSON snapshot, cheap to
 * take (no store call, no sort), made to be polled by a dashboard once a second.
 */
export interface RouterStats {
  /** When the snapshot was taken, ISO-8601. */
  readonly at: string
  /** The scope's integrations, in the order they were added. */
  readonly integrations: readonly IntegrationStats[]
}
