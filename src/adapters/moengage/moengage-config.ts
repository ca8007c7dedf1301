import { z } from 'zod'
import { baseUrlSchema } from '../shared/base-url.js'
import { payloadPathSchema } from '../shared/payload-path-schema.js'

/**
 * MoEngage data centers. moengage/moengage-documentation, api/introduction.mdx ("Data
 * Centers") and api/data/data.yaml (`servers`): "01, 02, 03, 04, 05, 06, or 101".
 */
export type MoEngageDataCenter = '01' | '02' | '03' | '04' | '05' | '06' | '101'

/** `actions[].platform` values (api/data/data.yaml, schema `EventAction`). */
export type MoEngagePlatform = 'ANDROID' | 'iOS' | 'web' | 'TV' | 'unknown'

/** Which payload paths identify the MoEngage user an event belongs to. */
export interface MoEngageIdentityMapping {
  /** Path of your own user id, sent as `customer_id` (shown as `ID` in MoEngage). */
  readonly customerId?: string | undefined
  /**
   * For workspaces with Identity Resolution: identifier name (as set up in the workspace,
   * e.g. `moe_mobile`) to payload path, sent as `user_identifiers`.
   */
  readonly userIdentifiers?: Readonly<Record<string, string>> | undefined
}

/** The config of a MoEngage integration, as validated by the adapter's `configSchema`. */
export interface MoEngageConfig {
  /** Workspace ID (formerly App ID): the URL path segment and the Basic auth username. */
  readonly workspaceId: string
  /** Data API key (Settings > Account > APIs, "Data" tile): the Basic auth password. */
  readonly apiKey: string
  /**
   * Data center of the workspace, as in the dashboard URL (`dashboard-03` is `'03'`).
   * Required unless `baseUrl` is given: a wrong one sends the events to another region.
   */
  readonly dataCenter?: MoEngageDataCenter | undefined
  /**
   * Absolute http(s) URL of the API host, without `/v1/event/...`; overrides `dataCenter`.
   * For tests and local stand-ins.
   * @default `https://api-<dataCenter>.moengage.com`
   */
  readonly baseUrl?: string | undefined
  /**
   * Where the user's identifiers are in the payload. Replaces the default as a whole.
   * Every event needs at least one of them.
   * @default { customerId: 'customer.id' }
   */
  readonly identity?: MoEngageIdentityMapping | undefined
  /**
   * `platform` of each action. MoEngage advises sending nothing (or `unknown`) when the
   * platform is not known, as for server-side business events.
   * @default undefined (not sent)
   */
  readonly platform?: MoEngagePlatform | undefined
  /**
   * What to do with nested objects in the payload. `flatten` (default) turns
   * `{ customer: { tier: 'gold' } }` into `customer_tier: 'gold'`, because MoEngage rejects
   * object values unless the Object data type (Early Access) is enabled for the workspace;
   * `keep` sends them as they are.
   * @default 'flatten'
   */
  readonly nestedObjects?: 'flatten' | 'keep' | undefined
}

/** Defaults applied when a request is built (the stored config keeps what was given). */
export const MOENGAGE_DEFAULTS = Object.freeze({
  identity: Object.freeze({ customerId: 'customer.id' }) as MoEngageIdentityMapping,
  nestedObjects: 'flatten' as const,
})

const DATA_CENTERS = ['01', '02', '03', '04', '05', '06', '101'] as const

/** `https://api-{dc}.moengage.com` (api/introduction.mdx, "Data Centers"). */
export function moengageHost(dataCenter: MoEngageDataCenter): string {
  return `https://api-${dataCenter}.moengage.com`
}

// The Workspace ID is a path segment and the Basic auth user-id (RFC 7617: no colon);
// MoEngage's are upper-case letters and digits, e.g. `OAPQQ2AMD01MJZYZX1YPG`.
const WORKSPACE_ID = /^[A-Za-z0-9_-]+$/
// A header value cannot carry whitespace or control characters.
const API_KEY = /^[^\s\p{Cc}]+$/u
// Identifier names become JSON keys; keep them to the names MoEngage shows (`moe_mobile`).
const IDENTIFIER_NAME = /^[A-Za-z0-9_]{1,100}$/

/** The zod schema of {@link MoEngageConfig}. */
export const moengageConfigSchema: z.ZodType<MoEngageConfig> = z
  .strictObject({
    workspaceId: z
      .string({
        error: 'Expected `workspaceId` to be the Workspace ID (a string) of your MoEngage workspace.',
      })
      .min(1, 'Expected `workspaceId` to be the Workspace ID of your workspace, got an empty string.')
      .max(100, 'Expected `workspaceId` to be at most 100 characters.')
      .regex(WORKSPACE_ID, 'Expected `workspaceId` to hold only letters, digits, `_` and `-`.'),
    apiKey: z
      .string({ error: 'Expected `apiKey` to be the Data API key (a string) of your MoEngage workspace.' })
      .min(1, 'Expected `apiKey` to be the Data API key of your workspace, got an empty string.')
      // Never echo the value: it may be a real key with a typo.
      .regex(API_KEY, 'Expected `apiKey` without whitespace or control characters.'),
    dataCenter: z
      .enum(DATA_CENTERS, {
        error:
          "Expected `dataCenter` to be '01', '02', '03', '04', '05', '06' or '101' (the number in your dashboard URL: dashboard-03 is '03').",
      })
      .optional(),
    baseUrl: baseUrlSchema({
      example: 'https://api-01.moengage.com',
      credentialsHint: 'use `workspaceId` and `apiKey`',
    }).optional(),
    identity: z
      .strictObject(
        {
          customerId: payloadPathSchema('identity.customerId').optional(),
          userIdentifiers: z
            .record(
              z.string().regex(IDENTIFIER_NAME, 'Expected an identifier name such as `moe_mobile`.'),
              payloadPathSchema('identity.userIdentifiers'),
              { error: 'Expected `identity.userIdentifiers` to map identifier names to payload paths.' },
            )
            .optional(),
        },
        { error: 'Expected `identity` to be an object such as `{ customerId: "customer.id" }`.' },
      )
      .refine(
        (mapping) =>
          mapping.customerId !== undefined || Object.keys(mapping.userIdentifiers ?? {}).length > 0,
        { message: 'Expected `identity` to name `customerId` or at least one of `userIdentifiers`.' },
      )
      .optional(),
    platform: z
      .enum(['ANDROID', 'iOS', 'web', 'TV', 'unknown'], {
        error: 'Expected `platform` to be `ANDROID`, `iOS`, `web`, `TV` or `unknown`.',
      })
      .optional(),
    nestedObjects: z
      .enum(['flatten', 'keep'], { error: 'Expected `nestedObjects` to be `flatten` or `keep`.' })
      .optional(),
  })
  .superRefine((config, ctx) => {
    if (config.dataCenter === undefined && config.baseUrl === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['dataCenter'],
        message:
          "Expected `dataCenter` (e.g. '01'): MoEngage serves each workspace from one data center, shown in your dashboard URL.",
      })
    }
  })
