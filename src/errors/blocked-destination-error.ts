import { EventRouterError } from './event-router-error.js'

/**
 * Why a destination address was refused: the kind of special-purpose range it is in (IANA
 * special-purpose address registries), e.g. `loopback`, `private`, `link-local`. IPv6 forms
 * that embed an IPv4 address report the range of that IPv4 address; `ipv4-translated` covers
 * the translation forms that are refused outright, and `reserved` everything else that is not
 * globally reachable. See `classifyAddress()` and docs/network-security.md.
 */
export type BlockedRange =
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'shared'
  | 'link-local'
  | 'multicast'
  | 'reserved'
  | 'documentation'
  | 'benchmarking'
  | 'broadcast'
  | 'unique-local'
  | 'site-local'
  | 'ipv4-translated'

/**
 * A transport refused to connect to a destination because its address is in a range the
 * router does not send to by default (loopback, private, link-local such as cloud metadata
 * at 169.254.169.254, multicast, reserved...), checked after DNS resolution. Never retried:
 * the delivery fails with `ERR_BLOCKED_DESTINATION`. Allow such addresses with the
 * transport's `allowPrivateNetworks` or `allowedAddresses` options.
 */
export class BlockedDestinationError extends EventRouterError {
  override readonly code = 'ERR_BLOCKED_DESTINATION' as const
  /** The host name (or IP literal) of the URL. */
  readonly host: string
  /** The address that was refused (the first one, when the name resolved to several). */
  readonly address: string
  /** The range it is in. */
  readonly range: BlockedRange

  constructor(host: string, address: string, range: BlockedRange, message: string) {
    super('ERR_BLOCKED_DESTINATION', message)
    this.name = 'BlockedDestinationError'
    this.host = host
    this.address = address
    this.range = range
  }
}
