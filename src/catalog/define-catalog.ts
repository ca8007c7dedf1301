import type { z } from 'zod'
import { ValidationError, type ValidationIssue } from '../errors/validation-error.js'
import { isEventName } from '../events/event-name.js'
import { describeValue } from '../filters/describe-value.js'
import type { Filter } from '../filters/filter.js'
import { isPlainObject } from '../filters/is-plain-object.js'
import type { Catalog, EventDefinition, JsonSchemaOptions } from './catalog.js'
import { catalogFields } from './catalog-fields.js'
import { checkFilterAgainstSchema } from './check-filter-against-schema.js'
import { closestMatch } from './closest-match.js'
import { toPayloadJsonSchema } from './schema-model.js'
import { validatePayload } from './validate-payload.js'

/** The definitions type of a catalog built from schemas `S`, one per event name. */
export type CatalogDefinitions<S extends Record<string, z.ZodType>> = {
  [K in keyof S]: EventDefinition<S[K]>
}

/** Longest title, leaving room for a prefix within Klaviyo's 128-character metric names. */
const MAX_TITLE_LENGTH = 100

/**
 * Builds a typed event catalog. Each `sample` is type-checked against its `schema`, and at
 * runtime every definition is checked: a valid event name, a title (1–100 characters), a
 * description, a zod schema, and a sample that passes it and is a JSON object.
 *
 * Derived data (JSON Schema, fields) is computed on first use, so defining a catalog is cheap.
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
export function defineCatalog<S extends Record<string, z.ZodType>>(
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
      const { $schema, ...rest } = toPayloadJsonSchema(schema, options.io === 'input' ? 'input' : 'output')
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
  if (!isZodSchema(schema)) {
    issues.push({ path: `${at}.schema`, message: `expected a zod schema, got ${describeValue(schema)}` })
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
  }
  return issues
}

function isZodSchema(value: unknown): value is z.ZodType {
  return (
    typeof value === 'object' &&
    value !== null &&
    '_zod' in value &&
    typeof (value as { safeParse?: unknown }).safeParse === 'function'
  )
}

function listNames(names: readonly string[]): string {
  if (names.length === 0) return 'none'
  const shown = names.slice(0, 10).map((name) => `\`${name}\``)
  return names.length > 10 ? `${shown.join(', ')}, ...` : shown.join(', ')
}
