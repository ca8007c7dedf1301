import { BlockList, isIP } from 'node:net'
import type { BlockedRange } from '../errors/blocked-destination-error.js'

/** Why {@link classifyAddress} refuses an address: its range and the subnet that matched. */
export interface BlockedAddress {
  /** The kind of special-purpose range, e.g. `loopback`. */
  readonly range: BlockedRange
  /** The subnet that matched, in CIDR notation, e.g. `127.0.0.0/8`. */
  readonly subnet: string
}

// Every range that is not globally reachable in the IANA special-purpose address registries:
//   https://www.iana.org/assignments/iana-ipv4-special-registry/
//   https://www.iana.org/assignments/iana-ipv6-special-registry/
// plus IPv4 multicast and class E (RFC 5771, RFC 1112), and, for IPv6, everything outside
// the global unicast space 2000::/3 (https://www.iana.org/assignments/ipv6-address-space/).
// First match wins: the broadcast address comes before 240.0.0.0/4, which contains it.
const IPV4: readonly (readonly [BlockedRange, string])[] = [
  ['unspecified', '0.0.0.0/8'], // "this network", RFC 791
  ['private', '10.0.0.0/8'], // RFC 1918
  ['shared', '100.64.0.0/10'], // carrier-grade NAT, RFC 6598
  ['loopback', '127.0.0.0/8'], // RFC 1122
  ['link-local', '169.254.0.0/16'], // RFC 3927; cloud metadata services at 169.254.169.254
  ['private', '172.16.0.0/12'], // RFC 1918
  ['reserved', '192.0.0.0/24'], // IETF protocol assignments, RFC 6890
  ['documentation', '192.0.2.0/24'], // TEST-NET-1, RFC 5737
  ['reserved', '192.88.99.0/24'], // deprecated 6to4 relay anycast, RFC 7526
  ['private', '192.168.0.0/16'], // RFC 1918
  ['benchmarking', '198.18.0.0/15'], // RFC 2544
  ['documentation', '198.51.100.0/24'], // TEST-NET-2, RFC 5737
  ['documentation', '203.0.113.0/24'], // TEST-NET-3, RFC 5737
  ['multicast', '224.0.0.0/4'], // RFC 5771
  ['broadcast', '255.255.255.255/32'], // limited broadcast, RFC 919
  ['reserved', '240.0.0.0/4'], // class E, RFC 1112
]

const IPV6: readonly (readonly [BlockedRange, string])[] = [
  ['unspecified', '::/128'], // RFC 4291
  ['loopback', '::1/128'], // RFC 4291
  ['ipv4-translated', '::/96'], // deprecated IPv4-compatible addresses, RFC 4291 §2.5.5.1
  ['ipv4-translated', '::ffff:0:0:0/96'], // IPv4-translated addresses (SIIT), RFC 2765
  ['ipv4-translated', '64:ff9b:1::/48'], // local-use IPv4/IPv6 translation, RFC 8215
  ['reserved', '100::/64'], // discard-only, RFC 6666
  ['benchmarking', '2001:2::/48'], // RFC 5180
  ['reserved', '2001::/23'], // IETF protocol assignments (Teredo 2001::/32 included), RFC 2928
  ['documentation', '2001:db8::/32'], // RFC 3849
  ['documentation', '3fff::/20'], // RFC 9637
  ['reserved', '5f00::/16'], // segment routing (SRv6) SIDs, RFC 9602
  ['unique-local', 'fc00::/7'], // RFC 4193
  ['link-local', 'fe80::/10'], // RFC 4291
  ['site-local', 'fec0::/10'], // deprecated, RFC 3879
  ['multicast', 'ff00::/8'], // RFC 4291
]

// IPv6 forms that carry an IPv4 address and reach it: IPv4-mapped ::ffff:0:0/96 (RFC 4291),
// the NAT64 well-known prefix 64:ff9b::/96 (RFC 6052) and 6to4 2002::/16 (RFC 3056). They are
// judged by the IPv4 address they embed. BlockList matches IPv4 rules against IPv4-mapped
// addresses by itself (checked on Node 20: `::ffff:7f00:1` is in 127.0.0.0/8); the other two
// forms get an IPv6 copy of each IPv4 rule.
const EMBEDDING_V4 = ['::ffff:0:0/96', '64:ff9b::/96', '2002::/16'] as const

