import { describe, expect, it } from 'vitest'
import type { Adapter } from '../../../src/adapters/adapter.js'
import { describeHostNameProblem, normalizeUrl } from '../../../src/adapters/shared/url-field.js'
import {
  brazeAdapter,
  clevertapAdapter,
  klaviyoAdapter,
  mixpanelAdapter,
  moengageAdapter,
  segmentAdapter,
  webengageAdapter,
} from '../../../src/index.js'

// Every URL config field is stored as the WHATWG URL parser serialises it (`href`), the form
// fetch sends and the SSRF guard checks: an internationalised host in punycode.

describe('normalizeUrl', () => {
  it.each([
    ['https://例え.jp/h', 'https://xn--r8jz45g.jp/h'],
    ['https://faß.de/', 'https://xn--fa-hia.de/'],
    ['https://EXAMPLE.com', 'https://example.com/'],
    ['https://example.com:443/x', 'https://example.com/x'],
    ['https://例え.jp/パス?q=値', 'https://xn--r8jz45g.jp/%E3%83%91%E3%82%B9?q=%E5%80%A4'],
    ['http://１２７.０.０.１:8080/', 'http://127.0.0.1:8080/'],
  ])('stores %s as %s, and that form as itself', (input, stored) => {
    expect(normalizeUrl(input)).toBe(stored)
    expect(normalizeUrl(stored)).toBe(stored)
  })

  it('leaves alone what does not parse (the schema has refused it)', () => {
    expect(normalizeUrl('not a url')).toBe('not a url')
  })
})

describe('describeHostNameProblem', () => {
  it.each([
    ['https://crm.example/', undefined],
    ['https://crm.example./', undefined],
    ['https://127.0.0.1/', undefined],
    ['https://[::1]/', undefined],
    [`https://${'a'.repeat(63)}.example/`, undefined],
    [`https://${'a'.repeat(64)}.example/`, /1 to 63 characters/],
    ['https://a..example/', /1 to 63 characters/],
    [`https://${'abcdefghi.'.repeat(26)}example/`, /at most 253/],
  ])('%s: %s', (url, expected) => {
    const problem = describeHostNameProblem('baseUrl', new URL(url))
    if (expected === undefined) expect(problem).toBeUndefined()
    else expect(problem).toMatch(expected)
  })
})

describe('baseUrl and restEndpoint with internationalised hosts', () => {
  const cases: [string, Adapter<unknown>, Record<string, unknown>, string][] = [
    [
      'klaviyo',
      klaviyoAdapter() as Adapter<unknown>,
      { apiKey: 'pk_9b3c1f0e7a2d4c6b8e0f1a2b3c4d5e6f7a' },
      'baseUrl',
    ],
    [
      'segment',
      segmentAdapter() as Adapter<unknown>,
      { writeKey: 'Zq3vN8sLk2Rt6Yp9Wx4Mb7Hc1Jd5Fg0A' },
      'baseUrl',
    ],
    [
      'mixpanel',
      mixpanelAdapter() as Adapter<unknown>,
      { projectToken: '7413605f415a765835417c9ffe8ff702' },
      'baseUrl',
    ],
    [
      'moengage',
      moengageAdapter() as Adapter<unknown>,
      { workspaceId: 'OAPQQ2AMD01MJZYZX1YPG', apiKey: 'dAtA-kEy-7f3b9c2e1a' },
      'baseUrl',
    ],
    [
      'webengage',
      webengageAdapter() as Adapter<unknown>,
      { licenseCode: '~10a5cb1dc', apiKey: 'k' },
      'baseUrl',
    ],
    [
      'clevertap',
      clevertapAdapter() as Adapter<unknown>,
      { accountId: 'W9R-486-4W5Z', passcode: 'QAE-AWB-AAAL-7f3k' },
      'baseUrl',
    ],
    [
      'braze',
      brazeAdapter() as Adapter<unknown>,
      { apiKey: 'b7e2a1f4-9c3d-4e8a-a1b2-3c4d5e6f7a8b' },
      'restEndpoint',
    ],
  ]

  it.each(cases)('%s stores an IDN host in punycode', (_name, adapter, config, field) => {
    const parsed = adapter.configSchema.parse({ ...config, [field]: 'https://例え.jp' }) as Record<
      string,
      unknown
    >
    expect(parsed[field]).toBe('https://xn--r8jz45g.jp/')
  })

  it.each(cases)('%s refuses a host that cannot be sent, saying why', (_name, adapter, config, field) => {
    for (const [url, message] of [
      ['https://a\u200db.jp', /host name.*punycode/],
      [`https://${'ü'.repeat(70)}.de`, /1 to 63 characters/],
    ] as const) {
      const result = adapter.configSchema.safeParse({ ...config, [field]: url })
      expect(result.error?.issues).toMatchObject([{ path: [field], message: expect.stringMatching(message) }])
    }
  })
})
