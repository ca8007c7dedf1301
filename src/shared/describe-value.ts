/**
 * Names what a value is, for messages such as "`$gte` expects a number, got object":
 * `null`, `undefined`, `array`, `empty array`, `object`, `string "gold"`, `boolean`, `number -1`,
 * `NaN`, `function`, or a class name such as `Date`.
 */
export function describeValue(value: unknown): string {
  try {
    return describeReadable(value)
  } catch {
    // A Proxy whose traps throw, or a revoked one, cannot even be looked at.
    return 'unreadable object'
  }
}

function describeReadable(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return value.length === 0 ? 'empty array' : 'array'
  switch (typeof value) {
    case 'string':
      return value.length <= 30 ? `string ${JSON.stringify(value)}` : 'string'
    case 'number':
      return Number.isFinite(value) ? `number ${value}` : String(value)
    case 'object': {
      const prototype: unknown = Object.getPrototypeOf(value)
      if (prototype === Object.prototype || prototype === null) return 'object'
      const name: unknown = (value as { constructor?: { name?: unknown } }).constructor?.name
      return typeof name === 'string' && name !== '' ? name : 'object'
    }
    default:
      return typeof value
  }
}
