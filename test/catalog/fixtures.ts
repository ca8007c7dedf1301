import { z } from 'zod'
import { InvalidFilterError } from '../../src/errors/invalid-filter-error.js'
import { ValidationError } from '../../src/errors/validation-error.js'

/** A payload schema exercising every shape the catalog reads: nesting, arrays, enums, dates, maps. */
export const shopSchema = z.strictObject({
  coins: z.int().nonnegative().describe('Coins credited'),
  total: z.number().describe('Order total'),
  status: z.enum(['pending', 'paid', 'refunded']),
  note: z.string().optional(),
  paidAt: z.iso.datetime().nullable(),
  birthday: z.iso.date().optional(),
  vip: z.boolean(),
  customer: z.strictObject({
    id: z.string(),
    tier: z.string().nullable(),
    email: z.email(),
    address: z.strictObject({ city: z.string(), zip: z.string() }).optional(),
  }),
  tags: z.array(z.string()),
  scores: z.array(z.int()),
  channels: z.array(z.enum(['email', 'sms'])),
  items: z.array(z.strictObject({ sku: z.string(), qty: z.int().positive(), price: z.number() })),
  metadata: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
})

/** The error `fn` throws, which must be a ValidationError (InvalidFilterError included). */
export function thrown<E extends ValidationError = ValidationError>(fn: () => unknown): E {
  try {
    fn()
  } catch (error) {
    if (error instanceof ValidationError) return error as E
    throw error
  }
  throw new Error('expected a ValidationError, nothing was thrown')
}

/** The issues of the InvalidFilterError `fn` throws, as `path: message` strings. */
export function filterIssues(fn: () => unknown): string[] {
  const error: ValidationError = thrown(fn)
  if (!(error instanceof InvalidFilterError))
    throw new Error(`expected an InvalidFilterError, got ${error.name}`)
  return error.issues.map((issue) => `${issue.path}: ${issue.message}`)
}
