import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import { BlockList, isIP, type LookupFunction } from 'node:net'
import { BlockedDestinationError } from '../errors/blocked-destination-error.js'
import { addSubnet, classifyAddress } from './address-policy.js'

/** Options of {@link createNetworkGuard}, also accepted by the built-in transports. */
export interface NetworkGuardOptions {
  /**
   * Sends to every address, loopback, private and link-local (cloud metadata at
   * 169.254.169.254) included: the address check is off. Meant for local demos, tests and
   * destinations you fully control; prefer `allowedAddresses` to open only what you need.
   * Redirects are still never followed.
   * @default false
   */
  allowPrivateNetworks?: boolean
  /**
   * IP addresses and CIDR ranges that may be connected to even though they are in a blocked
   * range, e.g. `['127.0.0.1']` for a local stand-in or `['10.20.0.0/16']` for an internal
   * network. They are matched against the resolved address, never against host names. An
   * IPv4 entry also allows its IPv4-mapped IPv6 form (`::ffff:127.0.0.1`).
   * @default []
   */
  allowedAddresses?: readonly string[]
}

/**
 * Refuses connections to special-purpose addresses (see {@link classifyAddress}) after DNS
 * resolution, and pins the connection to the addresses it checked. The built-in transports
 * use one by default; a custom transport uses its `lookup` and `check` the same way.
 */
export interface NetworkGuard {
  /** True when `allowPrivateNetworks` is set: every address is allowed. */
  readonly allowsAll: boolean
  /**
   * The error to fail with when `address`, which `host` resolved to (or `host` itself, when it
   * is an IP literal), may not be connected to; `undefined` when it may.
   */
  check(host: string, address: string): BlockedDestinationError | undefined
  /**
   * Checks the host of a URL when it is an IP literal, in any spelling the URL parser accepts
   * (`2130706433`, `0177.0.0.1` and `127.1` are all 127.0.0.1). Host names pass: they are
   * checked by {@link NetworkGuard.lookup} when the socket connects. Use it before handing a
   * request to a client that connects without calling `lookup` for IP literals, as
   * `net.connect` does.
   */
  checkUrl(url: string): BlockedDestinationError | undefined
  /**
   * A `dns.lookup` for `net.connect`, `http.Agent` or undici's `connect` option: it resolves
   * every address of the name, fails with a {@link BlockedDestinationError} when any of them
   * is blocked (a DNS answer mixing public and private addresses is refused), and otherwise
   * hands the socket exactly the addresses it checked, so that the connection goes to one of
   * them and no second resolution can swap in another (DNS rebinding).
   */
  readonly lookup: LookupFunction
}

/**
 * Creates the address guard the built-in transports use. Custom transports can use it too:
 * `new http.Agent({ lookup: guard.lookup })`, plus `guard.checkUrl(url)` for IP literals.
 *
 * @example
 * const guard = createNetworkGuard({ allowedAddresses: ['10.20.0.0/16'] })
 * guard.check('metadata.internal', '169.254.169.254') // BlockedDestinationError (link-local)
 */
export function createNetworkGuard(options: NetworkGuardOptions = {}): NetworkGuard {
  const { allowPrivateNetworks = false, allowedAddresses = [] } = options
  if (typeof allowPrivateNetworks !== 'boolean') {
    throw new TypeError(
      `Expected \`allowPrivateNetworks\` to be a boolean, got \`${String(allowPrivateNetworks)}\` (${typeof allowPrivateNetworks}).`,
    )
  }
  const allowed = allowList(allowedAddresses)

  const check = (host: string, address: string): BlockedDestinationError | undefined => {
    if (allowPrivateNetworks) return undefined
    const family = isIP(address)
    if (family !== 0 && allowed.check(address, family === 4 ? 'ipv4' : 'ipv6')) return undefined
    const blocked = classifyAddress(address)
    if (!blocked) return undefined
    const where = host === address ? `${address}: it is` : `${host}: it resolves to ${address}, which is`
    return new BlockedDestinationError(
      host,
      address,
      blocked.range,
      `Refused to connect to ${where} in the ${blocked.range} range (${blocked.subnet}). ` +
        'The transport does not send to loopback, private, link-local (cloud metadata) or other ' +
        'special-purpose addresses unless told to. If this destination is yours, pass ' +
        `\`allowedAddresses: ['${address}']\` (or \`allowPrivateNetworks: true\`) to the transport.`,
    )
  }

  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    dnsLookup(hostname, { ...lookupOptions, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '')
      const [first] = addresses
      if (!first) return callback(notFound(hostname), '')
      for (const { address } of addresses) {
        const refused = check(hostname, address)
        if (refused) return callback(refused, '')
      }
      // net.connect asks for every address when it races IPv4 and IPv6 (autoSelectFamily,
      // the default on Node 20), for one otherwise.
      if (lookupOptions.all) callback(null, addresses)
      else callback(null, first.address, first.family)
    })
  }

  return {
    allowsAll: allowPrivateNetworks,
    check,
    checkUrl(url) {
      if (allowPrivateNetworks) return undefined
      const host = literalHost(url)
      return host === undefined ? undefined : check(host, host)
    },
    lookup,
  }
}

/** The host of a URL when it is an IP literal (IPv6 without its brackets), else undefined. */
function literalHost(url: string): string | undefined {
  let hostname: string
  try {
    hostname = new URL(url).hostname
  } catch {
    return undefined // not a URL: the client will refuse it on its own
  }
  const host = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname
  return isIP(host) === 0 ? undefined : host
}

function allowList(entries: unknown): BlockList {
  if (!Array.isArray(entries)) {
    throw new TypeError(
      `Expected \`allowedAddresses\` to be an array of IP addresses or CIDR ranges, got \`${String(entries)}\` (${typeof entries}).`,
    )
  }
  const list = new BlockList()
  entries.forEach((entry: unknown, index) => {
    try {
      if (typeof entry !== 'string') throw new TypeError('not a string')
      addSubnet(list, entry)
    } catch {
      throw new TypeError(
        `Expected \`allowedAddresses[${index}]\` to be an IP address or a CIDR range such as \`10.0.0.0/8\`, got \`${String(entry)}\` (${typeof entry}).`,
      )
    }
  })
  return list
}

function notFound(hostname: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
    code: 'ENOTFOUND',
    hostname,
  })
}
