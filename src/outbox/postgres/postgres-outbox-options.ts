import { z } from 'zod'
import type { Catalog } from '../../catalog/catalog.js'
import { parseInput } from '../../errors/parse-input.js'
import { describe } from '../../events/event-name.js'
import { assertNoForbiddenKeys } from '../../shared/json-data.js'
import { defaultChannel } from './outbox-statements.js'
import type { PostgresPool } from './postgres-pool.js'

/** Options of `postgresOutbox()`. */
export interface PostgresOutboxOptions<C extends Catalog | undefined = undefined> {
  /**
   * Your node-postgres `Pool` (`new pg.Pool(...)`): `migrate()`, relays and pruning take
   * connections from it. The outbox never ends it. `publish()` does not use it: it writes
   * through the transaction you give it.
   */
  pool: PostgresPool
  /**
   * The table's schema; `migrate()` creates it when missing.
   * @default 'public'
   */
  schema?: string
  /**
   * The table (letters, digits and `_`, at most 48 characters: its indexes and migrations table
   * are named after it).
   * @default 'eventrouter_outbox'
   */
  table?: string
  /**
   * The router's catalog: `publish()` then validates payloads against it, so that a bad event
   * fails your transaction (`ValidationError`) instead of a later relay, and `publish()` is typed
   * by event name like `emit()`. Use the catalog the router has.
   * @default undefined: any event name and JSON payload are accepted
   */
  catalog?: C
  /**
   * Whether `publish()` wakes the relays with `pg_notify()` in your transaction (sent on
   * commit only). Without it, relays find new events by polling (`pollIntervalMs`). NOTIFY
   * serializes commits that use it in PostgreSQL: turn it off if that shows up at your rates.
   * @default true
   */
  notify?: boolean
  /**
   * The LISTEN/NOTIFY channel (at most 63 characters).
   * @default `<schema>.<table>` (its start and a hash past 63 characters)
   */
  channel?: string
}

/** {@link PostgresOutboxOptions} after validation, with defaults applied. */
export interface ResolvedPostgresOutboxOptions {
  readonly pool: PostgresPool
  readonly schema: string
  readonly table: string
  readonly catalog: Catalog | undefined
  readonly notify: boolean
  readonly channel: string
}

/** The defaults of {@link PostgresOutboxOptions} (`channel`'s depends on `schema` and `table`). */
export const POSTGRES_OUTBOX_DEFAULTS = {
  /** {@link PostgresOutboxOptions.schema}: the `public` schema. */
  schema: 'public',
  /** {@link PostgresOutboxOptions.table}: `eventrouter_outbox`. */
  table: 'eventrouter_outbox',
  /** {@link PostgresOutboxOptions.notify}: `publish()` wakes the relays with `pg_notify()`. */
  notify: true,
} as const

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/
/** A schema or table name: `expected letters, digits and _ ..., got \`drop table\` (string)`. */
const identifier = (max: number) =>
  z.unknown().superRefine((value, context) => {
    if (typeof value === 'string' && IDENTIFIER.test(value) && value.length <= max) return
    context.addIssue({
      code: 'custom',
      message: `expected 1–${max} letters, digits and _, starting with a letter or _, got ${describe(value)}`,
    })
  })

const optionsSchema = z.strictObject(
  {
    pool: z
      .object(
        { connect: z.function(), query: z.function(), on: z.function(), removeListener: z.function() },
        'expected a node-postgres Pool (new pg.Pool(...))',
      )
      .loose(),
    schema: identifier(63).optional(),
    table: identifier(48).optional(),
    catalog: z
      .object(
        { has: z.function(), validatePayload: z.function() },
        'expected a catalog made by defineCatalog()',
      )
      .loose()
      .optional(),
    notify: z.boolean().optional(),
    channel: z.string('expected a string').min(1).max(63, 'expected 1–63 characters').optional(),
  },
  'expected an options object { pool, schema?, table?, catalog?, notify?, channel? }',
)

/** Validates options and applies defaults. Throws `ValidationError` naming the option. */
export function resolvePostgresOutboxOptions(
  options: PostgresOutboxOptions<Catalog | undefined>,
): ResolvedPostgresOutboxOptions {
  parseInput(optionsSchema, options, 'postgresOutbox() options')
  assertNoForbiddenKeys(options, 'postgresOutbox() options', '')
  const schema = options.schema ?? POSTGRES_OUTBOX_DEFAULTS.schema
  const table = options.table ?? POSTGRES_OUTBOX_DEFAULTS.table
  return {
    pool: options.pool,
    schema,
    table,
    catalog: options.catalog,
    notify: options.notify ?? POSTGRES_OUTBOX_DEFAULTS.notify,
    channel: options.channel ?? defaultChannel(schema, table),
  }
}
