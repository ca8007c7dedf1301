import { h } from './dom.js'
import { formatNumber } from './format.js'

/** What `POST subscriptions/:id/test` answers (`TestSendResult`), as far as the page reads it. */
interface TestSendAnswer {
  readonly result: {
    readonly status: 'succeeded' | 'failed'
    readonly attempts: number
    readonly durationMs: number
    readonly responseStatus?: number
    readonly reason?: string
    readonly error?: { readonly message?: string }
  }
  readonly request: { readonly method: string; readonly url: string } | null
  readonly response: { readonly status: number; readonly bodyExcerpt: string } | null
}

/** The outcome of a test send: delivered or not, the request's target and the response. */
export function testSendResult(answer: TestSendAnswer): HTMLElement {
  const { result, request, response } = answer
  const ok = result.status === 'succeeded'
  return h(
    'div',
    { class: ok ? 'outcome ok' : 'outcome failed' },
    h(
      'p',
      {},
      h('strong', {}, ok ? 'Delivered' : 'Not delivered'),
      ok
        ? ` — HTTP ${result.responseStatus ?? '?'} in ${formatNumber(result.durationMs, ' ms')}`
        : ` — ${result.reason ?? 'failed'}: ${result.error?.message ?? ''}`,
    ),
    request && h('p', { class: 'hint' }, `${request.method} ${request.url}`),
    response && response.bodyExcerpt !== '' && h('pre', { class: 'code' }, response.bodyExcerpt),
  )
}
