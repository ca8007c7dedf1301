import { StoreError } from '../../errors/store-error.js'

/** The failures a host can do something about, each with its advice. */
export type FailureKind = 'busy' | 'corrupt' | 'full' | 'readonly' | 'cantopen' | 'ioerr'

// libsql and better-sqlite3 name the (possibly extended) result code, e.g. `SQLITE_IOERR_SHORT_READ`.
const BY_NAME: readonly (readonly [string, FailureKind])[] = [
  ['SQLITE_BUSY', 'busy'],
  ['SQLITE_LOCKED', 'busy'],
  ['SQLITE_CORRUPT', 'corrupt'],
  ['SQLITE_NOTADB', 'corrupt'],
  ['SQLITE_FULL', 'full'],
  ['SQLITE_READONLY', 'readonly'],
  ['SQLITE_CANTOPEN', 'cantopen'],
  ['SQLITE_IOERR', 'ioerr'],
]

// node:sqlite gives the number (`errcode`); its low byte is the primary result code.
const BY_NUMBER: Readonly<Record<number, FailureKind>> = {
  5: 'busy',
  6: 'busy',
  8: 'readonly',
  10: 'ioerr',
  11: 'corrupt',
  13: 'full',
  14: 'cantopen',
  26: 'corrupt',
}

const ADVICE: Readonly<Record<FailureKind, string>> = {
  busy:
    'The file is in use by another router (another connection holds its lock, in this process or ' +
    'another): run one router per file, give this one its own `path`, or stop the other first',
  corrupt:
    'The file is corrupt or not a SQLite database. It was left as it is, not recreated: restore it from ' +
    'a backup, or point `path` elsewhere to start with an empty store',
  full: 'The disk is full: free some space',
  readonly:
    'The file or its directory is read-only: give the process write access to both (SQLite keeps a ' +
    '`-wal` file beside the database)',
  cantopen: 'The file cannot be opened: check that its directory exists and that the process may write there',
  ioerr: 'The disk reported an I/O error: check the disk and the file system',
}

/** What went wrong, as a context for the message: where in a batch, and what was (not) kept. */
export interface StoreErrorContext {
  /** Where it failed, e.g. `at operation 2 of 5 (putDelivery)`. */
  readonly detail?: string
  /** What the caller can rely on afterwards, e.g. `Nothing of the batch was kept`. */
  readonly outcome?: string
  /** The kind of failure, when the caller knows it better than the error's result code says. */
  readonly kind?: FailureKind
}

/**
 * The `StoreError` for a failure of the SQLite driver (or of the store's own checks) while doing
 * `operation`: the driver's message and result code, advice for the failures a host can fix
 * (file in use, corrupt, disk full, permissions), and the driver error as `cause`.
 * A `StoreError` is returned as it is.
 */
export function toStoreError(operation: string, error: unknown, context: StoreErrorContext = {}): StoreError {
  if (error instanceof StoreError) return error
  const reason = describeFailure(error)
  const parts = [context.detail === undefined ? reason : `${context.detail}: ${reason}`]
  const kind = context.kind ?? failureKind(error)
  if (kind !== undefined) parts.push(ADVICE[kind])
  if (context.outcome !== undefined) parts.push(context.outcome)
  return new StoreError(operation, `${parts.join('. ')}.`, { cause: error })
}

/** Whether `error` is SQLite saying the file is locked by another connection. */
export function isBusyError(error: unknown): boolean {
  return failureKind(error) === 'busy'
}

/** Whether `error` is SQLite saying the file is corrupt or not a database. */
export function isCorruptError(error: unknown): boolean {
  return failureKind(error) === 'corrupt'
}

function failureKind(error: unknown): FailureKind | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const { code, errcode, rawCode } = error as { code?: unknown; errcode?: unknown; rawCode?: unknown }
  if (typeof code === 'string') {
    const named = BY_NAME.find(([name]) => code === name || code.startsWith(`${name}_`))
    if (named) return named[1]
  }
  const number = typeof errcode === 'number' ? errcode : typeof rawCode === 'number' ? rawCode : undefined
  return number === undefined ? undefined : BY_NUMBER[number & 0xff]
}

function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return `the driver threw ${String(error)}`
  const { code, errcode } = error as { code?: unknown; errcode?: unknown }
  const message = error.message.replace(/[.\s]+$/, '')
  if (typeof code === 'string' && code.startsWith('SQLITE_')) return `${message} (${code})`
  if (typeof errcode === 'number') return `${message} (SQLite result code ${errcode})`
  return message
}
