import { z } from 'zod'
import { baseUrlSchema } from '../shared/base-url.js'
import { payloadPathSchema } from '../shared/payload-path-schema.js'

/** Mixpanel data residencies: the US (default), the EU and India. */
export type MixpanelRegion = 'us' | 'eu' | 'in'

/** A Mixpanel service account (Organization settings → Service Accounts). */
export interface MixpanelServiceAccount {
  /** The service account's username, e.g. `importer.1a2b3c.mp-service-account`. */
  readonly username: string
  /** The service account's secret. */
  readonly secret: string
}

/** Which payload path holds the Mixpanel `distinct_id` of the user an event belongs to. */
export interface MixpanelIdentityMapping {
  /** Path of the user's id, sent as `distinct_id`. */
  readonly distinctId: string
}

/**
 * The config of a Mixpanel integration, as validated by the adapter's `configSchema`.
 * Authenticate with a service account (`serviceAccount` + `projectId`, recommended by
 * Mixpanel for `/import`) or with the project token (`projectToken`); not both.
 */
export interface MixpanelConfig {
  /** Service account with the Owner or Admin role in the project. Needs `projectId`. */
  readonly serviceAccount?: MixpanelServiceAccount | undefined
  /** Project token, sent as the Basic-auth username with an empty password. */
  readonly projectToken?: string | undefined
  /**
   * The project id (digits), sent as `project_id`. Required with `serviceAccount`; optional
   * with `projectToken`.
   */
  readonly projectId?: string | undefined
  /**
   * Data residency of the project: `us` (`api.mixpanel.com`), `eu` (`api-eu.mixpanel.com`)
   * or `in` (`api-in.mixpanel.com`). Nothing is ingested into an EU or India project
   * unless it is sent to that region's host.
   * @default 'us'
   */
  readonly region?: MixpanelRegion | undefined
  /**
   * Absolute http(s) URL of the ingestion host, without `/import`; overrides `region`. For
   * tests and local stand-ins.
   * @default 'https://api.mixpanel.com' (or the host of `region`)
   */
  readonly baseUrl?: string | undefined
  /**
   * Where the `distinct_id` is in the payload.
   * @default { distinctId: 'customer.id' }
   */
  readonly identity?: MixpanelIdentityMapping | undefined
}

/** Defaults applied when a request is built (the stored config keeps what was given). */
export const MIXPANEL_DEFAULTS = Object.freeze({
  region: 'us' as MixpanelRegion,
  identity: Object.freeze({ distinctId: 'customer.id' }) as MixpanelIdentityMapping,
})

/**
 * Ingestion hosts. mixpanel/docs, openapi/src/ingestion.openapi.yaml (`servers`: `api`,
 * `api-eu`) and pages/docs/privacy/in-residency.md (Ingestion API: `api-in.mixpanel.com`).
 */
export const MIXPANEL_HOSTS: Readonly<Record<MixpanelRegion, string>> = Object.freeze({
  us: 'https://api.mixpanel.com',
  eu: 'https://api-eu.mixpanel.com',
  in: 'https://api-in.mixpanel.com',
})

// HTTP Basic auth (RFC 7617): the user-id cannot contain a colon; no header value may carry
// control characters. Empty strings are left to `.min(1)`, so they get one clear message.
const BASIC_USER = /^[^\s:\p{Cc}]*$/u
const BASIC_PASSWORD = /^[^\p{Cc}]*$/u

function credential(field: string, what: string, pattern: RegExp, rule: string) {
  return (
    z
      .string({ error: `Expected \`${field}\` to be ${what} (a string).` })
      .min(1, `Expected \`${field}\` to be ${what}, got an empty string.`)
      // Never echo the value: it may be a real credential with a typo.
      .regex(pattern, `Expected \`${field}\` without ${rule}.`)
  )
}

/** The zod schema of {@link MixpanelConfig}. */
export const mixpanelConfigSchema: z.ZodType<MixpanelConfig> = z
  .strictObject({
    serviceAccount: z
      .strictObject(
        {
          username: credential(
            'serviceAccount.username',
            'the service account username',
            BASIC_USER,
            'whitespace, colons or control characters',
          ),
          secret: credential(
            'serviceAccount.secret',
            'the service account secret',
            BASIC_PASSWORD,
            'control characters',
          ),
        },
        { error: 'Expected `serviceAccount` to be an object `{ username, secret }`.' },
      )
      .optional(),
    projectToken: credential(
      'projectToken',
      'the project token',
      BASIC_USER,
      'whitespace, colons or control characters',
    ).optional(),
    projectId: z
      .string({
        error: 'Expected `projectId` to be the project id as a string of digits, such as `"3285009"`.',
      })
      .regex(/^\d{1,20}$/, 'Expected `projectId` to be the project id: digits only, such as `"3285009"`.')
      .optional(),
    region: z.enum(['us', 'eu', 'in'], { error: 'Expected `region` to be `us`, `eu` or `in`.' }).optional(),
    baseUrl: baseUrlSchema({
      example: 'https://api.mixpanel.com',
      credentialsHint: 'use `serviceAccount` or `projectToken`',
    }).optional(),
    identity: z
      .strictObject(
        {
          distinctId: payloadPathSchema('identity.distinctId'),
        },
        { error: 'Expected `identity` to be an object such as `{ distinctId: "customer.id" }`.' },
      )
      .optional(),
  })
  .superRefine((config, ctx) => {
    // ingestion.openapi.yaml, /import "Authentication": a service account needs project_id;
    // a project token alone is enough.
    if (config.serviceAccount !== undefined && config.projectToken !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['projectToken'],
        message: 'Give either `serviceAccount` or `projectToken`, not both.',
      })
    } else if (config.serviceAccount === undefined && config.projectToken === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['serviceAccount'],
        message:
          'Expected credentials: `serviceAccount` ({ username, secret }) with `projectId`, or `projectToken`.',
      })
    } else if (config.serviceAccount !== undefined && config.projectId === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['projectId'],
        message:
          'Expected `projectId` with `serviceAccount`: Mixpanel authenticates service accounts per project.',
      })
    }
  })
