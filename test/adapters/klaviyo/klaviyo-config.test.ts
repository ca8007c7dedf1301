import { describe, expect, it } from 'vitest'
import { klaviyoAdapter } from '../../../src/adapters/klaviyo/index.js'
import { EventRouter, ValidationError } from '../../../src/index.js'

const API_KEY = 'pk_9b3c1f0e7a2d4c6b8e0f1a2b3c4d5e6f7a'
const adapter = klaviyoAdapter()

/** The zod issues of an invalid config, reduced to path and message. */
function issuesOf(config: unknown): { path: PropertyKey[]; message: string }[] {
  const result = adapter.configSchema.safeParse(config)
  expect(result.success).toBe(false)
  return (result.error?.issues ?? []).map(({ path, message }) => ({ path, message }))
}

describe('klaviyoAdapter.configSchema', () => {
  it('accepts a minimal and a full config and keeps them as given, the URL in WHATWG form (defaults apply per request)', () => {
    expect(adapter.configSchema.parse({ apiKey: API_KEY })).toEqual({ apiKey: API_KEY })
    const full = {
      apiKey: API_KEY,
      revision: '2026-07-15.pre',
      baseUrl: 'http://127.0.0.1:4010',
      profile: { email: 'member.email', phoneNumber: 'member.phone', externalId: 'member.id' },
      valuePath: 'order.total',
      valueCurrencyPath: 'business.currency',
    }
    expect(adapter.configSchema.parse(full)).toEqual({ ...full, baseUrl: 'http://127.0.0.1:4010/' })
    expect(adapter.type).toBe('klaviyo')
    expect(adapter.secretFields).toEqual(['apiKey'])
  })

  it.each([
    ['a missing key', {}, /`apiKey` to be a string/],
    ['a key without pk_', { apiKey: 'sk_9b3c1f0e7a2d4c6b8e0f1a2b' }, /`pk_` followed by letters and digits/],
    ['a key with a space', { apiKey: 'pk_9b3c1f0e 7a2d' }, /`pk_` followed by letters and digits/],
    ['a public key (site ID)', { apiKey: 'AbC123' }, /6-character public key \(site ID\)/],
  ])('rejects %s under `apiKey`, never echoing it', (_case, config, message) => {
    const issues = issuesOf(config)
    expect(issues).toHaveLength(1)
    expect(issues[0]?.path).toEqual(['apiKey'])
    expect(issues[0]?.message).toMatch(message)
    for (const value of Object.values(config)) expect(issues[0]?.message).not.toContain(value)
  })

  it.each([
    ['revision', 'latest', /API revision date such as `2026-07-15`/],
    ['revision', '2026-13-01', /API revision date/],
    ['revision', 20260715, /`revision` to be a string/],
    ['baseUrl', 'a.klaviyo.com', /absolute http\(s\) URL/],
    ['baseUrl', 'ftp://a.klaviyo.com', /absolute http\(s\) URL/],
    ['baseUrl', 'https://user:pw@a.klaviyo.com', /without credentials/],
    ['baseUrl', 'https://a.klaviyo.com?x=1', /without a query or fragment/],
    ['valuePath', 'order..total', /dotted payload path/],
    ['valuePath', 'order total', /dotted payload path/],
    ['valuePath', `a.${'b'.repeat(200)}`, /at most 200 characters/],
  ])('rejects `%s` = %j', (field, value, message) => {
    const issues = issuesOf({ apiKey: API_KEY, [field]: value })
    expect(issues).toHaveLength(1)
    expect(issues[0]?.path).toEqual([field])
    expect(issues[0]?.message).toMatch(message)
    expect(issues[0]?.message).not.toContain('pw@')
  })

  it.each([
    [{}, ['profile'], /at least one of `email`, `phoneNumber` or `externalId`/],
    ['customer.email', ['profile'], /`profile` to be an object/],
    [{ email: '.email' }, ['profile', 'email'], /`profile.email` to be a dotted payload path/],
    [{ phoneNumber: 42 }, ['profile', 'phoneNumber'], /`profile.phoneNumber` to be a dotted payload path/],
  ])('rejects profile %j', (profile, path, message) => {
    const issues = issuesOf({ apiKey: API_KEY, profile })
    expect(issues).toHaveLength(1)
    expect(issues[0]?.path).toEqual(path)
    expect(issues[0]?.message).toMatch(message)
  })

  it('rejects a currency path without a value path', () => {
    expect(issuesOf({ apiKey: API_KEY, valueCurrencyPath: 'business.currency' })).toEqual([
      {
        path: ['valueCurrencyPath'],
        message: expect.stringMatching(/`valuePath` next to `valueCurrencyPath`/),
      },
    ])
  })

  it('rejects unknown keys, in the config and in `profile`', () => {
    expect(adapter.configSchema.safeParse({ apiKey: API_KEY, apikey: API_KEY }).error?.issues).toMatchObject([
      { code: 'unrecognized_keys', keys: ['apikey'] },
    ])
    expect(
      adapter.configSchema.safeParse({ apiKey: API_KEY, profile: { phone: 'customer.mobile' } }).error
        ?.issues,
    ).toEqual([
      expect.objectContaining({ code: 'unrecognized_keys', keys: ['phone'], path: ['profile'] }),
      // The field it meant is spelt out in the second issue.
      expect.objectContaining({
        path: ['profile'],
        message: 'Expected `profile` to name at least one of `email`, `phoneNumber` or `externalId`.',
      }),
    ])
    expect(
      adapter.configSchema.safeParse({ apiKey: API_KEY, profile: { phone: 'customer.mobile' } }).error
        ?.issues[0]?.message,
    ).not.toMatch(/to be an object/)
  })

  it('reaches the host as a ValidationError naming `config.<field>`, with the key redacted elsewhere', () => {
    const router = new EventRouter({ adapters: [klaviyoAdapter({ type: 'klaviyo-eu' })] })
    expect(() =>
      router.integrations.add({ type: 'klaviyo-eu', config: { apiKey: 'sk_nope_12345678' } }),
    ).toThrow(ValidationError)
    try {
      router.integrations.add({ type: 'klaviyo-eu', config: { apiKey: 'sk_nope_12345678' } })
    } catch (error) {
      expect((error as ValidationError).issues.map((issue) => issue.path)).toEqual(['config.apiKey'])
      expect(JSON.stringify(error)).not.toContain('sk_nope_12345678')
    }
    const added = router.integrations.add({ type: 'klaviyo-eu', config: { apiKey: API_KEY } })
    expect(JSON.stringify(added)).not.toContain(API_KEY)
  })

  it('rejects an invalid adapter type up front', () => {
    expect(() => klaviyoAdapter({ type: 'Klaviyo EU' })).toThrow(TypeError)
  })
})
