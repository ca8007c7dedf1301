import { createHmac, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  parseStandardWebhookSecret,
  signStandardWebhook,
} from '../../../src/adapters/webhook/standard-webhooks-signature.js'

/** A `whsec_` secret wrapping `bytes` random bytes. */
function secretOf(bytes: number): string {
  return `whsec_${randomBytes(bytes).toString('base64')}`
}

describe('signStandardWebhook', () => {
  it('matches the known-answer vector of the official library', () => {
    // standard-webhooks/standard-webhooks, libraries/javascript/src/webhook.test.ts,
    // test "sign function works".
    const signature = signStandardWebhook({
      id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      timestamp: 1614265330,
      body: '{"test": 2432232314}',
      secrets: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    })
    expect(signature).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=')
  })

  it('signs with every secret during a rotation, in order, space-separated', () => {
    const current = secretOf(32)
    const previous = secretOf(24)
    const body = '{"type":"wallet.coins_rewarded","data":{"coins":5,"note":"café ☕"}}'
    // Independent computation of `v1,base64(HMAC-SHA256(key, "id.timestamp.body"))`.
    const expected = [current, previous].map((secret) => {
      const key = Buffer.from(secret.slice('whsec_'.length), 'base64')
      return `v1,${createHmac('sha256', key).update(`msg_1.1700000000.${body}`).digest('base64')}`
    })
    const signature = signStandardWebhook({
      id: 'msg_1',
      timestamp: 1700000000,
      body,
      secrets: [current, previous],
    })
    expect(signature).toBe(expected.join(' '))
  })

  it('rejects an id containing `.`, a non-integer timestamp and an empty secret list', () => {
    const secrets = secretOf(24)
    expect(() => signStandardWebhook({ id: 'a.b', timestamp: 1, body: '', secrets })).toThrow(RangeError)
    expect(() => signStandardWebhook({ id: 'a', timestamp: 1.5, body: '', secrets })).toThrow(
      /whole unix seconds/,
    )
    expect(() => signStandardWebhook({ id: 'a', timestamp: 1, body: '', secrets: [] })).toThrow(
      /at least one/,
    )
  })
})

describe('parseStandardWebhookSecret', () => {
  it('decodes the base64 key after `whsec_`', () => {
    const key = parseStandardWebhookSecret('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')
    expect(Buffer.from(key).toString('base64')).toBe('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')
    expect(key).toHaveLength(24)
  })

  it('accepts 24 to 64 bytes and rejects anything shorter or longer', () => {
    expect(parseStandardWebhookSecret(secretOf(24))).toHaveLength(24)
    expect(parseStandardWebhookSecret(secretOf(64))).toHaveLength(64)
    expect(() => parseStandardWebhookSecret(secretOf(23))).toThrow(/24-64 bytes, got 23 bytes/)
    expect(() => parseStandardWebhookSecret(secretOf(65))).toThrow(/got 65 bytes/)
  })

  it.each([
    ['no prefix', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', /whsec_/],
    ['an asymmetric key', 'whsk_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', /asymmetric `whsk_`/],
    ['nothing after the prefix', 'whsec_', /standard base64/],
    ['base64url characters', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLa-_', /standard base64/],
    [
      'missing padding',
      `whsec_${Buffer.alloc(25, 7).toString('base64').replace(/=+$/, '')}`,
      /standard base64/,
    ],
    ['whitespace', 'whsec_MfKQ9r8GKYqr TwjUPD8ILPZIo2LaLaSw', /standard base64/],
  ])('rejects %s without echoing the secret', (_case, secret, message) => {
    expect(() => parseStandardWebhookSecret(secret)).toThrow(message)
    try {
      parseStandardWebhookSecret(secret)
    } catch (error) {
      expect((error as Error).message).not.toContain('MfKQ9r8GKYqr')
    }
  })
})