interface Rule {
  readonly range: BlockedRange
  readonly subnet: string
  readonly list: BlockList
}

function rule(range: BlockedRange, subnet: string, ...alsoAs: string[]): Rule {
  const list = new BlockList()
  for (const cidr of [subnet, ...alsoAs]) addSubnet(list, cidr)
  return { range, subnet, list }
}

/** Adds `address/prefix` to a BlockList, or throws a TypeError when it is no such thing. */
export function addSubnet(list: BlockList, cidr: string): void {
  const slash = cidr.indexOf('/')
  const address = slash === -1 ? cidr : cidr.slice(0, slash)
  const family = isIP(address)
  const bits = family === 4 ? 32 : 128
  const suffix = slash === -1 ? String(bits) : cidr.slice(slash + 1)
  const prefix = Number(suffix)
  if (family === 0 || !/^\d{1,3}$/.test(suffix) || prefix > bits) {
    throw new TypeError(`\`${cidr}\` is not an IP address nor a CIDR range`)
  }
  list.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6')
}

/** The IPv6 copies of an IPv4 rule under NAT64 and 6to4. */
function embedded(cidr: string): string[] {
  const [address = '', prefix = '32'] = cidr.split('/')
  const [a = 0, b = 0, c = 0, d = 0] = address.split('.').map(Number)
  const hex = (high: number, low: number) => ((high << 8) | low).toString(16)
  return [
    `64:ff9b::${address}/${96 + Number(prefix)}`,
    `2002:${hex(a, b)}:${hex(c, d)}::/${16 + Number(prefix)}`,
  ]
}

const IPV4_RULES = IPV4.map(([range, subnet]) => rule(range, subnet))
const EMBEDDED_V4_RULES = IPV4.map(([range, subnet]) => rule(range, subnet, ...embedded(subnet)))
const IPV6_RULES = IPV6.map(([range, subnet]) => rule(range, subnet))
const EMBEDDING = new BlockList()
for (const cidr of EMBEDDING_V4) addSubnet(EMBEDDING, cidr)
const GLOBAL_UNICAST = new BlockList()
addSubnet(GLOBAL_UNICAST, '2000::/3')

/**
 * Says whether an IP address is in a range the built-in transports refuse by default, and
 * which: loopback, private, shared (CGNAT), link-local (cloud metadata), multicast, broadcast,
 * documentation, benchmarking, unique-local, site-local, translation or otherwise reserved
 * addresses, following the IANA IPv4 and IPv6 special-purpose address registries. IPv6 forms
 * that embed an IPv4 address (`::ffff:127.0.0.1`, `64:ff9b::a9fe:a9fe`, `2002:7f00:1::`) are
 * judged by that IPv4 address. Anything that is not an IP address is refused as `reserved`.
 *
 * @returns the range and subnet, or `undefined` when the address is globally reachable.
 * @example
 * classifyAddress('169.254.169.254') // { range: 'link-local', subnet: '169.254.0.0/16' }
 * classifyAddress('93.184.215.14') // undefined
 */
export function classifyAddress(address: string): BlockedAddress | undefined {
  const family = isIP(address)
  if (family === 4) return match(IPV4_RULES, address, 'ipv4')
  if (family !== 6) return { range: 'reserved', subnet: 'not an IP address' }
  const v4 = match(EMBEDDED_V4_RULES, address, 'ipv6')
  if (v4) return v4
  if (EMBEDDING.check(address, 'ipv6')) return undefined // embeds a public IPv4 address
  const v6 = match(IPV6_RULES, address, 'ipv6')
  if (v6) return v6
  return GLOBAL_UNICAST.check(address, 'ipv6') ? undefined : { range: 'reserved', subnet: 'outside 2000::/3' }
}

function match(rules: readonly Rule[], address: string, family: 'ipv4' | 'ipv6'): BlockedAddress | undefined {
  for (const { range, subnet, list } of rules) {
    if (list.check(address, family)) return { range, subnet }
  }
  return undefined
}
