import { z } from 'zod'
import {
  describeHostNameProblem,
  describeUnparsableHost,
  hasWhitespaceOrControl,
  normalizeUrl,
  parseUrl,
} from './url-field.js'

/** How an adapter names its `baseUrl` in messages. */
export interface BaseUrlSchemaOptions {
  /** A valid value, quoted in the messages, e.g. `https://api.example.com`. */
  readonly example: string
  /** Where the credentials go instead, e.g. `the write key goes in \`writeKey\``. */
  readonly credentialsHint: string
}

/** Returns what is wrong with a `baseUrl`, or `undefined` when it is fine. Never echoes it. */
export function describeBaseUrlProblem(value: string, options: BaseUrlSchemaOptions): string | undefined {
  const expected = `Expected \`baseUrl\` to be an absolute http(s) URL such as \`${options.example}\`.`
  if (hasWhitespaceOrControl(value)) return expected
  const url = parseUrl(value)
  if (url === undefined) return describeUnparsableHost('baseUrl', value) ?? expected
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return expected
  if (url.username !== '' || url.password !== '') {
    return `Expected \`baseUrl\` without credentials (\`user:password@\`); ${options.credentialsHint}.`
  }
  if (url.search !== '' || url.hash !== '') return 'Expected `baseUrl` without a query or fragment.'
  return describeHostNameProblem('baseUrl', url)
}

/**
 * The zod schema of an adapter's `baseUrl` override: an absolute http(s) URL without
 * credentials, query or fragment. A path is allowed (a local stand-in may live under one);
 * trailing slashes are dropped when the request URL is built, see {@link joinBaseUrl}. The
 * stored value is the WHATWG serialisation (`new URL(value).href`: an internationalised
 * host in punycode, `https://api.example.com` as `https://api.example.com/`).
 */
export function baseUrlSchema(options: BaseUrlSchemaOptions) {
  return z
    .string({ error: 'Expected `baseUrl` to be a string.' })
    .superRefine((value, ctx) => {
      const problem = describeBaseUrlProblem(value, options)
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem })
    })
    .transform(normalizeUrl)
}

/** `baseUrl` (trailing slashes dropped) followed by `path`, which starts with `/`. */
export function joinBaseUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${path}`
}
