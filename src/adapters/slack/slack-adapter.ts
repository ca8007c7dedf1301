// Slack incoming webhooks. Sources:
// - api.slack.com/messaging/webhooks: `POST` a JSON body with `text` to the webhook URL;
//   "You cannot override the default channel (chosen by the user who installed your app),
//   username, or icon when you're using Incoming Webhooks", so `channel`, `username` and
//   `icon_emoji` are not offered;
// - slackhq/slack-api-docs, page_formatting.md (escaping) and page_rate_limits.md (one
//   message per second, 429 with Retry-After, "Continuing to send messages after being rate
//   limited runs the risk of having your application permanently disabled");
//   docs.slack.dev/apis/web-api/rate-limits ("Posting messages | 1 per second | Short bursts
//   >1 allowed. If you attempt bursts, there is no guarantee [...]"); responses: see
//   slack-response.ts.
// Incoming webhooks have no idempotency key: a retry after a lost `ok` posts the message
// twice.

import type { Adapter } from '../adapter.js'
import { defineAdapter } from '../define-adapter.js'
import { SLACK_DEFAULTS, type SlackConfig, slackConfigSchema } from './slack-config.js'
import { classifySlackResponse } from './slack-response.js'
import { parseSlackTemplate, renderSlackTemplate } from './slack-template.js'

/** Options of {@link slackAdapter}. */
export interface SlackAdapterOptions {
  /**
   * Type name integrations refer to. Change it to register a second Slack adapter next to
   * the default one.
   * @default 'slack'
   */
  readonly type?: string
}

/**
 * Slack's published limit for posting messages, incoming webhooks included: "no more than
 * one message per second", with short bursts allowed but not guaranteed
 * (slackhq/slack-api-docs, page_rate_limits.md; docs.slack.dev/apis/web-api/rate-limits).
 * Slack integrations are paced by it by default (`pacing.perSecond: 1`); override an
 * integration's `pacing` to change it.
 */
export const SLACK_RATE_LIMITS = Object.freeze({
  /** Posting a message (an incoming webhook's too). */
  postMessage: Object.freeze({
    /** Messages per window. */
    limit: 1,
    /** The window, in ms. */
    intervalMs: 1000,
  }),
})

/**
 * The Slack adapter: posts one message per event to an incoming webhook, its text rendered
 * from the integration's template (`templates[event name]`, else `template`). Values from
 * the event are escaped, so payload data cannot create links or mentions.
 *
 * @example
 * const router = new EventRouter({ adapters: [slackAdapter()] })
 * router.integrations.add({
 *   id: 'team-slack',
 *   type: 'slack',
 *   config: {
 *     webhookUrl: process.env.SLACK_WEBHOOK_URL,
 *     templates: { 'wallet.coins_rewarded': '{{data.customer.name}} earned *{{data.coins}}* coins' },
 *   },
 * })
 */
export function slackAdapter(options: SlackAdapterOptions = {}): Adapter<SlackConfig> {
  const { type = 'slack' } = options
  return defineAdapter({
    type,
    configSchema: slackConfigSchema,
    // The webhook URL is the credential: whoever has it can post to the channel.
    secretFields: ['webhookUrl'],
    // Slack may permanently disable an app that keeps sending after a 429, so stay at the
    // published rate rather than rely on 429s. The pacing windows are rolling counts, which
    // have no burst allowance that would not also allow a sustained rate above one per second.
    pacing: { perSecond: SLACK_RATE_LIMITS.postMessage.limit },
    buildRequest: ({ event, config }) => {
      const template =
        (config.templates !== undefined && Object.hasOwn(config.templates, event.name)
          ? config.templates[event.name]
          : undefined) ??
        config.template ??
        SLACK_DEFAULTS.template
      const text = renderSlackTemplate(
        parseSlackTemplate(template),
        event,
        config.missingValue ?? SLACK_DEFAULTS.missingValue,
      )
      if (text.trim() === '') {
        // Slack answers 400 `no_text` to a message without text.
        throw new Error(
          'The Slack message rendered to blank text (every placeholder empty?), so it was not sent; check `template` and `missingValue`.',
        )
      }
      return {
        method: 'POST',
        url: config.webhookUrl,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text }),
      }
    },
    classifyResponse: classifySlackResponse,
  })
}
