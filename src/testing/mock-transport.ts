import type {
  Transport,
  TransportRequest,
  TransportResponse,
  TransportSendOptions,
} from '../transport/transport.js'

/**
 * One scripted answer of a {@link MockTransport}:
 * - `{ status, body?, headers?, delayMs? }` answers that HTTP response (`body` objects are JSON-encoded);
 * - `{ networkError: true | message }` rejects like fetch does when the connection fails;
 * - `{ hang: true }` never answers: the request stays open until its signal aborts (TTL, shutdown).
 */
export type MockAnswer =
  | {
      /** HTTP status of the response. */
      readonly status: number
      /** Response body: text as it is, an object or array JSON-encoded. @default '' */
      readonly body?: string | Record<string, unknown> | readonly unknown[]
      /** Response headers. @default {} */
      readonly headers?: Readonly<Record<string, string>>
      /** Answer after this many ms (fake timers apply). @default 0 */
      readonly delayMs?: number
    }
  | {
      /** Reject as fetch does when the connection fails, with this message (`true`: a default one). */
      readonly networkError: true | string
    }
  | {
      /** Never answer: the request stays open until its signal aborts. */
      readonly hang: true
    }

/** A request the mock transport received. */
export interface RecordedRequest extends TransportRequest {
  /** When it was received (`Date.now()`, so fake timers apply). */
  readonly receivedAt: number
  /** The signal it was sent with: `signal.aborted` tells whether it was aborted. */
  readonly signal: AbortSignal
  /** The body parsed as JSON. Throws if the body is not JSON. */
  json<T = unknown>(): T
}

/** Which requests a script applies to: a URL prefix, a RegExp on the URL, or a predicate. */
export type RequestMatcher = string | RegExp | ((request: TransportRequest) => boolean)

/** Answers for the requests a matcher selects: queued answers first, then the default. */
export class MockScript {
  readonly #queue: MockAnswer[] = []
  #fallback: MockAnswer | undefined
  readonly #parent: MockScript | undefined

  /** @internal */
  constructor(fallback: MockAnswer | undefined, parent?: MockScript) {
    this.#fallback = fallback
    this.#parent = parent
  }

  /** Answers every request (after the queued ones) with `answer`; a number is a bare status. */
  respondWith(answer: MockAnswer | number): this {
    this.#fallback = typeof answer === 'number' ? { status: answer } : answer
    return this
  }

  /** Queues answers, used once each, in order, before the default. */
  enqueue(...answers: (MockAnswer | number)[]): this {
    for (const answer of answers) this.#queue.push(typeof answer === 'number' ? { status: answer } : answer)
    return this
  }

  /** Fails the next `times` requests with `answer`. @default answer { status: 500 } */
  failTimes(times: number, answer: MockAnswer | number = { status: 500 }): this {
    for (let i = 0; i < times; i++) this.enqueue(answer)
    return this
  }

  /** Makes the next `times` requests fail with a network error. */
  networkErrorTimes(times: number, message: string | true = true): this {
    return this.failTimes(times, { networkError: message })
  }

  /** Makes the next `times` requests hang until aborted. */
  hangTimes(times: number): this {
    return this.failTimes(times, { hang: true })
  }

  /** @internal */
  next(): MockAnswer {
    return this.#queue.shift() ?? this.#defaultAnswer()
  }

  // A when() script without its own respondWith() answers like the transport's default.
  #defaultAnswer(): MockAnswer {
    if (this.#fallback) return this.#fallback
    return this.#parent ? this.#parent.#defaultAnswer() : { status: 200 }
  }
}

/**
 * A transport for unit tests of host applications and adapters: records every request
 * and answers from a script instead of the network.
 *
 * @example
 * const transport = new MockTransport()
 * transport.failTimes(2, 503)                        // then the default: 200
 * transport.when('https://a.klaviyo.com').respondWith(202)
 * const router = new EventRouter({ adapters, transport, retry: { minTimeout: 0 } })
 * // ... emit, await router.onIdle()
 * expect(transport.requests).toHaveLength(3)
 */
