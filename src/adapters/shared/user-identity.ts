import { readIdentityValue } from './read-identifier.js'

/** Payload paths of a `userId` and an `anonymousId`, as analytics destinations take them. */
export interface UserIdentityMapping {
  readonly userId?: string | undefined
  readonly anonymousId?: string | undefined
}

/**
 * The `userId` and `anonymousId` of an event (see {@link readIdentityValue}). Throws, naming
 * `destination` and the configured paths, when neither resolves.
 */
export function resolveUserIdentity(
  payload: Readonly<Record<string, unknown>>,
  mapping: UserIdentityMapping,
  destination: string,
): { userId: string | undefined; anonymousId: string | undefined } {
  const userId = readIdentityValue(payload, mapping.userId)
  const anonymousId = readIdentityValue(payload, mapping.anonymousId)
  if (userId === undefined && anonymousId === undefined) {
    const paths = Object.entries(mapping)
      .filter(([, path]) => path !== undefined)
      .map(([field, path]) => `\`${path}\` (identity.${field})`)
      .join(' or ')
    throw new Error(
      `${destination} needs a \`userId\` or an \`anonymousId\`, but the payload has no non-empty string or number at ${paths}.`,
    )
  }
  return { userId, anonymousId }
}
