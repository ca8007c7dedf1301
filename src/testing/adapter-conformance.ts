import type { Adapter } from '../adapters/adapter.js'
import { ValidationError } from '../errors/validation-error.js'
import { secretValues } from '../integrations/redact-request.js'
import { EventRouter } from '../router/event-router.js'
import type { TransportResponse } from '../transport/transport.js'
import { checkBatchBehaviour } from './batch-conformance.js'
import { MockTransport } from './mock-transport.js'

/** Sample responses of the destination, one per class the router must tell apart. */
export interface ConformanceResponses {
  /** What the destination answers when it accepts an event. @default 200, empty body */
  success?: TransportResponse
  /** A client error: retrying cannot help. @default 400 */
  clientError?: TransportResponse
  /** Rate limited: retry later. @default 429 with `retry-after: 1` */
  rateLimited?: TransportResponse
  /** A server error: retry. @default 500 */
  serverError?: TransportResponse
}

/** What {@link checkAdapterConformance} checks an adapter with. */
export interface AdapterConformanceOptions {
  /** The adapter under test. */
  adapter: Adapter<unknown>
  /** A valid integration config, with realistic credentials (they are checked for leaks). */
  config: Record<string, unknown>
  /** Invalid configs, each with the config field its error must name (e.g. `apiKey`). */
  invalidConfigs: readonly {
    /** A config the adapter's `configSchema` must refuse. */
    config: Record<string, unknown>
    /** The config field its error must name, e.g. `apiKey`. */
    field: string
  }[]
  /** Payload the requests are built from. @default a loyalty "wallet coins rewarded" sample */
  payload?: Record<string, unknown>
  /**
   * Whether the request carries the delivery id as idempotency key (header, body or URL).
   * Set `false` for destinations with no such key; the check is then skipped.
   * @default true
   */
  idempotent?: boolean
  /** Sample responses; see {@link ConformanceResponses}. */
  responses?: ConformanceResponses
}

/** Outcome of one check. */
export interface ConformanceCheck {
  /** What was checked, e.g. `refuses invalid configs`. */
  readonly name: string
  /** Whether the adapter passed it. */
  readonly ok: boolean
  /** What went wrong (empty when ok). */
  readonly problems: readonly string[]
}

/** Outcome of {@link checkAdapterConformance}. */
export interface ConformanceReport {
  /** Whether every check passed. */
  readonly ok: boolean
  /** Every check made, in order. */
  readonly checks: readonly ConformanceCheck[]
}

const SAMPLE_PAYLOAD = {
  coins: 150,
  balance: 1350,
  reason: 'order',
  customer: {
    id: 'cus_981',
    name: 'Ana Lima',
    email: 'ana@example.com',
    mobile: '+919876543210',
    tier: 'gold',
  },
}

const RETRY_INSTANTLY = { retries: 1, minTimeout: 0, maxTimeout: 0, randomize: false }
const CREDENTIAL_NAME = /key|token|secret|password|passcode|credential/i
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const response = (status: number, headers: Record<string, string> = {}, body = ''): TransportResponse => ({
  status,
  headers,
  body,
})

/**
 * Runs the adapter conformance checks and returns a report; works in any test runner.
 * Checks: config validation errors name the field; the request is well formed; the
 * idempotency key is stable across attempts; secrets never appear in errors, lifecycle
 * events or `toJSON()`; 2xx/4xx/429/5xx are classified as success/fail/retry/retry. For an
 * adapter that batches: one request for many deliveries with an outcome per delivery, its
 * `maxItems` and `maxBytes` respected, an event too large for any batch failing alone.
 *
 * @example
 * it('conforms', async () => {
 *   await assertAdapterConformance({ adapter: myAdapter(), config: { apiKey: 'sk_live_123456' },
 *     invalidConfigs: [{ config: {}, field: 'apiKey' }] })
 * })
 */
export async function checkAdapterConformance(
  options: AdapterConformanceOptions,
): Promise<ConformanceReport> {
  const checks = [
    check('config: a valid config is accepted, invalid ones are rejected naming the field', () =>
      checkConfig(options),
    ),
    check('request: well formed (method, absolute URL, header names and values, JSON body)', () =>
      checkRequest(options),
    ),
    check('idempotency: the delivery id is sent on every attempt, unchanged', () =>
      checkIdempotency(options),
    ),
    check('secrets: never in errors, lifecycle events, get()/list() or toJSON()', () =>
      checkSecrets(options),
    ),
    check('classification: 2xx succeed, 4xx fail, 429 and 5xx retry', () => checkClassification(options)),
    ...(options.adapter.batching
      ? [
          check(
            'batching: one request for many deliveries, one outcome each, limits respected, an oversize event failing alone',
            () =>
              checkBatchBehaviour({
                adapter: options.adapter,
                config: options.config,
                payload: options.payload ?? SAMPLE_PAYLOAD,
                success: options.responses?.success ?? 200,
                idempotent: options.idempotent !== false,
              }),
          ),
        ]
      : []),
  ]
  const results = await Promise.all(checks)
  return { ok: results.every((result) => result.ok), checks: results }
}

