/**
 * Reads a dotted path (`customer.email`, `items.0.sku`) from an event payload. Returns
 * `undefined` when any step is missing. Only own properties are read, so a path can
 * never reach `__proto__` or `constructor`.
 */
export function readPath(payload: unknown, path: string): unknown {
  let current: unknown = payload
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return undefined
    current = (current as Record<string, unknown>)[key]
  }
  return current
}

/** Dotted payload paths as adapter configs name them: 1–200 chars, no empty part. */
export const PAYLOAD_PATH = /^[^.\s]+(\.[^.\s]+)*$/
