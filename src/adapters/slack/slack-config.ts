import { z } from 'zod'
import { isEventName } from '../../events/event-name.js'
import {
  describeHostNameProblem,
  describeUnparsableHost,
  hasWhitespaceOrControl,
  normalizeUrl,
  parseUrl,
} from '../shared/url-field.js'
import { parseSlackTemplate } from './slack-template.js'

/** The config of a Slack integration, as validated by the adapter's `configSchema`. */
export interface SlackConfig {
  /**
   * The incoming webhook URL Slack gave you (`https://hooks.slack.com/services/T…/B…/…`).
   * The URL is the credential: anyone holding it can post to the channel, so it is kept
   * out of errors, events and `toJSON()`. Any https URL is accepted (proxies, GovSlack),
   * and plain http only on `localhost` / `127.0.0.1` / `[::1]` for tests. Stored in its WHATWG
   * form (`new URL(value).href`: an internationalised host in punycode), which is what is sent.
   */
  readonly webhookUrl: string
  /**
   * The message text. Placeholders: `{{name}}` (outgoing event name), `{{id}}` (event id),
   * `{{occurredAt}}` (ISO 8601) and `{{data.<payload path>}}`. Values are escaped; the
   * template's own text may use Slack formatting (`*bold*`, `<url|link>`, `<!here>`).
   * @default '*{{name}}* for {{data.customer.email}}'
   */
  readonly template?: string | undefined
  /**
   * Templates for particular events, by the name they are emitted with (without the
   * subscription's prefix), e.g. `{ 'wallet.coins_rewarded': '{{data.customer.name}} earned {{data.coins}} coins' }`.
   * Events not listed use `template`.
   */
  readonly templates?: Readonly<Record<string, string>> | undefined
  /**
   * What a placeholder whose value is missing or `null` shows.
   * @default '—'
   */
  readonly missingValue?: string | undefined
}

/** Defaults applied when a request is built (the stored config keeps what was given). */
export const SLACK_DEFAULTS = Object.freeze({
  template: '*{{name}}* for {{data.customer.email}}',
  missingValue: '—',
})

/**
 * Slack truncates message text beyond 40,000 characters, incoming webhooks included
 * (api.slack.com/changelog/2018-04-truncating-really-long-messages); a longer template could
 * never render a whole message.
 */
export const SLACK_MAX_TEMPLATE_LENGTH = 40_000

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/** Returns what is wrong with a webhook URL, or `undefined` when it is fine. Never echoes it. */
function describeWebhookUrlProblem(value: string): string | undefined {
  const expected =
    'Expected `webhookUrl` to be the https URL of a Slack incoming webhook, like `https://hooks.slack.com/services/T…/B…/…`.'
  if (hasWhitespaceOrControl(value)) return 'Expected `webhookUrl` without whitespace or control characters.'
  const url = parseUrl(value)
  if (url === undefined) return describeUnparsableHost('webhookUrl', value) ?? expected
  if (url.username !== '' || url.password !== '') return 'Expected `webhookUrl` without `user:password@`.'
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
    return 'Expected `webhookUrl` to use https: plain http is only allowed on localhost, for tests.'
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return expected
  return describeHostNameProblem('webhookUrl', url)
}

function template(field: string) {
  return z
    .string({ error: `Expected \`${field}\` to be a string.` })
    .min(
      1,
      `Expected \`${field}\` to be a non-empty template such as \`*{{name}}* for {{data.customer.email}}\`.`,
    )
    .max(SLACK_MAX_TEMPLATE_LENGTH, `Expected \`${field}\` to be at most 40000 characters.`)
    .superRefine((value, ctx) => {
      try {
        parseSlackTemplate(value)
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `Invalid \`${field}\`: ${(error as Error).message}` })
      }
    })
}

/** The zod schema of {@link SlackConfig}. */
export const slackConfigSchema: z.ZodType<SlackConfig> = z.strictObject({
  webhookUrl: z
    .string({ error: 'Expected `webhookUrl` to be a string.' })
    .superRefine((value, ctx) => {
      const problem = describeWebhookUrlProblem(value)
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem })
    })
    // Stored as sent (WHATWG `href`, host in punycode): the secret values scrubbed from
    // errors are the stored ones, so they must be the exact text that goes on the wire.
    .transform(normalizeUrl),
  template: template('template').optional(),
  templates: z
    .record(z.string(), template('templates'), {
      error: 'Expected `templates` to map event names to templates.',
    })
    .superRefine((templates, ctx) => {
      for (const name of Object.keys(templates)) {
        if (!isEventName(name)) {
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message:
              'Expected an event name such as `wallet.coins_rewarded` (without the subscription prefix).',
          })
        }
      }
    })
    .optional(),
  missingValue: z
    .string({ error: 'Expected `missingValue` to be a string.' })
    .max(100, 'Expected `missingValue` to be at most 100 characters.')
    .optional(),
})
