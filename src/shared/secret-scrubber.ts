import { Buffer } from 'node:buffer'

/** What secret values are replaced with wherever the router hands out text. */
export const REDACTED = '[REDACTED]'

/** Shortest secret value looked for: shorter strings would redact ordinary words. */
export const MIN_SECRET_LENGTH = 4

/** Shortest base64 run searched for inside longer encodings: shorter runs occur by chance. */
const MIN_ENCODED_LENGTH = 8

/**
 * Replaces an integration's credentials in any text, in every form they travel in: the literal
 * value (a bare token, `Bearer <token>`, a key inside a URL), URL-encoded (`encodeURIComponent`,
 * and `+` for spaces as forms do), JSON-escaped, and base64 or base64url, alone or inside a
 * longer encoding such as HTTP Basic `base64(user:secret)` or `base64(writeKey:)`. A value with
 * a short type prefix (`whsec_…`, `pk_…`) is also found without it, and a secret URL (a Slack
 * incoming webhook) by its path.
 *
 * Base64 inside a longer string depends on the secret's offset modulo 3, so each secret is
 * encoded at the three alignments and the part that depends on its bytes alone is searched for:
 * that finds it whatever surrounds it, at the cost of leaving up to two characters at each edge.
 */
export class SecretScrubber {
  /** A scrubber that knows no secret: returns text unchanged. */
  static readonly NONE: SecretScrubber = new SecretScrubber([])

  readonly #pattern: RegExp | undefined

  /** @param secrets the credential values; those shorter than {@link MIN_SECRET_LENGTH} are ignored */
  constructor(secrets: readonly string[]) {
    const forms = new Set<string>()
    for (const secret of secrets) {
      if (secret.length >= MIN_SECRET_LENGTH) for (const form of formsOf(secret)) forms.add(form)
    }
    // Longest first: a secret containing another is replaced whole.
    const sorted = [...forms].sort((a, b) => b.length - a.length)
    this.#pattern = sorted.length === 0 ? undefined : new RegExp(sorted.map(escapeRegExp).join('|'), 'g')
  }

  /** Whether this scrubber knows at least one secret. */
  get active(): boolean {
    return this.#pattern !== undefined
  }

  /** `text` with every known form of every secret replaced by {@link REDACTED}. */
  scrub(text: string): string {
    const pattern = this.#pattern
    if (pattern === undefined) return text
    pattern.lastIndex = 0
    return pattern.test(text) ? text.replace(pattern, REDACTED) : text
  }

  /** Whether `text` holds a known form of a secret. */
  finds(text: string): boolean {
    const pattern = this.#pattern
    if (pattern === undefined) return false
    pattern.lastIndex = 0
    return pattern.test(text)
  }

  /**
   * `error` if no secret appears in its message, stack or causes; otherwise a copy of the same
   * name with those scrubbed (and the same `code`, when it has one), so that what a transport
   * or adapter threw can be handed out as a `cause`.
   */
  scrubError(error: unknown, depth = 0): unknown {
    if (this.#pattern === undefined) return error
    if (!(error instanceof Error)) {
      return typeof error === 'string' ? this.scrub(error) : error
    }
    const cause: unknown = depth < 5 ? this.scrubError(error.cause, depth + 1) : undefined
    if (!this.finds(error.message) && !this.finds(error.stack ?? '') && cause === error.cause) return error
    const copy = new Error(this.scrub(error.message), cause === undefined ? undefined : { cause })
    copy.name = error.name
    copy.stack = this.scrub(error.stack ?? '')
    const code = (error as { code?: unknown }).code
    if (typeof code === 'string' || typeof code === 'number') Object.assign(copy, { code })
    return copy
  }
}

/** Every form of one secret to look for. */
function formsOf(secret: string): string[] {
  // A header value kept whole (`Bearer <token>`, `Basic <base64>`) travels as its credential too.
  const scheme = /^[A-Za-z][\w-]*\s+(\S{8,})$/.exec(secret)
  if (scheme?.[1]) {
    const credential = scheme[1]
    const decoded = /^basic$/i.test(secret.slice(0, 5))
      ? Buffer.from(credential, 'base64').toString('utf8')
      : ''
    const password = decoded.slice(decoded.indexOf(':') + 1)
    return [
      ...singleFormsOf(secret),
      ...singleFormsOf(credential),
      ...(password.length >= MIN_SECRET_LENGTH ? singleFormsOf(password) : []),
    ]
  }
  return singleFormsOf(secret)
}

function singleFormsOf(secret: string): string[] {
  const forms = [secret, encodeURIComponent(secret), encodeURIComponent(secret).replace(/%20/g, '+')]
  const escaped = JSON.stringify(secret).slice(1, -1)
  forms.push(escaped, escaped.replace(/\//g, '\\/'))
  // A typed prefix (`whsec_`, `pk_`, `sk_live_`) is often dropped when the key is quoted back.
  const prefixed = /^[a-z]{2,8}_(?:[a-z]{2,8}_)?(.{12,})$/.exec(secret)
  if (prefixed?.[1]) forms.push(prefixed[1])
  // A secret URL (a Slack webhook) is its path: a receiver quoting the path quotes the credential.
  if (/^https?:\/\//i.test(secret) && URL.canParse(secret)) {
    const { pathname, search } = new URL(secret)
    const tail = pathname.slice(pathname.lastIndexOf('/') + 1)
    for (const part of [pathname + search, pathname, tail]) if (part.length >= 12) forms.push(part)
  }
  const bytes = Buffer.from(secret, 'utf8')
  // The exact encodings, padding included: `Basic base64(secret)`, `base64(writeKey:)`.
  forms.push(base64(bytes), base64(Buffer.concat([bytes, Buffer.from(':')])))
  for (let skip = 0; skip < 3; skip++) {
    const core = alignedCore(bytes.subarray(skip))
    if (core.length >= MIN_ENCODED_LENGTH) forms.push(core, toBase64Url(core))
  }
  return forms.filter((form) => form.length >= MIN_SECRET_LENGTH)
}

/** The base64 characters that depend on `bytes` alone, when they start on a 3-byte boundary. */
function alignedCore(bytes: Uint8Array): string {
  const whole = bytes.length - (bytes.length % 3)
  return base64(bytes.subarray(0, whole))
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64')
}

function toBase64Url(value: string): string {
  return value.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
