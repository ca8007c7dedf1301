import { REDACTED } from '../shared/secret-scrubber.js'

export { REDACTED }

/** Returns a copy of `config` with each secret field replaced by {@link REDACTED}. */
export function redactConfig(
  config: Readonly<Record<string, unknown>>,
  secretFields: readonly string[],
): Readonly<Record<string, unknown>> {
  if (secretFields.length === 0) return config
  const copy: Record<string, unknown> = { ...config }
  for (const field of secretFields) {
    if (copy[field] !== undefined) copy[field] = REDACTED
  }
  return Object.freeze(copy)
}