export class MockTransport implements Transport {
  readonly #requests: RecordedRequest[] = []
  readonly #scripts: {
    readonly match: (request: TransportRequest) => boolean
    readonly script: MockScript
  }[] = []
  readonly #default: MockScript

  /** @param defaultAnswer what every request gets when nothing else is scripted @default { status: 200 } */
  constructor(defaultAnswer: MockAnswer | number = { status: 200 }) {
    this.#default = new MockScript(
      typeof defaultAnswer === 'number' ? { status: defaultAnswer } : defaultAnswer,
    )
  }

  /** Every request received so far, oldest first. */
  get requests(): readonly RecordedRequest[] {
    return this.#requests
  }

  /** A script for the requests `match` selects; scripts added earlier win. */
  when(match: RequestMatcher): MockScript {
    const script = new MockScript(undefined, this.#default)
    this.#scripts.push({ match: toPredicate(match), script })
    return script
  }

  /**
   * See {@link MockScript.respondWith}; applies to requests no `when()` script selects, and
   * to `when()` scripts without a `respondWith()` of their own.
   */
  respondWith(answer: MockAnswer | number): this {
    this.#default.respondWith(answer)
    return this
  }

  /** See {@link MockScript.enqueue}. */
  enqueue(...answers: (MockAnswer | number)[]): this {
    this.#default.enqueue(...answers)
    return this
  }

  /** See {@link MockScript.failTimes}. */
  failTimes(times: number, answer?: MockAnswer | number): this {
    this.#default.failTimes(times, answer)
    return this
  }

  /** See {@link MockScript.networkErrorTimes}. */
  networkErrorTimes(times: number, message?: string | true): this {
    this.#default.networkErrorTimes(times, message)
    return this
  }

  /** See {@link MockScript.hangTimes}. */
  hangTimes(times: number): this {
    this.#default.hangTimes(times)
    return this
  }

  /** Forgets the recorded requests (scripts stay). */
  clearRequests(): void {
    this.#requests.length = 0
  }

  /** Records the request and answers with the next scripted answer (a hang waits for `signal`). */
  async send(request: TransportRequest, { signal }: TransportSendOptions): Promise<TransportResponse> {
    const body = request.body
    this.#requests.push({
      ...request,
      headers: { ...request.headers },
      receivedAt: Date.now(),
      signal,
      json: <T>() => JSON.parse(body ?? '') as T,
    })
    const script = this.#scripts.find((entry) => entry.match(request))?.script ?? this.#default
    return answer(script.next(), signal)
  }
}

function answer(scripted: MockAnswer, signal: AbortSignal): Promise<TransportResponse> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason)
    let timer: ReturnType<typeof setTimeout> | undefined
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal.reason)
    }
    signal.addEventListener('abort', onAbort, { once: true })
    if ('hang' in scripted) return
    const finish = () => {
      signal.removeEventListener('abort', onAbort)
      if ('networkError' in scripted) {
        const detail = scripted.networkError === true ? 'connect ECONNREFUSED' : scripted.networkError
        reject(new TypeError('fetch failed', { cause: new Error(detail) }))
        return
      }
      const { body } = scripted
      const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body)
      const headers: Record<string, string> = {}
      for (const [name, value] of Object.entries(scripted.headers ?? {})) headers[name.toLowerCase()] = value
      if (typeof body === 'object' && headers['content-type'] === undefined)
        headers['content-type'] = 'application/json'
      resolve({ status: scripted.status, headers, body: text })
    }
    const delayMs = 'status' in scripted ? (scripted.delayMs ?? 0) : 0
    if (delayMs > 0) timer = setTimeout(finish, delayMs)
    else finish()
  })
}

function toPredicate(match: RequestMatcher): (request: TransportRequest) => boolean {
  if (typeof match === 'function') return match
  if (typeof match === 'string') return (request) => request.url.startsWith(match)
  // A g or y RegExp keeps lastIndex between test() calls: match with a stateless copy.
  const pattern = new RegExp(match.source, match.flags.replace(/[gy]/g, ''))
  return (request) => pattern.test(request.url)
}
