// How the adapters' URL config fields (`url`, `webhookUrl`, `baseUrl`, `restEndpoint`) are
// read and stored. One rule for all of them: the value is parsed by the WHATWG URL parser,
// the parser Node's fetch (and so every transport) uses, and its serialisation, `href`, is
// what the integration stores, what the SSRF guard checks and what is sent. So an
// internationalised host name is kept in its ASCII (punycode) form, `https://例え.jp/h`
// becomes `https://xn--r8jz45g.jp/h`, and what `integrations.get()` shows is exactly the
// address the router contacts (IDNA maps some characters away, e.g. a zero-width space:
// the stored form does not hide that).

/** Whitespace (Unicode included) or control characters: never part of a URL anyone meant. */
const WHITESPACE_OR_CONTROL = /[\s\p{Cc}]/u
// The host part of an absolute http(s) URL as written, before parsing.
const RAW_AUTHORITY = /^[a-z][a-z0-9+.-]*:\/\/([^/?#\\]*)/i
// RFC 1035 §2.3.4 (and RFC 5890 for IDN A-labels): a label is 1 to 63 octets, a name at most
// 253 characters in its text form. A longer name cannot be resolved, so it can never be sent.
const MAX_LABEL = 63
const MAX_NAME = 253

/** Whether `value` holds whitespace or control characters (checked before parsing, which would strip some). */
export function hasWhitespaceOrControl(value: string): boolean {
  return WHITESPACE_OR_CONTROL.test(value)
}

/** The parsed URL, or `undefined` when the WHATWG parser refuses `value`. */
export function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value)
  } catch {
    return undefined
  }
}

/**
 * Why the WHATWG parser refused `value`, when the cause is its host name: a non-ASCII name
 * that IDNA cannot convert to punycode (a disallowed character, a misplaced joiner) or an
 * `xn--` label that is not valid punycode. `undefined` when the host is not the reason
 * known. Never echoes the value.
 */
export function describeUnparsableHost(field: string, value: string): string | undefined {
  const authority = RAW_AUTHORITY.exec(value)?.[1]
  if (authority === undefined) return undefined
  const host = authority.slice(authority.lastIndexOf('@') + 1)
  if (/\P{ASCII}/u.test(host) || /(^|\.)xn--/i.test(host)) {
    return `Expected \`${field}\` to have a valid host name: it could not be converted to its ASCII (punycode) form, so it cannot be sent (IDNA, UTS #46). Check it for characters that domain names do not allow.`
  }
  return undefined
}

/**
 * Why the parsed host name of `url` can never be resolved (an empty label, a label over 63
 * characters or a name over 253 once in punycode form), or `undefined`. IP addresses pass.
 */
export function describeHostNameProblem(field: string, url: URL): string | undefined {
  const { hostname } = url
  if (hostname.startsWith('[') || /^[\d.]+$/.test(hostname)) return undefined
  const name = hostname.endsWith('.') ? hostname.slice(0, -1) : hostname
  const labels = name.split('.')
  if (name.length > MAX_NAME || labels.some((label) => label.length === 0 || label.length > MAX_LABEL)) {
    return `Expected \`${field}\` to have a host name that DNS can resolve: in its ASCII (punycode) form each dot-separated label must have 1 to ${MAX_LABEL} characters and the whole name at most ${MAX_NAME}.`
  }
  return undefined
}

/**
 * The stored form of a URL field: `new URL(value).href`, with the host in punycode, non-ASCII
 * path and query characters percent-encoded (UTF-8), the scheme and host lower-cased, a
 * default port dropped and an empty path written `/`. Idempotent, so a stored config parses
 * to itself again (updates, snapshots). Returns `value` unchanged if it does not parse (the
 * schema has refused it then).
 */
export function normalizeUrl(value: string): string {
  return parseUrl(value)?.href ?? value
}
