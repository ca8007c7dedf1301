import { idSchema } from './ids.js'

/**
 * A tenant id, as hosts give it (a merchant id): 1–128 chars of letters, digits, `_ . : -`,
 * starting with a letter or digit. `null` is the platform scope: the host's own records.
 */
export const tenantSchema = idSchema

/**
 * The key of an id within its scope: `/<id>` for the platform, `<tenant>/<id>` for a tenant.
 * Neither tenant ids nor record ids can hold `/`, so two scopes never share a key.
 */
export function scopedKey(tenant: string | null, id: string): string {
  // An id from an untyped caller may be anything (a Symbol, an object String() throws on):
  // it names nothing, so it gets a key no record has.
  if (typeof id !== 'string') return NO_KEY
  return tenant === null ? `/${id}` : `${tenant}/${id}`
}

/** The key of no record. */
const NO_KEY = '\u0000'

/** The key of a scope alone (`''` for the platform), for maps of per-scope indexes. */
export function scopeKey(tenant: string | null): string {
  return tenant ?? ''
}
