// Slack message templates. Escaping follows Slack's formatting reference
// (slackhq/slack-api-docs, page_formatting.md, "How to escape characters"): "There are three
// characters you must convert to HTML entities and only three: &, <, and >" ... "Don't HTML
// entity-encode the entire message". Slack uses `<...>` for links and mentions (`<@U123>`,
// `<!here>`), so escaping substituted values keeps payload data from creating either.

import type { RoutedEvent } from '../../events/routed-event.js'
import { PAYLOAD_PATH, readPath } from '../shared/payload-path.js'

/** One piece of a parsed template: literal text, or a placeholder to fill in. */
export type SlackTemplatePart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'name' | 'id' | 'occurredAt' }
  | { readonly kind: 'data'; readonly path: string }

/** The placeholders a template may use. */
export const SLACK_PLACEHOLDERS = '`{{name}}`, `{{id}}`, `{{occurredAt}}` or `{{data.<payload path>}}`'

const ROOTS = new Set(['name', 'id', 'occurredAt'])

const shorten = (value: string): string => (value.length > 40 ? `${value.slice(0, 40)}…` : value)

/**
 * Parses a template such as `'{{name}}: {{data.customer.email}} earned {{data.coins}}'`.
 * Placeholders are `{{name}}` (the outgoing event name), `{{id}}` (the event id),
 * `{{occurredAt}}` (ISO 8601) and `{{data.<dotted path>}}` (a payload value); spaces inside
 * the braces are allowed. Throws an Error saying what is wrong and where: an unclosed `{{`,
 * a `}}` with no `{{`, or an unknown placeholder.
 */
export function parseSlackTemplate(template: string): SlackTemplatePart[] {
  const parts: SlackTemplatePart[] = []
  let index = 0
  while (index < template.length) {
    const open = template.indexOf('{{', index)
    const close = template.indexOf('}}', index)
    if (close !== -1 && (open === -1 || close < open)) {
      throw new Error(`\`}}\` at position ${close} closes no \`{{\`.`)
    }
    if (open === -1) {
      parts.push({ kind: 'text', text: template.slice(index) })
      break
    }
    if (open > index) parts.push({ kind: 'text', text: template.slice(index, open) })
    const end = template.indexOf('}}', open + 2)
    if (end === -1) throw new Error(`\`{{\` at position ${open} is never closed with \`}}\`.`)
    const inner = template.slice(open + 2, end).trim()
    if (ROOTS.has(inner)) {
      parts.push({ kind: inner as 'name' | 'id' | 'occurredAt' })
    } else if (inner.startsWith('data.') && PAYLOAD_PATH.test(inner.slice(5)) && !/[{}]/.test(inner)) {
      parts.push({ kind: 'data', path: inner.slice(5) })
    } else {
      throw new Error(
        `Unknown placeholder \`{{${shorten(inner)}}}\` at position ${open}; use ${SLACK_PLACEHOLDERS}.`,
      )
    }
    index = end + 2
  }
  return parts
}

/** Escapes Slack's three control characters, `&`, `<` and `>`, and nothing else. */
export function escapeSlackText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** A payload value as message text: strings as they are, objects and arrays as JSON. */
function toText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value === 'string') return value
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

/** The raw value of one placeholder for an event, or `undefined` when it has none. */
function placeholderValue(
  part: Exclude<SlackTemplatePart, { kind: 'text' }>,
  event: RoutedEvent,
): string | undefined {
  switch (part.kind) {
    case 'name':
      return event.outgoingName
    case 'id':
      return event.id
    case 'occurredAt':
      return event.occurredAt.toISOString()
    case 'data':
      return toText(readPath(event.payload, part.path))
  }
}

/**
 * Fills in a parsed template for one event. Substituted values are escaped (see
 * {@link escapeSlackText}); a missing or `null` value renders as `missingValue` (escaped
 * too). Literal template text is sent as written, so it may use Slack formatting such as
 * `*bold*`, `<https://example.com|links>` or `<!here>`.
 */
export function renderSlackTemplate(
  parts: readonly SlackTemplatePart[],
  event: RoutedEvent,
  missingValue: string,
): string {
  return parts
    .map((part) =>
      part.kind === 'text' ? part.text : escapeSlackText(placeholderValue(part, event) ?? missingValue),
    )
    .join('')
}
