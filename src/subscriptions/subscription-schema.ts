import { z } from 'zod'
import { isEventName } from '../events/event-name.js'
import { idSchema } from '../shared/ids.js'

const eventName = z
  .string()
  .refine(
    isEventName,
    'expected an event name such as `wallet.coins_rewarded` (letters, digits, _ . : / -, at most 200 chars)',
  )

/** `'*'`, one event name, or a non-empty list of distinct event names. */
export const eventSelectorSchema = z.union([
  z.literal('*'),
  eventName,
  z
    .array(eventName)
    .min(1, 'expected at least one event name')
    .refine((names) => new Set(names).size === names.length, 'expected distinct event names'),
])

/** A prefix for outgoing event names; `null` means none. */
export const eventNamePrefixSchema = z
  .string()
  .min(1, 'expected a non-empty prefix, or null for none')
  .max(100, 'expected at most 100 characters')
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  .refine((prefix) => !/[\u0000-\u001f\u007f]/.test(prefix), 'control characters are not allowed')
  .nullable()

/** Fields common to create and update; the filter is checked separately by parseFilter. */
const fields = {
  event: eventSelectorSchema,
  integrationId: z.string().min(1, 'expected an integration id'),
  filter: z.unknown(),
  eventNamePrefix: eventNamePrefixSchema,
  enabled: z.boolean(),
}

export const subscriptionInputSchema = z.strictObject({
  id: idSchema.optional(),
  event: fields.event,
  integrationId: fields.integrationId,
  filter: fields.filter.optional(),
  eventNamePrefix: fields.eventNamePrefix.optional(),
  enabled: fields.enabled.optional(),
})

export const subscriptionPatchSchema = z.strictObject({
  event: fields.event.optional(),
  integrationId: fields.integrationId.optional(),
  filter: fields.filter.optional(),
  eventNamePrefix: fields.eventNamePrefix.optional(),
  enabled: fields.enabled.optional(),
})

/** The query of `list()`: strict, so that a misspelt key does not silently list everything. */
export const subscriptionQuerySchema = z.strictObject({
  event: z.string().optional(),
  integrationId: z.string().optional(),
})

/** The options of `test()`; `retries` is checked against the router's retry policy by the sender. */
export const testSendOptionsSchema = z.strictObject({
  event: z.string().optional(),
  retries: z.unknown().optional(),
  signal: z.instanceof(AbortSignal, { error: 'expected an AbortSignal' }).optional(),
})
