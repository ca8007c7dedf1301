/**
 * What `publish()` writes through: anything that runs one parameterised SQL statement inside the
 * host's own transaction. A node-postgres client between `BEGIN` and `COMMIT` is one as it is;
 * Knex, Drizzle, Kysely and Prisma need one line each (docs/outbox.md), or see
 * `templateExecutor()` for the libraries whose raw SQL is a tagged template.
 *
 * The statements the outbox sends use PostgreSQL's `$1`, `$2`, ... placeholders, each exactly
 * once and in order, and bind only strings and `null`: a library with `?` placeholders can
 * rewrite `$n` to `?` safely.
 */
export interface OutboxExecutor {
  /**
   * Runs `text` with `values` bound to its placeholders, in the transaction the business change
   * is made in, and resolves with the result: a node-postgres `QueryResult` (`{ rows, rowCount }`),
   * an array of rows, or a row count. A rejection is passed on to the caller of `publish()` as it
   * is (a serialization failure keeps its SQLSTATE for the host's retry loop).
   */
  query(text: string, values: unknown[]): PromiseLike<unknown>
}

/** The rows a statement's result says it returned, or `undefined` when its shape says nothing. */
export function rowsReturned(result: unknown): number | undefined {
  if (typeof result === 'number') return result
  if (typeof result === 'bigint') return Number(result)
  if (Array.isArray(result)) return result.length
  if (typeof result === 'object' && result !== null) {
    const { rows, rowCount } = result as { rows?: unknown; rowCount?: unknown }
    if (Array.isArray(rows)) return rows.length
    if (typeof rowCount === 'number') return rowCount
  }
  return undefined
}
