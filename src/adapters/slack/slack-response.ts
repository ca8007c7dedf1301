// Slack incoming webhook responses. Sources:
// - api.slack.com/changelog/2016-05-17-changes-to-errors-for-incoming-webhooks: plain-text
//   errors `invalid_payload` / `user_not_found` (400), `action_prohibited` (403),
//   `channel_not_found` (404), `channel_is_archived` (410), `rollup_error` (500), and
//   "interpret a HTTP 200 response as success";
// - slackhq/slack-api-docs, page_rate_limits.md: over "one message per second", "including
//   Incoming Webhooks, Slack will start returning a HTTP 429 Too Many Requests error ... and
//   a Retry-After header containing the number of seconds until you can retry";
// - docs.slack.dev/tools/python-slack-sdk/webhook: a success is 200 with body `ok`.
// Other error strings seen from revoked or misused webhooks (`no_service`, `invalid_token`,
// `no_active_hooks`, `no_text`, `posting_to_general_channel_denied`) get a hint too.
import { classifyHttpResponse } from '../../delivery/classify-http-response.js'
import type { TransportResponse } from '../../transport/transport.js'
import type { ResponseClassification } from '../adapter.js'
import { destinationReason } from '../shared/destination-reason.js'

const REVOKED =
  'the webhook URL was revoked or its Slack app removed; create a new webhook and update `webhookUrl`'

/** Errors after which the webhook URL can never work again: the router disables the integration. */
const GONE: ReadonlySet<string> = new Set([
  'no_service',
  'invalid_token',
  'no_active_hooks',
  'channel_not_found',
  'channel_is_archived',
])

/** What each known error string means for the integration owner. */
const HINTS: ReadonlyMap<string, string> = new Map([
  ['invalid_payload', 'Slack could not read the message body'],
  ['user_not_found', 'the user the webhook posts to does not exist'],
  ['action_prohibited', 'the workspace restricts posting through this webhook'],
  ['channel_not_found', "the webhook's channel no longer exists; create a new webhook"],
  ['channel_is_archived', "the webhook's channel is archived; unarchive it or create a new webhook"],
  ['posting_to_general_channel_denied', 'only some members may post in this channel'],
  ['no_text', 'the message had no text'],
  ['no_service', REVOKED],
  ['invalid_token', REVOKED],
  ['no_active_hooks', REVOKED],
  ['rollup_error', 'an error on Slack’s side'],
])

/** The error string of a Slack answer: plain text, or `error` of a JSON body. */
export function slackErrorText(body: string): string | undefined {
  const trimmed = body.trim()
  if (trimmed === '') return undefined
  try {
    const parsed: unknown = JSON.parse(trimmed)
    const error = (parsed as { error?: unknown } | null)?.error
    if (typeof error === 'string' && error.trim() !== '') return error.trim()
  } catch {
    // Plain text, as incoming webhooks answer.
  }
  return trimmed.replace(/\s+/g, ' ')
}

/**
 * Classifies an incoming webhook response. Any 2xx succeeds (Slack answers 200 `ok`).
 * Otherwise the default applies: 400, 403, 404 and 410 fail at once (a revoked webhook,
 * deleted or archived channel also disables the integration), 429 is retried after
 * `Retry-After`, 5xx such as 500 `rollup_error` with backoff. The reason carries Slack's
 * error string and what it means, trimmed to 300 characters; never the URL.
 */
export function classifySlackResponse(response: TransportResponse): ResponseClassification {
  const base = classifyHttpResponse(response)
  if (base.outcome === 'success') return base
  const error = slackErrorText(response.body)
  const hint = error === undefined ? undefined : HINTS.get(error)
  const reason = destinationReason([base.reason, error, hint])
  if (base.outcome === 'fail' && error !== undefined && GONE.has(error)) {
    return { outcome: 'fail', reason, disableIntegration: true }
  }
  return { ...base, reason }
}
