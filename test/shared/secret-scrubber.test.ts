import { Buffer } from 'node:buffer'
import { describe, expect, it } from 'vitest'
import { REDACTED, SecretScrubber } from '../../src/shared/secret-scrubber.js'

const SECRET = 'Vb7kQ2mZt9LwX4nR8cYp1HsJ6dGf3AeU'

describe('SecretScrubber', () => {
  const scrubber = new SecretScrubber([SECRET])

  it('finds the literal, URL-encoded, JSON-escaped and bearer forms', () => {
    const odd = new SecretScrubber(['a/b+c d"e=f'])
    for (const text of ['a/b+c d"e=f', encodeURIComponent('a/b+c d"e=f'), JSON.stringify('a/b+c d"e=f')]) {
      expect(odd.scrub(`x ${text} y`)).not.toContain('b+c')
      expect(odd.scrub(`x ${text} y`)).toContain(REDACTED)
    }
    expect(scrubber.scrub(`invalid token Bearer ${SECRET}`)).toBe(`invalid token Bearer ${REDACTED}`)
  })

  it.each([0, 1, 2, 3, 4, 5])(
    'finds it base64-encoded after a %i-byte prefix, as in Basic user:secret',
    (length) => {
      const user = 'u'.repeat(length)
      for (const encoding of ['base64', 'base64url'] as const) {
        const encoded = Buffer.from(`${user}:${SECRET}:tail`).toString(encoding)
        const scrubbed = scrubber.scrub(`Authorization: Basic ${encoded}`)
        expect(scrubbed).toContain(REDACTED)
        // What is left around the marker is at most a few characters of the edges.
        const left = scrubbed.replace(`Authorization: Basic `, '').split(REDACTED).join('')
        expect(left.length).toBeLessThanOrEqual(Buffer.from(`${user}:`).toString(encoding).length + 12)
      }
    },
  )

  it("finds base64(writeKey:), a typed key without its prefix and a secret URL's path", () => {
    const segment = new SecretScrubber(['Zq3vN8sLk2Rt6Yp9Wx4Mb7Hc1Jd5Fg0A'])
    expect(segment.scrub(Buffer.from('Zq3vN8sLk2Rt6Yp9Wx4Mb7Hc1Jd5Fg0A:').toString('base64'))).toBe(REDACTED)
    const klaviyo = new SecretScrubber(['pk_9b3c1f0e7a2d4c6b8e0f1a2b3c4d5e6f7a'])
    expect(klaviyo.scrub('key 9b3c1f0e7a2d4c6b8e0f1a2b3c4d5e6f7a is revoked')).toBe(
      `key ${REDACTED} is revoked`,
    )
    const slack = new SecretScrubber([
      'https://hooks.slack.com/services/T0ACME001/B0LOYAL01/XyZ9aBcDeFgHiJkLmNoPqRsT',
    ])
    expect(slack.scrub('POST /services/T0ACME001/B0LOYAL01/XyZ9aBcDeFgHiJkLmNoPqRsT failed')).toBe(
      `POST ${REDACTED} failed`,
    )
  })

  it('finds the token of a header value kept whole, and the password inside Basic credentials', () => {
    const bearer = new SecretScrubber(['Bearer tok_live_4f8a2c9e1b7d3f6a'])
    expect(bearer.scrub('invalid token tok_live_4f8a2c9e1b7d3f6a')).toBe(`invalid token ${REDACTED}`)
    const basic = new SecretScrubber([`Basic ${Buffer.from('acct:p4ssw0rd-long').toString('base64')}`])
    expect(basic.scrub('password p4ssw0rd-long rejected')).toBe(`password ${REDACTED} rejected`)
  })

  it('leaves text without secrets, and short secrets, alone', () => {
    expect(scrubber.scrub('nothing to see')).toBe('nothing to see')
    expect(new SecretScrubber(['abc']).scrub('abc abc')).toBe('abc abc')
    expect(SecretScrubber.NONE.active).toBe(false)
  })

  it('copies an error only when its message, stack or causes hold a secret', () => {
    const clean = new TypeError('fetch failed')
    expect(scrubber.scrubError(clean)).toBe(clean)
    const leaky = new TypeError(`bad key ${SECRET}`, { cause: new Error(`inner ${SECRET}`) })
    Object.assign(leaky, { code: 'ECONNRESET' })
    const copy = scrubber.scrubError(leaky) as Error & { code?: string }
    expect(copy).not.toBe(leaky)
    expect(copy.name).toBe('TypeError')
    expect(copy.code).toBe('ECONNRESET')
    expect(copy.message).toBe(`bad key ${REDACTED}`)
    expect(copy.stack).not.toContain(SECRET)
    expect((copy.cause as Error).message).toBe(`inner ${REDACTED}`)
    expect(scrubber.scrubError(`thrown ${SECRET}`)).toBe(`thrown ${REDACTED}`)
  })
})