/** Like {@link checkAdapterConformance}, but throws an Error listing every failed check. */
export async function assertAdapterConformance(options: AdapterConformanceOptions): Promise<void> {
  const report = await checkAdapterConformance(options)
  if (report.ok) return
  const lines = report.checks
    .filter((result) => !result.ok)
    .map((result) => `- ${result.name}:\n${result.problems.map((problem) => `    ${problem}`).join('\n')}`)
  throw new Error(`Adapter \`${options.adapter.type}\` does not conform:\n${lines.join('\n')}`)
}

async function check(name: string, run: () => Promise<string[]> | string[]): Promise<ConformanceCheck> {
  try {
    const problems = await run()
    return { name, ok: problems.length === 0, problems }
  } catch (error) {
    return { name, ok: false, problems: [`threw: ${error instanceof Error ? error.message : String(error)}`] }
  }
}

function setup(
  options: AdapterConformanceOptions,
  transport = new MockTransport(options.responses?.success ?? 200),
) {
  const router = new EventRouter({
    adapters: [options.adapter],
    transport,
    retry: RETRY_INSTANTLY,
    timeoutMs: 5000,
  })
  router.integrations.add({ id: 'conformance', type: options.adapter.type, config: options.config })
  router.subscriptions.create({ event: '*', integrationId: 'conformance', eventNamePrefix: 'Loyalty ' })
  return { router, transport }
}

function emitSample(router: EventRouter, options: AdapterConformanceOptions) {
  return router.emit('wallet.coins_rewarded', options.payload ?? SAMPLE_PAYLOAD, {
    id: 'evt_conformance_1',
    occurredAt: '2026-11-01T10:00:00.000Z',
  })
}

function checkConfig(options: AdapterConformanceOptions): string[] {
  const problems: string[] = []
  const parsed = options.adapter.configSchema.safeParse(options.config)
  if (!parsed.success) problems.push(`the valid config was rejected: ${parsed.error.message}`)
  if (options.invalidConfigs.length === 0) problems.push('no invalid configs given: pass at least one')
  const router = new EventRouter({ adapters: [options.adapter], transport: new MockTransport() })
  for (const [index, invalid] of options.invalidConfigs.entries()) {
    try {
      router.integrations.add({ type: options.adapter.type, config: invalid.config })
      problems.push(`invalidConfigs[${index}] was accepted`)
    } catch (error) {
      if (!(error instanceof ValidationError)) {
        problems.push(`invalidConfigs[${index}] threw ${describeError(error)}, not a ValidationError`)
        continue
      }
      const expected = `config.${invalid.field}`
      if (!error.issues.some((issue) => issue.path === expected || issue.path.startsWith(`${expected}.`))) {
        problems.push(
          `invalidConfigs[${index}]: no issue names \`${expected}\` (got ${error.issues.map((i) => `\`${i.path}\``).join(', ')})`,
        )
      }
      if (error.issues.some((issue) => issue.message.trim().length < 5)) {
        problems.push(`invalidConfigs[${index}]: an issue has no real message: ${error.message}`)
      }
    }
  }
  return problems
}

async function checkRequest(options: AdapterConformanceOptions): Promise<string[]> {
  const { router, transport } = setup(options)
  const [result] = await emitSample(router, options).settled
  const request = transport.requests[0]
  if (!request)
    return [`no request was sent (${result?.status === 'failed' ? result.error.message : 'no delivery'})`]
  const problems: string[] = []
  if (!['POST', 'PUT', 'PATCH', 'GET', 'DELETE'].includes(request.method))
    problems.push(`method ${request.method}`)
  try {
    const url = new URL(request.url)
    if (url.protocol !== 'https:' && url.protocol !== 'http:') problems.push(`URL scheme ${url.protocol}`)
  } catch {
    problems.push('the URL is not absolute')
  }
  for (const [name, value] of Object.entries(request.headers)) {
    if (!HEADER_NAME.test(name)) problems.push(`invalid header name \`${name}\``)
    if (typeof value !== 'string' || /[\r\n\0]/.test(value))
      problems.push(`invalid value of header \`${name}\``)
  }
  const contentType = Object.entries(request.headers).find(
    ([name]) => name.toLowerCase() === 'content-type',
  )?.[1]
  if (request.body !== undefined && contentType?.includes('json')) {
    try {
      JSON.parse(request.body)
    } catch {
      problems.push('content-type says JSON but the body is not JSON')
    }
  }
  if (request.method !== 'GET' && request.body !== undefined && !contentType)
    problems.push('a body without content-type')
  return problems
}

