/** Node's socket errors that mean the database could not be reached or the connection died. */
const SOCKET_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
])

/** What node-postgres says, without a code, when a connection ends or cannot be made in time. */
const LOSS_MESSAGES =
  /Connection terminated|connection error|timeout exceeded when trying to connect|Connection ended/i

/**
 * Whether a database error means the connection was lost or could not be made (the server
 * restarting, a failover, the network), rather than a statement the server refused:
 * SQLSTATE class 08 (connection exception), 57P01–57P03 (the server shutting down, crashed or
 * starting up), 53300 (too many connections), socket errors, and node-postgres's own.
 */
export function isConnectionLoss(error: unknown): boolean {
  if (!(error instanceof Error)) return false
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string') {
    if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03') return true
    if (code === '53300' || SOCKET_CODES.has(code)) return true
  }
  return LOSS_MESSAGES.test(error.message)
}
