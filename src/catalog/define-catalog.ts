import type { StandardSchemaV1 } from '@standard-schema/spec'
import { ValidationError, type ValidationIssue } from '../errors/validation-error.js'
import { isEventName } from '../events/event-name.js'
import type { Filter } from '../filters/filter.js'
import { closestMatch } from '../shared/closest-match.js'
import { describeValue } from '../shared/describe-value.js'
import { isPlainObject } from '../shared/is-plain-object.js'
import {
  ASYNC_SCHEMA_MESSAGE,
  hasStandardJsonSchema,
  isStandardSchema,
  isZod4Schema,
  runStandard,
  schemaVendor,
} from '../shared/standard-schema.js'
import type { Catalog, EventDefinition, JsonSchemaOptions } from './catalog.js'
import { catalogFields } from './catalog-fields.js'
import { checkFilterAgainstSchema } from './check-filter-against-schema.js'
import { schemaModel, toPayloadJsonSchema } from './schema-model.js'
import { validatePayload } from './validate-payload.js'

/** The definitions type of a catalog built from schemas `S`, one per event name. */
export type CatalogDefinitions<S extends Record<string, StandardSchemaV1>> = {
  [K in keyof S]: EventDefinition<S[K]>
}

/** Longest title, leaving room for a prefix within Klaviyo's 128-character metric names. */
const MAX_TITLE_LENGTH = 100

/**
 * Builds a typed event catalog. Each `sample` is type-checked against its `schema`, and at
 * runtime every definition is checked: a valid event name, a title (1–100 characters), a
 * description, a schema, and a sample that passes it and is a JSON object.
 *
 * A schema is a zod 4 schema or any Standard Schema v1 validator (valibot, arktype, zod 3...);
 * payload types are inferred from it either way. What each gets:
 * - zod 4: everything. eventrouter's issue messages ("expected an integer, got string \"150\"",
 *   "unknown field; did you mean `tier`?"), `jsonSchema()`, `fields()` and `checkFilter()`.
 * - a validator that also implements Standard JSON Schema (arktype; valibot through
 *   `toStandardJsonSchema()` of `@valibot/to-json-schema`): validation with the validator's own
 *   messages, and `jsonSchema()`, `fields()` and `checkFilter()` from its JSON Schema (converted
 *   here, so a converter that throws is reported now).
 * - any other validator (valibot on its own, zod 3): validation only. `jsonSchema()` throws,
 *   `fields()` is `[]`, and `checkFilter()` accepts every filter.
 *
 * Validation is synchronous, as `emit()` is: a schema whose `~standard.validate` returns a
 * Promise for the sample is refused here (and would be refused by each later validation).
 *
 * Derived data of zod schemas (JSON Schema, fields) is computed on first use, so defining a
 * catalog is cheap.
 *
 * @throws {ValidationError} `code` `ERR_VALIDATION`, one issue per problem, at
 *   `definitions.<event name>.<title | description | schema | sample...>`.
 *
 * @example
 * const catalog = defineCatalog({
 *   'wallet.coins_rewarded': {
 *     title: 'Wallet Coins Rewarded',
 *     description: 'Coins were credited to a customer’s wallet.',
 *     schema: z.strictObject({ coins: z.int().positive(), balance: z.int().nonnegative() }),
 *     sample: { coins: 150, balance: 1200 },
 *   },
 * })
 * catalog.validatePayload('wallet.coins_rewarded', { coins: 150, balance: 1200 })
 */
export function defineCatalog<S extends Record<string, StandardSchemaV1>>(
  definitions: CatalogDefinitions<S>,
): Catalog<CatalogDefinitions<S>> {
  assertDefinitions(definitions)
  const frozen = Object.freeze({ ...definitions })
  const names = Object.freeze(Object.keys(frozen))
  const has = (name: unknown): name is string => typeof name === 'string' && Object.hasOwn(frozen, name)
  const definition = (name: string): EventDefinition => {
    if (has(name)) return frozen[name] as EventDefinition
    // Untyped callers (a dashboard's stored subscription) may pass anything.
    const shown = typeof name === 'string' ? `\`${name}\`` : describeValue(name)
    const suggestion = typeof name === 'string' ? closestMatch(name, names) : undefined
    const hint =
      suggestion === undefined ? `its events are ${listNames(names)}` : `did you mean \`${suggestion}\`?`
    throw new ValidationError('event name', [
      { path: 'name', message: `${shown} is not an event of this catalog; ${hint}` },
    ])
  }
  const catalog = {
    definitions: frozen,
    names: () => [...names],
    has,
    get: (name: string) => (has(name) ? frozen[name] : undefined),
    validatePayload: (name: string, payload: unknown) =>
      validatePayload(definition(name).schema, payload, name),
    jsonSchema(name: string, options: JsonSchemaOptions = {}) {
      const { title, description, schema } = definition(name)
      const { $schema = DRAFT_2020_12, ...rest } = describedSchema(
        name,
        schema,
        options.io === 'input' ? 'input' : 'output',
      )
      return { $schema, title, description, ...rest }
    },
    fields: (name: string) => catalogFields(definition(name).schema),
    checkFilter(name: string, filter: Filter, field = 'filter') {
      checkFilterAgainstSchema(filter, definition(name).schema, name, field)
    },
  }
  return Object.freeze(catalog) as unknown as Catalog<CatalogDefinitions<S>>
}