async function checkIdempotency(options: AdapterConformanceOptions): Promise<string[]> {
  if (options.idempotent === false) return []
  const transport = new MockTransport(options.responses?.success ?? 200).failTimes(1, 503)
  const { router } = setup(options, transport)
  const receipt = emitSample(router, options)
  await receipt.settled
  const deliveryId = receipt.deliveries[0]?.id ?? ''
  const [first, second] = transport.requests
  if (!first || !second) return [`expected 2 attempts, saw ${transport.requests.length}`]
  const problems: string[] = []
  for (const [index, request] of [first, second].entries()) {
    const text = `${request.url}\n${JSON.stringify(request.headers)}\n${request.body ?? ''}`
    if (!text.includes(deliveryId)) problems.push(`attempt ${index + 1} does not carry the delivery id`)
  }
  if (first.url !== second.url) problems.push('the URL changed between attempts')
  return problems
}

async function checkSecrets(options: AdapterConformanceOptions): Promise<string[]> {
  const secrets = secretValues(options.config, options.adapter.secretFields)
  const undeclared = Object.keys(options.config).filter(
    (key) => CREDENTIAL_NAME.test(key) && !options.adapter.secretFields.includes(key),
  )
  if (undeclared.length > 0) {
    return [
      `config field(s) ${undeclared.map((k) => `\`${k}\``).join(', ')} look like credentials but are not in secretFields`,
    ]
  }
  if (secrets.length === 0 && options.adapter.secretFields.length > 0) {
    return ['the config given has no value in any of the secret fields: give realistic credentials']
  }
  const transport = new MockTransport()
  transport.enqueue(500, { networkError: true }, 400, 429, { hang: true }, 503)
  const router = new EventRouter({
    adapters: [options.adapter],
    transport,
    timeoutMs: 20,
    retry: { retries: 2, minTimeout: 0, maxTimeout: 0, randomize: false },
  })
  const seen: string[] = []
  const listen = (value: unknown) => {
    seen.push(serialize(value))
  }
  for (const name of [
    'deliverySucceeded',
    'attemptFailed',
    'deliveryFailed',
    'eventSkipped',
    'error',
  ] as const) {
    router.on(name, listen)
  }
  router.integrations.add({ id: 'conformance', type: options.adapter.type, config: options.config })
  router.subscriptions.create({ event: '*', integrationId: 'conformance' })
  for (let i = 0; i < 2; i++) emitSample(router, options)
  await router.onIdle()
  for (const bad of options.invalidConfigs) {
    try {
      router.integrations.add({ type: options.adapter.type, config: { ...options.config, ...bad.config } })
    } catch (error) {
      listen(error)
    }
  }
  seen.push(serialize(router.toJSON()), serialize(router.integrations.list()))
  const problems: string[] = []
  for (const secret of secrets) {
    if (seen.some((text) => text.includes(secret))) {
      problems.push(`a secret (${secret.slice(0, 3)}…) appears in an error, a lifecycle event or toJSON()`)
    }
  }
  return problems
}

function checkClassification(options: AdapterConformanceOptions): string[] {
  const responses = options.responses ?? {}
  const expectations: [string, TransportResponse, string][] = [
    ['2xx', responses.success ?? response(200), 'success'],
    ['4xx', responses.clientError ?? response(400, {}, '{"error":"bad request"}'), 'fail'],
    ['429', responses.rateLimited ?? response(429, { 'retry-after': '1' }), 'retry'],
    ['5xx', responses.serverError ?? response(500), 'retry'],
    ['503', response(503), 'retry'],
  ]
  const context = {
    event: {
      id: 'evt_conformance_1',
      name: 'wallet.coins_rewarded',
      outgoingName: 'wallet.coins_rewarded',
      payload: options.payload ?? SAMPLE_PAYLOAD,
      occurredAt: new Date('2026-11-01T10:00:00.000Z'),
    },
    config: options.adapter.configSchema.parse(options.config),
    delivery: {
      id: 'dlv_conformance_1',
      tenant: null,
      eventId: 'evt_conformance_1',
      eventName: 'wallet.coins_rewarded',
      outgoingName: 'wallet.coins_rewarded',
      subscriptionId: 'sub',
      integrationId: 'conformance',
      integrationType: options.adapter.type,
    },
    attempt: 1,
  }
  const problems: string[] = []
  for (const [label, sample, expected] of expectations) {
    const outcome = options.adapter.classifyResponse(sample, context).outcome
    if (outcome !== expected)
      problems.push(`${label} (${sample.status}) classified as ${outcome}, expected ${expected}`)
  }
  return problems
}

function serialize(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner instanceof Error
      ? { ...inner, name: inner.name, message: inner.message, cause: inner.cause }
      : inner,
  )
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}
