import type { StandardJSONSchemaV1, StandardSchemaV1, StandardTypedV1 } from '@standard-schema/spec'
import { z } from 'zod'

/**
 * Schemas of any validator library that implements Standard Schema v1 (https://standardschema.dev):
 * zod 3.24+ and 4, valibot 1, arktype 2... zod 4 stays eventrouter's own validator, and its
 * schemas keep going through zod, so their messages do not change.
 */

/** What a schema accepts (`z.input` for zod): the Standard Schema input type, `unknown` for anything else. */
export type SchemaInput<S> = S extends StandardTypedV1 ? StandardTypedV1.InferInput<S> : unknown

/** What a schema returns once it validated (`z.output` for zod). */
export type SchemaOutput<S> = S extends StandardTypedV1 ? StandardTypedV1.InferOutput<S> : unknown

/** One issue of a Standard Schema validation, its path made of plain keys. */
export interface StandardIssue {
  readonly path: readonly (string | number)[]
  readonly message: string
}

/** How a synchronous Standard Schema validation went. */
export type StandardOutcome<T> =
  | { readonly status: 'valid'; readonly value: T }
  | { readonly status: 'invalid'; readonly issues: readonly StandardIssue[] }
  /** `validate` returned a Promise: the schema has async checks or transforms. */
  | { readonly status: 'async' }
  /**
   * `validate` threw (a getter of the input, or the validator itself), or, for zod, returned the
   * rejected Promise with which zod answers a check that throws.
   */
  | { readonly status: 'threw'; readonly error: unknown }

/** Why an async schema is refused; `emit()` and `integrations.add()` return synchronously. */
export const ASYNC_SCHEMA_MESSAGE =
  'validates asynchronously (an async refinement or transform), but eventrouter validates ' +
  'synchronously, as `emit()` and `integrations.add()` return at once: remove the async checks from the schema'

/** True for a zod 4 schema (of this package's zod or the host's own copy). */
export function isZod4Schema(value: unknown): value is z.ZodType {
  return (
    typeof value === 'object' &&
    value !== null &&
    '_zod' in value &&
    typeof (value as { safeParse?: unknown }).safeParse === 'function'
  )
}

/** True for a Standard Schema v1 validator. arktype's schemas are functions, so those count too. */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false
  const props: unknown = (value as { '~standard'?: unknown })['~standard']
  return (
    typeof props === 'object' &&
    props !== null &&
    (props as { version?: unknown }).version === 1 &&
    typeof (props as { validate?: unknown }).validate === 'function'
  )
}

/**
 * True when the schema also implements Standard JSON Schema (`~standard.jsonSchema`), as zod 4.2+,
 * arktype, and valibot through `toStandardJsonSchema()` of `@valibot/to-json-schema` do.
 */
export function hasStandardJsonSchema(
  schema: StandardSchemaV1,
): schema is StandardSchemaV1 & StandardJSONSchemaV1 {
  const converter: unknown = (schema['~standard'] as { jsonSchema?: unknown }).jsonSchema
  return (
    typeof converter === 'object' &&
    converter !== null &&
    typeof (converter as { input?: unknown }).input === 'function' &&
    typeof (converter as { output?: unknown }).output === 'function'
  )
}

/** The library a schema comes from, for messages: `valibot`, `zod`, `arktype`. */
export function schemaVendor(schema: StandardSchemaV1): string {
  const { vendor } = schema['~standard']
  return typeof vendor === 'string' && vendor !== '' ? vendor : 'Standard Schema'
}

/**
 * Validates `input` with `schema['~standard'].validate`, synchronously. Never throws: a Promise
 * (an async schema) and a throw are outcomes of their own, for the caller to word.
 */
export function runStandard<T>(schema: StandardSchemaV1<unknown, T>, input: unknown): StandardOutcome<T> {
  let result: StandardSchemaV1.Result<T> | Promise<StandardSchemaV1.Result<T>>
  try {
    result = schema['~standard'].validate(input)
    if (isThenable(result)) {
      // The result is dropped: without a handler, a rejection would crash the host's process.
      Promise.resolve(result).catch(() => {})
      const error = zodSyncError(schema, input)
      return error === undefined ? { status: 'async' } : { status: 'threw', error }
    }
    // Standard Schema: "a falsy value for `issues` indicates success".
    if (!result.issues) return { status: 'valid', value: result.value }
    return { status: 'invalid', issues: toStandardIssues(result.issues, schemaVendor(schema)) }
  } catch (error) {
    return { status: 'threw', error }
  }
}

