import { describe, expect, it } from 'vitest'
import { summarizeRequest } from '../../src/observability/request-summary.js'
import { SecretScrubber } from '../../src/shared/secret-scrubber.js'

const request = (url: string) => ({ method: 'POST' as const, url, headers: {}, body: '{}' })

describe('summarizeRequest (what url.full and server.* show)', () => {
  it.each([
    ['https://crm.example/hooks', 'https://crm.example/hooks', 'crm.example', 443],
    ['http://127.0.0.1:8080/in?a=1', 'http://127.0.0.1:8080/in?a=1', '127.0.0.1', 8080],
    // Semantic conventions: credentials as REDACTED:REDACTED, the values of the listed keys.
    ['https://u:p@api.example/x', 'https://REDACTED:REDACTED@api.example/x', 'api.example', 443],
    [
      'https://s3.example/o?AWSAccessKeyId=AK&Signature=S&sig=x&X-Goog-Signature=g&q=1',
      'https://s3.example/o?AWSAccessKeyId=REDACTED&Signature=REDACTED&sig=REDACTED&X-Goog-Signature=REDACTED&q=1',
      's3.example',
      443,
    ],
    // Matched case-sensitively, as the conventions say: `SIG` is not `sig`.
    ['https://a.example/?SIG=1&api_key=k', 'https://a.example/?SIG=1&api_key=REDACTED', 'a.example', 443],
  ])('%s', (url, full, address, port) => {
    expect(summarizeRequest(request(url), SecretScrubber.NONE)).toEqual({
      method: 'POST',
      url: full,
      serverAddress: address,
      serverPort: port,
    })
  })

  it('removes the integration’s credentials, and keeps the host when the credential is the whole URL (Slack)', () => {
    const hook = 'https://hooks.slack.com/services/T0001/B0002/XXXXXXXXXXXXXXXXXXXXXXXX'
    const summary = summarizeRequest(request(hook), new SecretScrubber([hook]))
    expect(summary.url.startsWith('https://hooks.slack.com')).toBe(true)
    expect(summary.url).not.toContain('XXXXXXXXXXXXXXXXXXXXXXXX')
    expect(summary.url).not.toContain('T0001/B0002')
    expect(summary.serverAddress).toBe('hooks.slack.com')
    const token = summarizeRequest(
      request('https://api.example/v1?k2=tok_abcdef123'),
      new SecretScrubber(['tok_abcdef123']),
    )
    expect(token.url).toBe('https://api.example/v1?k2=[REDACTED]')
  })

  it('shows nothing of a URL it cannot parse', () => {
    expect(summarizeRequest(request('not a url'), SecretScrubber.NONE)).toEqual({
      method: 'POST',
      url: '[REDACTED]',
      serverAddress: null,
      serverPort: 0,
    })
  })
})
