import { z } from 'zod'
import { PAYLOAD_PATH } from './payload-path.js'

/**
 * The zod schema of one payload path in a config: a dotted path of at most 200 characters.
 * Messages name `field` and show `example`.
 */
export function payloadPathSchema(field: string, example = 'customer.id') {
  const message = `Expected \`${field}\` to be a dotted payload path such as \`${example}\`.`
  return z
    .string({ error: message })
    .max(200, `Expected \`${field}\` to be at most 200 characters.`)
    .regex(PAYLOAD_PATH, message)
}

/** How {@link identityMappingSchema} words its messages. */
export interface IdentityMappingSchemaOptions {
  /** A valid mapping, quoted when the value is not an object: `{ userId: "customer.id" }`. */
  readonly example: string
  /**
   * The path shown in each key's message.
   * @default 'customer.id'
   */
  readonly pathExample?: string
  /**
   * Give the `example` message to a non-object only, so that an unknown key keeps zod's
   * message naming that key; otherwise an unknown key gets the `example` message too.
   * @default false
   */
  readonly typeErrorOnly?: boolean
}

/** `a`, `a or b`, `a, b or c`, each in backticks. */
function listOf(keys: readonly string[]): string {
  const quoted = keys.map((key) => `\`${key}\``)
  return quoted.length <= 1 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`
}

/**
 * The zod schema of an identity mapping such as `{ userId?, anonymousId? }`: an object whose
 * keys are optional payload paths, at least one of which must be given.
 */
export function identityMappingSchema<Key extends string>(
  field: string,
  keys: readonly [Key, ...Key[]],
  options: IdentityMappingSchemaOptions,
) {
  const shape = Object.fromEntries(
    keys.map((key) => [key, payloadPathSchema(`${field}.${key}`, options.pathExample).optional()]),
  ) as Record<Key, z.ZodOptional<z.ZodString>>
  const message = `Expected \`${field}\` to be an object such as \`${options.example}\`.`
  return z
    .strictObject(shape, {
      error:
        options.typeErrorOnly === true
          ? (issue) => (issue.code === 'invalid_type' ? message : undefined)
          : message,
    })
    .refine((mapping) => Object.values(mapping).some((value) => value !== undefined), {
      message: `Expected \`${field}\` to name at least one of ${listOf(keys)}.`,
    })
}
