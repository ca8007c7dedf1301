import { randomUUID } from 'node:crypto'
import { z } from 'zod'

/** Ids given by the host (integration, subscription, event ids). */
export const idSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/,
    'expected 1–128 chars of letters, digits, _ . : - starting with a letter or digit',
  )

// 24 characters of a random UUID (74 random bits, its version and variant) per process, then
// a 48-bit counter: ids as unique across processes as random UUIDs, at a fraction of the cost
// of a randomUUID() call, twice per emit(). They are not secret: nothing relies on guessing them.
let prefix = randomUUID().slice(0, 24)
let counter = 0

/**
 * Generates the ids the router creates itself (events, deliveries, subscriptions): UUID-shaped
 * strings, 36 characters of lower-case hex and dashes, unique within and across processes.
 */
export function generateId(): string {
  if (counter === 0xff_ffff_ffff_ff) {
    prefix = randomUUID().slice(0, 24)
    counter = 0
  }
  counter++
  return prefix + counter.toString(16).padStart(12, '0')
}
