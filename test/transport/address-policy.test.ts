import { describe, expect, it } from 'vitest'
import { classifyAddress } from '../../src/transport/address-policy.js'

describe('classifyAddress', () => {
  // One or more addresses from every range of the IANA IPv4 and IPv6 special-purpose address
  // registries that is not globally reachable, with the range name and subnet reported.
  it.each([
    // IPv4
    ['0.0.0.0', 'unspecified', '0.0.0.0/8'],
    ['0.1.2.3', 'unspecified', '0.0.0.0/8'],
    ['10.0.0.1', 'private', '10.0.0.0/8'],
    ['100.64.0.1', 'shared', '100.64.0.0/10'],
    ['100.127.255.254', 'shared', '100.64.0.0/10'],
    ['127.0.0.1', 'loopback', '127.0.0.0/8'],
    ['127.255.255.254', 'loopback', '127.0.0.0/8'],
    ['169.254.169.254', 'link-local', '169.254.0.0/16'],
    ['172.16.0.1', 'private', '172.16.0.0/12'],
    ['172.31.255.254', 'private', '172.16.0.0/12'],
    ['192.0.0.8', 'reserved', '192.0.0.0/24'],
    ['192.0.2.1', 'documentation', '192.0.2.0/24'],
    ['192.88.99.1', 'reserved', '192.88.99.0/24'],
    ['192.168.1.1', 'private', '192.168.0.0/16'],
    ['198.18.0.1', 'benchmarking', '198.18.0.0/15'],
    ['198.19.255.254', 'benchmarking', '198.18.0.0/15'],
    ['198.51.100.1', 'documentation', '198.51.100.0/24'],
    ['203.0.113.1', 'documentation', '203.0.113.0/24'],
    ['224.0.0.1', 'multicast', '224.0.0.0/4'],
    ['239.255.255.250', 'multicast', '224.0.0.0/4'],
    ['240.0.0.1', 'reserved', '240.0.0.0/4'],
    ['255.255.255.255', 'broadcast', '255.255.255.255/32'],
    // IPv6
    ['::', 'unspecified', '::/128'],
    ['::1', 'loopback', '::1/128'],
    ['0:0:0:0:0:0:0:1', 'loopback', '::1/128'],
    ['::7f00:1', 'ipv4-translated', '::/96'], // IPv4-compatible, deprecated
    ['::ffff:0:7f00:1', 'ipv4-translated', '::ffff:0:0:0/96'],
    ['64:ff9b:1::1', 'ipv4-translated', '64:ff9b:1::/48'],
    ['100::1', 'reserved', '100::/64'],
    ['2001::1', 'reserved', '2001::/23'], // Teredo
    ['2001:1::1', 'reserved', '2001::/23'],
    ['2001:2::1', 'benchmarking', '2001:2::/48'],
    ['2001:20::1', 'reserved', '2001::/23'], // ORCHIDv2
    ['2001:db8::1', 'documentation', '2001:db8::/32'],
    ['3fff::1', 'documentation', '3fff::/20'],
    ['5f00::1', 'reserved', '5f00::/16'],
    ['fc00::1', 'unique-local', 'fc00::/7'],
    ['fd12:3456::1', 'unique-local', 'fc00::/7'],
    ['fe80::1', 'link-local', 'fe80::/10'],
    ['fe80::1%eth0', 'link-local', 'fe80::/10'], // with a zone, as dns.lookup may answer
    ['fec0::1', 'site-local', 'fec0::/10'],
    ['ff02::1', 'multicast', 'ff00::/8'],
    ['4000::1', 'reserved', 'outside 2000::/3'],
    ['e000::1', 'reserved', 'outside 2000::/3'],
    // IPv6 forms that embed an IPv4 address are judged by it.
    ['::ffff:127.0.0.1', 'loopback', '127.0.0.0/8'],
    ['::ffff:7f00:1', 'loopback', '127.0.0.0/8'],
    ['::ffff:a9fe:a9fe', 'link-local', '169.254.0.0/16'],
    ['::ffff:10.1.2.3', 'private', '10.0.0.0/8'],
    ['64:ff9b::7f00:1', 'loopback', '127.0.0.0/8'], // NAT64
    ['64:ff9b::169.254.169.254', 'link-local', '169.254.0.0/16'],
    ['2002:7f00:1::1', 'loopback', '127.0.0.0/8'], // 6to4
    ['2002:c0a8:101::', 'private', '192.168.0.0/16'],
    ['2002:e000:1::', 'multicast', '224.0.0.0/4'],
  ])('refuses %s as %s (%s)', (address, range, subnet) => {
    expect(classifyAddress(address)).toEqual({ range, subnet })
  })

  it.each([
    '1.1.1.1',
    '8.8.8.8',
    '93.184.215.14',
    '100.63.255.255', // just below 100.64.0.0/10
    '100.128.0.0', // just above
    '172.15.255.255',
    '172.32.0.0',
    '192.0.1.255',
    '198.17.255.255',
    '198.20.0.0',
    '223.255.255.255',
    '2606:4700:4700::1111',
    '2a00:1450:4007:80e::200e',
    '2001:200::1', // just above 2001::/23
    '::ffff:8.8.8.8', // IPv4-mapped public address
    '64:ff9b::808:808', // NAT64 of 8.8.8.8
    '2002:808:808::1', // 6to4 of 8.8.8.8
  ])('lets globally reachable %s through', (address) => {
    expect(classifyAddress(address)).toBeUndefined()
  })

  it.each(['localhost', '', '127.0.0.1.', '2130706433', '0177.0.0.1', '[::1]'])(
    'refuses %o, which is not an IP address, as reserved',
    (input) => {
      expect(classifyAddress(input)).toEqual({ range: 'reserved', subnet: 'not an IP address' })
    },
  )
})