function assertDefinitions(definitions: unknown): void {
  if (!isPlainObject(definitions)) {
    throw new ValidationError('event catalog', [
      {
        path: 'definitions',
        message: `expected an object of event definitions keyed by event name, got ${describeValue(definitions)}`,
      },
    ])
  }
  const issues: ValidationIssue[] = []
  for (const [name, definition] of Object.entries(definitions)) {
    const at = `definitions.${name}`
    if (!isEventName(name)) {
      issues.push({
        path: at,
        message:
          'expected an event name such as `wallet.coins_rewarded` (letters, digits, _ . : / -, at most 200 chars)',
      })
    }
    if (!isPlainObject(definition)) {
      issues.push({
        path: at,
        message: `expected { title, description, schema, sample }, got ${describeValue(definition)}`,
      })
      continue
    }
    issues.push(...definitionIssues(name, definition, at))
  }
  if (issues.length > 0) throw new ValidationError('event catalog', issues)
}

function definitionIssues(name: string, definition: Record<string, unknown>, at: string): ValidationIssue[] {
  const issues: ValidationIssue[] = []
  const { title, description, schema, sample } = definition
  if (typeof title !== 'string' || title.trim() === '' || title.length > MAX_TITLE_LENGTH) {
    issues.push({
      path: `${at}.title`,
      message: `expected a title of 1 to ${MAX_TITLE_LENGTH} characters such as \`Wallet Coins Rewarded\`, got ${describeValue(title)}`,
    })
  }
  if (typeof description !== 'string' || description.trim() === '') {
    issues.push({
      path: `${at}.description`,
      message: `expected a non-empty string, got ${describeValue(description)}`,
    })
  }
  if (!isZod4Schema(schema) && !isStandardSchema(schema)) {
    issues.push({
      path: `${at}.schema`,
      message: `expected a zod 4 schema or a Standard Schema v1 validator (valibot, arktype, zod 3.24+), got ${describeValue(schema)}`,
    })
    return issues
  }
  // zod 4 included: its `~standard.validate` returns a Promise for an async check, as others do.
  if (runStandard(schema, sample).status === 'async') {
    issues.push({ path: `${at}.schema`, message: ASYNC_SCHEMA_MESSAGE })
    return issues
  }
  try {
    const parsed = validatePayload(schema, sample, name)
    if (!isPlainObject(parsed)) {
      issues.push({
        path: `${at}.schema`,
        message: 'expected a schema of JSON objects, such as z.strictObject({...})',
      })
    }
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error
    for (const issue of error.issues) {
      issues.push({ path: issue.path.replace(/^payload/, `${at}.sample`), message: issue.message })
    }
    return issues
  }
  if (!isZod4Schema(schema) && hasStandardJsonSchema(schema)) {
    // Fields and filter checks come from this JSON Schema: a converter that throws must say so
    // now, not leave the event with no fields and unchecked filters.
    try {
      schemaModel(schema)
    } catch (error) {
      issues.push({
        path: `${at}.schema`,
        message: `implements Standard JSON Schema, but converting it to JSON Schema (draft 2020-12) failed: ${reason(error)}`,
      })
    }
  }
  return issues
}

const DRAFT_2020_12 = 'https://json-schema.org/draft/2020-12/schema'

/** The JSON Schema of an event's payload; a ValidationError at `name` when there is none. */
function describedSchema(
  name: string,
  schema: StandardSchemaV1,
  io: 'input' | 'output',
): Record<string, unknown> {
  let json: Record<string, unknown> | undefined
  try {
    json = toPayloadJsonSchema(schema, io)
  } catch (error) {
    throw new ValidationError(
      'event name',
      [
        {
          path: 'name',
          message: `the ${io} of \`${name}\` cannot be described as JSON Schema: ${reason(error)}`,
        },
      ],
      { cause: error },
    )
  }
  if (json !== undefined) return json
  throw new ValidationError('event name', [
    {
      path: 'name',
      message:
        `\`${name}\` has no JSON Schema: its ${schemaVendor(schema)} schema does not implement Standard JSON Schema ` +
        '(`~standard.jsonSchema`); use a zod 4 schema or a validator that implements it (arktype; valibot ' +
        'through `toStandardJsonSchema()` of `@valibot/to-json-schema`)',
    },
  ])
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function listNames(names: readonly string[]): string {
  if (names.length === 0) return 'none'
  const shown = names.slice(0, 10).map((name) => `\`${name}\``)
  return names.length > 10 ? `${shown.join(', ')}, ...` : shown.join(', ')
}
