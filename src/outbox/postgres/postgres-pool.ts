/*
 * The parts of node-postgres the outbox uses, as structural types: a `pg.Pool` fits them (and so
 * does a pg-compatible pool), and the outbox needs neither `pg` at run time nor `@types/pg` in
 * the host's type check.
 */

/** What a query resolves with: a node-postgres `QueryResult`, as far as the outbox reads it. */
export interface PostgresQueryResult {
  /** The rows the statement returned. */
  readonly rows: readonly Record<string, unknown>[]
  /** The rows it returned or changed, when the server says. */
  readonly rowCount: number | null
}

/** A LISTEN notification, as node-postgres emits it. */
export interface PostgresNotification {
  /** The channel it was sent on. */
  readonly channel: string
  /** What was sent with it (the outbox sends none). */
  readonly payload?: string | undefined
}

/** A connection checked out of the pool: a `pg.PoolClient`. */
export interface PostgresPoolClient {
  /** Runs one statement on this connection. */
  query(text: string, values?: unknown[]): Promise<PostgresQueryResult>
  /** Returns it to the pool; with an error, the pool destroys it instead. */
  release(error?: Error | boolean): void
  /** Listens for the connection's errors (a lost connection, a server that shut down). */
  on(event: 'error', listener: (error: Error) => void): unknown
  /** Listens for the LISTEN notifications the connection receives. */
  on(event: 'notification', listener: (message: PostgresNotification) => void): unknown
  /** Listens for the connection's end (the server closed it). */
  on(event: 'end', listener: () => void): unknown
  /** Stops listening for the connection's errors. */
  removeListener(event: 'error', listener: (error: Error) => void): unknown
  /** Stops listening for notifications. */
  removeListener(event: 'notification', listener: (message: PostgresNotification) => void): unknown
  /** Stops listening for the connection's end. */
  removeListener(event: 'end', listener: () => void): unknown
}

/** A node-postgres `pg.Pool` (yours: the outbox never ends it). */
export interface PostgresPool {
  /** Checks a connection out (for a claim's transaction, or to LISTEN). */
  connect(): Promise<PostgresPoolClient>
  /** Runs one statement on any connection (pruning). */
  query(text: string, values?: unknown[]): Promise<PostgresQueryResult>
  /** Listens for errors of idle connections (a relay does while it runs). */
  on(event: 'error', listener: (error: Error, client: unknown) => void): unknown
  /** Stops listening. */
  removeListener(event: 'error', listener: (error: Error, client: unknown) => void): unknown
}
