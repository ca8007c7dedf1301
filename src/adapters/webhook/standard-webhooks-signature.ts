import { createHmac } from 'node:crypto'

// Standard Webhooks, "Signature scheme" table: symmetric secrets are serialized as base64
// "prefixed with `whsec_`"; `whsk_`/`whpk_` are the asymmetric (ed25519) key pair.
const SECRET_PREFIX = 'whsec_'
const ASYMMETRIC_PREFIXES = ['whsk_', 'whpk_'] as const

// Standard base64 with `=` padding, nothing else. The official verifiers decode the secret
// with a strict decoder (`@stablelib/base64` rejects `-`, `_`, whitespace and missing
// padding), so a secret Node's lenient `Buffer.from(..., 'base64')` would accept could
// still be unusable on the consumer's side.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

// Standard Webhooks, "Signature scheme" table: the signing secret is "Random. At least 24
// bytes (192 bits, 512 maximum)". We enforce both bounds rather than a laxer 16-byte floor:
// the spec states the minimum as a requirement, and the official libraries generate exactly
// 24-byte secrets. Beyond 64 bytes (the HMAC-SHA256 block size) HMAC hashes the key down to
// 32 bytes, so a longer secret adds nothing.
const MIN_KEY_BYTES = 24
const MAX_KEY_BYTES = 64

/** What {@link signStandardWebhook} signs. */
export interface SignStandardWebhookInput {
  /** The `webhook-id` header: stable across retries. Must not contain `.`. */
  readonly id: string
  /** The `webhook-timestamp` header: unix time of the attempt, in whole seconds. */
  readonly timestamp: number
  /** The exact request body that is sent. */
  readonly body: string
  /**
   * One `whsec_<base64>` secret, or several during a rotation (each one signs). Order is
   * kept in the header; put the current secret first.
   */
  readonly secrets: string | readonly string[]
}

/**
 * Decodes a Standard Webhooks symmetric secret (`whsec_<base64>`) into the HMAC key.
 *
 * Throws a `TypeError` when the secret has no `whsec_` prefix, is an asymmetric key, is not
 * padded standard base64, or decodes to fewer than 24 or more than 64 bytes. Messages never
 * contain the secret itself.
 */
export function parseStandardWebhookSecret(secret: string): Uint8Array {
  if (typeof secret !== 'string') {
    throw new TypeError(`Expected a Standard Webhooks secret string, got ${typeof secret}.`)
  }
  const asymmetric = ASYMMETRIC_PREFIXES.find((prefix) => secret.startsWith(prefix))
  if (asymmetric !== undefined) {
    throw new TypeError(
      `Expected a symmetric Standard Webhooks secret (\`whsec_...\`), got an asymmetric \`${asymmetric}\` key; ed25519 signatures are not supported.`,
    )
  }
  if (!secret.startsWith(SECRET_PREFIX)) {
    throw new TypeError('Expected a Standard Webhooks secret like `whsec_<base64>`, got no `whsec_` prefix.')
  }
  const encoded = secret.slice(SECRET_PREFIX.length)
  if (encoded === '' || !BASE64.test(encoded)) {
    throw new TypeError(
      'Expected the part after `whsec_` to be standard base64 (A-Z, a-z, 0-9, `+`, `/`, padded with `=`).',
    )
  }
  const key = Buffer.from(encoded, 'base64')
  if (key.length < MIN_KEY_BYTES || key.length > MAX_KEY_BYTES) {
    throw new TypeError(
      `Expected the secret to decode to ${MIN_KEY_BYTES}-${MAX_KEY_BYTES} bytes, got ${key.length} bytes.`,
    )
  }
  return key
}

/**
 * Computes the `webhook-signature` header of a Standard Webhooks request: for each secret,
 * `v1,` + base64 HMAC-SHA256 of `<id>.<timestamp>.<body>`, space-separated.
 *
 * Pure: the same input always gives the same header.
 *
 * @example
 * signStandardWebhook({
 *   id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
 *   timestamp: 1614265330,
 *   body: '{"test": 2432232314}',
 *   secrets: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
 * })
 * //=> 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE='
 */
export function signStandardWebhook(input: SignStandardWebhookInput): string {
  const { id, timestamp, body } = input
  // Standard Webhooks, "Signature scheme": the id and timestamp must not "include any `.`",
  // otherwise two different (id, timestamp, body) triples could sign the same content.
  if (typeof id !== 'string' || id === '' || id.includes('.')) {
    throw new RangeError('Expected `id` to be a non-empty string without `.`.')
  }
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new RangeError(`Expected \`timestamp\` to be whole unix seconds, got \`${timestamp}\`.`)
  }
  const secrets = typeof input.secrets === 'string' ? [input.secrets] : input.secrets
  if (secrets.length === 0) throw new RangeError('Expected `secrets` to hold at least one secret.')
  const content = `${id}.${timestamp}.${body}`
  return secrets
    .map((secret) => {
      const signature = createHmac('sha256', parseStandardWebhookSecret(secret))
        .update(content, 'utf8')
        .digest('base64')
      return `v1,${signature}`
    })
    .join(' ')
}
