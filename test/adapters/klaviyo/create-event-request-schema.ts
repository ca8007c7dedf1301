/**
 * Our zod transcription of the Create Event request body schema, `EventCreateQueryV2`, and of
 * the schemas it references, as far as the Klaviyo adapter's requests use them.
 *
 * Source: github.com/klaviyo/openapi, `openapi/stable/apis/create_event.json`, last changed in
 * commit 04ab68f0425aea15c6c53df6837052b08f1d9a53 (unchanged at f0a30ba41254904dc410d84ca497df68f8872276,
 * 2026-07-23), `info.version` (API revision) 2026-07-15; `components.schemas` there is identical
 * to the same schemas in `openapi/stable.json`. The spec file itself is not committed here.
 *
 * Transcription rules:
 * - every field the spec defines for these objects keeps its type, `format`, `enum`,
 *   `required` and `nullable` (nullable => `.nullable()`, not required => `.optional()`);
 * - objects are `z.strictObject`: the spec sets no `additionalProperties: false`, but a key
 *   the spec does not define is a bug in the adapter (a misspelt `phoneNumber` would be
 *   silently ignored by Klaviyo), so the test must catch it;
 * - left out, because the adapter never sends them: profile `location` (`ProfileLocation`) and
 *   `meta` (`OnsiteProfileMeta`). A body carrying them fails this schema on purpose;
 * - free-form `type: object` fields (`properties`) are records of anything;
 * - constraints the spec states only in prose are added and marked "description:".
 */
import { z } from 'zod'

/** `EventEnum`. */
const EventEnum = z.enum(['event'])
/** `MetricEnum`. */
const MetricEnum = z.enum(['metric'])
/** `ProfileEnum`. */
const ProfileEnum = z.enum(['profile'])

/** OpenAPI `type: object` without properties: any JSON object. */
const AnyObject = z.record(z.string(), z.unknown())

/** `MetricCreateQueryResourceObject`: required `type`, `attributes`; attributes require `name`. */
export const MetricCreateQueryResourceObject = z.strictObject({
  type: MetricEnum,
  attributes: z.strictObject({
    // description: "Name of the event. Must be less than 128 characters."
    name: z.string().refine((name) => Array.from(name).length < 128, 'name must be under 128 characters'),
    service: z.string().nullable().optional(),
  }),
})

/** `EventProfileCreateQueryResourceObject`: required `type`, `attributes`; no attribute is required. */
export const EventProfileCreateQueryResourceObject = z.strictObject({
  type: ProfileEnum,
  id: z.string().nullable().optional(),
  attributes: z.strictObject({
    email: z.string().nullable().optional(),
    // description: "Individual's phone number in E.164 format"
    phone_number: z
      .string()
      .regex(/^\+[1-9]\d{1,14}$/, 'phone_number must be E.164')
      .nullable()
      .optional(),
    external_id: z.string().nullable().optional(),
    anonymous_id: z.string().nullable().optional(),
    _kx: z.string().nullable().optional(),
    first_name: z.string().nullable().optional(),
    last_name: z.string().nullable().optional(),
    organization: z.string().nullable().optional(),
    locale: z.string().nullable().optional(),
    title: z.string().nullable().optional(),
    image: z.string().nullable().optional(),
    properties: AnyObject.nullable().optional(),
  }),
})

/** `EventCreateQueryV2ResourceObject`: required `type`, `attributes`. */
export const EventCreateQueryV2ResourceObject = z.strictObject({
  type: EventEnum,
  // attributes: required `properties`, `metric`, `profile`.
  attributes: z.strictObject({
    properties: AnyObject,
    // format: date-time (RFC 3339: a time zone offset or `Z` is required).
    time: z.iso.datetime({ offset: true }).nullable().optional(),
    value: z.number().nullable().optional(),
    // description: "The ISO 4217 currency code of the value associated with the event."
    value_currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'value_currency must be an ISO 4217 code')
      .nullable()
      .optional(),
    unique_id: z.string().nullable().optional(),
    backfill: z.boolean().nullable().optional(),
    metric: z.strictObject({ data: MetricCreateQueryResourceObject }),
    profile: z.strictObject({ data: EventProfileCreateQueryResourceObject }),
  }),
})

/** `EventCreateQueryV2`: the request body of `POST /api/events`; requires `data`. */
export const EventCreateQueryV2 = z.strictObject({
  data: EventCreateQueryV2ResourceObject,
})