/**
 * A zod schema that validates with `schema`: `schema` itself when it is a zod 4 schema, else a zod
 * schema that runs `schema['~standard'].validate` and reports its issues at their paths (so
 * `toValidationIssues` names each field). For code that takes zod schemas, such as the
 * integration registry and the adapter conformance suite.
 */
export function toZodSchema<T>(schema: StandardSchemaV1<unknown, T>): z.ZodType<T> {
  if (isZod4Schema(schema)) return schema as unknown as z.ZodType<T>
  return z.unknown().transform((input, context): T => {
    const outcome = runStandard(schema, input)
    if (outcome.status === 'valid') return outcome.value
    const issues =
      outcome.status === 'invalid'
        ? outcome.issues
        : [
            {
              path: [],
              message:
                outcome.status === 'async'
                  ? `its schema ${ASYNC_SCHEMA_MESSAGE}`
                  : threwMessage(schema, outcome.error),
            },
          ]
    for (const { path, message } of issues) context.addIssue({ code: 'custom', message, path: [...path] })
    return z.NEVER
  })
}

/** Issue paths are keys or `{ key }` segments (Standard Schema v1); symbols are shown as `Symbol(name)`. */
function toStandardIssues(raw: unknown, vendor: string): StandardIssue[] {
  const issues = (Array.isArray(raw) ? raw : []).flatMap((issue: unknown): StandardIssue[] => {
    const { message, path, code, keys } = (issue ?? {}) as {
      message?: unknown
      path?: unknown
      code?: unknown
      keys?: unknown
    }
    const segments = (Array.isArray(path) ? path : []).map(toKey)
    // zod (3 and 4) reports the unknown keys of a strict object as one issue on the object;
    // naming each key makes `field` point at it, as parseInput does for zod 4.
    if (code === 'unrecognized_keys' && Array.isArray(keys) && keys.every((key) => typeof key === 'string')) {
      return keys.map((key) => ({ path: [...segments, key], message: 'unknown field' }))
    }
    return [
      { path: segments, message: typeof message === 'string' && message !== '' ? message : 'is invalid' },
    ]
  })
  // A validator that fails without saying why still fails: say so at the root.
  return issues.length > 0
    ? issues
    : [{ path: [], message: `was rejected by its ${vendor} schema, which gave no reason` }]
}

function toKey(segment: unknown): string | number {
  const key: unknown =
    typeof segment === 'object' && segment !== null ? (segment as { key?: unknown }).key : segment
  return typeof key === 'number' ? key : String(key)
}

/**
 * True for the error zod's synchronous `parse`/`safeParse` throws on meeting an async check or
 * transform: zod 4's `$ZodAsyncError` ("Encountered Promise during synchronous parse"), zod 3's
 * "Async refinement encountered during synchronous parse operation". zod sets no `name` on them,
 * and the host's zod may be another copy than ours, so the message is what tells.
 */
export function isZodAsyncError(error: unknown): boolean {
  return error instanceof Error && /during synchronous parse/i.test(error.message)
}

/**
 * zod (3 and 4) answers a check that throws as it answers an async check: `~standard.validate`
 * returns a Promise (a rejected one). Its own synchronous `safeParse` tells them apart: it throws
 * the check's error, or zod's "during synchronous parse" error for an async check. `undefined`
 * for other validators (a Promise is their word that they are async) and for a really async check.
 */
function zodSyncError(schema: StandardSchemaV1, input: unknown): unknown {
  const { safeParse } = schema as { safeParse?: unknown }
  if (schema['~standard'].vendor !== 'zod' || typeof safeParse !== 'function') return undefined
  try {
    safeParse.call(schema, input)
  } catch (error) {
    return isZodAsyncError(error) ? undefined : error
  }
  return undefined
}

/** The issue message for a validator that threw: a bug in one of its checks, or an input getter or Proxy. */
export function threwMessage(schema: StandardSchemaV1, error: unknown): string {
  const reason = error instanceof Error ? error.message : 'a value was thrown'
  return `could not be validated: its ${schemaVendor(schema)} schema threw \`${reason}\` (one of its checks, or a getter or Proxy of the input)`
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  )
}

/** `config` + `['url']` => `config.url`; empty parts are left out. */
export function joinPath(parts: readonly (string | number)[]): string {
  return parts
    .map(String)
    .filter((part) => part !== '')
    .join('.')
}
