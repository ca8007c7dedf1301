import { Buffer } from 'node:buffer'
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { ValidationError } from '../errors/validation-error.js'
import type { MaybePromise, SealedSecrets } from './store.js'

/** A key that seals integration secrets at rest: 32 bytes for AES-256-GCM. */
export interface SecretKey {
  /** Stable id, stored beside each sealed value so the right key opens it (e.g. `2026-11`). */
  readonly id: string
  /** The 32-byte key, as bytes or base64. Keep it out of the store: an environment variable, a KMS. */
  readonly key: Uint8Array | string
}

/** Which integration a secret belongs to: bound into the seal, so a sealed value cannot be moved to another. */
export interface SecretOwner {
  /** The tenant the integration belongs to, or `null` for the platform. */
  readonly tenant: string | null
  /** The integration's id within its tenant. */
  readonly integrationId: string
  /** The integration's adapter type, e.g. `webhook`. */
  readonly type: string
}

/**
 * How integration secrets (the adapter's secret config fields: API keys, webhook secrets) are
 * kept in a durable store:
 * - `{ keys }`: encrypted with AES-256-GCM. The first key seals; every key listed opens, so a key
 *   is rotated by putting the new one first: `start()` seals again with it whatever an older key
 *   sealed, after which the old key can be dropped.
 * - `{ resolve }`: never written; `start()` asks the host for each integration's secret fields
 *   (from a vault, the environment).
 * - `'plaintext'`: written as they are. Only for stores that are themselves protected.
 */
export type SecretsAtRest =
  | {
      /** The keys, newest first: the first seals, every one opens. At least one; ids are unique. */
      readonly keys: readonly SecretKey[]
    }
  | {
      /**
       * Gives the secret config fields of the integration `owner` (by field name), called by
       * `start()` for each stored integration. An error it throws or rejects with fails the start.
       */
      readonly resolve: (owner: SecretOwner) => MaybePromise<Readonly<Record<string, unknown>>>
    }
  | 'plaintext'

const IV_BYTES = 12
const KEY_BYTES = 32

/** Seals and opens the secret fields of integrations as {@link SecretsAtRest} says. */
export class SecretSealer {
  readonly #policy: SecretsAtRest
  readonly #keys: ReadonlyMap<string, Buffer>
  readonly #sealingKey: string | undefined

  /** @throws {ValidationError} naming the key at fault when a key is not 32 bytes or ids repeat */
  constructor(policy: SecretsAtRest) {
    this.#policy = policy
    const keys = new Map<string, Buffer>()
    if (typeof policy === 'object' && 'keys' in policy) {
      if (policy.keys.length === 0) {
        throw new ValidationError('EventRouter options', [
          { path: 'secrets.keys', message: 'expected at least one key: the first seals, all open' },
        ])
      }
      policy.keys.forEach((entry, index) => {
        const bytes =
          typeof entry.key === 'string' ? Buffer.from(entry.key, 'base64') : Buffer.from(entry.key)
        if (typeof entry.id !== 'string' || entry.id === '' || keys.has(entry.id)) {
          throw new ValidationError('EventRouter options', [
            { path: `secrets.keys.${index}.id`, message: 'expected a unique, non-empty key id' },
          ])
        }
        if (bytes.length !== KEY_BYTES) {
          throw new ValidationError('EventRouter options', [
            {
              path: `secrets.keys.${index}.key`,
              message: `expected ${KEY_BYTES} bytes (base64 of 32 random bytes, e.g. from \`openssl rand -base64 32\`), got ${bytes.length}`,
            },
          ])
        }
        keys.set(entry.id, bytes)
      })
    }
    this.#keys = keys
    this.#sealingKey = keys.keys().next().value
  }

  /** Seals the secret fields of an integration for the store. */
  seal(values: Readonly<Record<string, unknown>>, owner: SecretOwner): SealedSecrets {
    if (this.#policy === 'plaintext') return { format: 'plain', values }
    const keyId = this.#sealingKey
    if (keyId === undefined) return { format: 'external' }
    const iv = randomBytes(IV_BYTES)
    const cipher = createCipheriv('aes-256-gcm', this.#keys.get(keyId) as Buffer, iv)
    cipher.setAAD(associatedData(owner))
    const data = Buffer.concat([cipher.update(JSON.stringify(values), 'utf8'), cipher.final()])
    return {
      format: 'aes-256-gcm',
      keyId,
      iv: iv.toString('base64'),
      data: data.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
    }
  }

  /**
   * The secret fields sealed in `sealed`. Throws an Error that names the integration (never a
   * secret) when they cannot be opened: an unknown key id, a tampered or moved value, a resolver
   * that fails.
   */
  async open(sealed: SealedSecrets, owner: SecretOwner): Promise<Readonly<Record<string, unknown>>> {
    const policy = this.#policy
    if (typeof policy === 'object' && 'resolve' in policy) {
      const values = await policy.resolve(owner)
      if (values === null || typeof values !== 'object') {
        throw new Error(`secrets.resolve() returned no object for integration \`${owner.integrationId}\``)
      }
      return values
    }
    switch (sealed.format) {
      case 'plain':
        return sealed.values
      case 'external':
        throw new Error(
          `the secrets of integration \`${owner.integrationId}\` were kept out of the store; pass \`secrets: { resolve }\``,
        )
      case 'aes-256-gcm': {
        const key = this.#keys.get(sealed.keyId)
        if (!key) {
          throw new Error(
            `the secrets of integration \`${owner.integrationId}\` were sealed with key \`${sealed.keyId}\`, which is not in \`secrets.keys\``,
          )
        }
        try {
          const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'))
          decipher.setAAD(associatedData(owner))
          decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'))
          const text = Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()])
          return JSON.parse(text.toString('utf8')) as Record<string, unknown>
        } catch {
          throw new Error(
            `the secrets of integration \`${owner.integrationId}\` do not open with key \`${sealed.keyId}\`: the key is wrong or the stored value was altered`,
          )
        }
      }
    }
  }

  /** Whether a sealed value should be sealed again: it was sealed by a key that is no longer the first. */
  isStale(sealed: SealedSecrets): boolean {
    if (this.#policy === 'plaintext') return sealed.format !== 'plain'
    if (this.#sealingKey === undefined) return sealed.format !== 'external'
    return sealed.format !== 'aes-256-gcm' || sealed.keyId !== this.#sealingKey
  }
}

function associatedData(owner: SecretOwner): Buffer {
  return Buffer.from(JSON.stringify([owner.tenant, owner.integrationId, owner.type]), 'utf8')
}
