import { randomUUID } from 'node:crypto'
import { z } from 'zod'

/** Ids given by the host (integration, subscription, event ids). */
export const idSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/,
    'expected 1–128 chars of letters, digits, _ . : - starting with a letter or digit',
  )

/** Generates the ids the router creates itself (events, deliveries, subscriptions). */
export const generateId: () => string = randomUUID
