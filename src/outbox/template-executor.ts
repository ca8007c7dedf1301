import { ValidationError } from '../errors/validation-error.js'
import { describe } from '../events/event-name.js'
import type { OutboxExecutor } from './outbox-executor.js'

/**
 * A tagged template that runs SQL with its values bound as parameters: Prisma's
 * `tx.$queryRaw` / `tx.$executeRaw`, Kysely's `sql` (then `.execute(trx)`), Drizzle's `sql`
 * (then `tx.execute()`), postgres.js's `sql`.
 */
export type SqlTemplateTag = (strings: TemplateStringsArray, ...values: unknown[]) => PromiseLike<unknown>

const PLACEHOLDER = /\$\d+/

/**
 * An {@link OutboxExecutor} over a tagged template: the outbox's statement is split at its `$n`
 * placeholders (each appears once, in order) and handed to `tag` as a template, so every value
 * stays a bound parameter.
 *
 * @throws {ValidationError} when `tag` is not a function.
 *
 * @example
 * // Prisma, inside prisma.$transaction(async (tx) => { ... })
 * await outbox.publish(templateExecutor((strings, ...values) => tx.$queryRaw(strings, ...values)), name, payload)
 */
export function templateExecutor(tag: SqlTemplateTag): OutboxExecutor {
  if (typeof tag !== 'function') {
    throw new ValidationError('templateExecutor()', [
      { path: 'tag', message: `expected a tagged template function, got ${describe(tag)}` },
    ])
  }
  return {
    query(text, values) {
      const parts = text.split(PLACEHOLDER)
      if (parts.length !== values.length + 1) {
        // The outbox's own statements always match: this guards hand-written ones.
        throw new TypeError(
          `templateExecutor(): the statement has ${parts.length - 1} placeholders for ${values.length} values`,
        )
      }
      const strings = Object.freeze(Object.assign([...parts], { raw: Object.freeze([...parts]) }))
      return tag(strings as unknown as TemplateStringsArray, ...values)
    },
  }
}
