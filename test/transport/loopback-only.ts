import net from 'node:net'
import { vi } from 'vitest'

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1', '::ffff:7f00:1'])

/**
 * A safety net for tests of the address guard: should the guard ever let a blocked address
 * through, the connection fails here instead of reaching the network. Wraps `net.connect`,
 * which undici calls through the module object: an IP-literal host other than 127.0.0.1 or
 * ::1, or a name whose lookup answers anything else, ends in an error. Returns the hosts
 * `net.connect` was asked for, in order; call `restore()` after the tests.
 */
export function loopbackOnly(): { readonly hosts: string[]; restore: () => void } {
  const hosts: string[] = []
  const connect = net.connect
  const spy = vi.spyOn(net, 'connect').mockImplementation(((options: net.NetConnectOpts) => {
    const host = 'host' in options && typeof options.host === 'string' ? options.host : ''
    hosts.push(host)
    if (net.isIP(host) !== 0 && !LOOPBACK.has(host)) {
      const socket = new net.Socket()
      process.nextTick(() => socket.destroy(new Error(`loopbackOnly(): refused to connect to ${host}`)))
      return socket
    }
    const lookup = 'lookup' in options ? options.lookup : undefined
    if (!lookup) return connect(options)
    return connect({
      ...options,
      lookup: (hostname, lookupOptions, callback) =>
        lookup(hostname, lookupOptions, (error, address, family) => {
          const addresses = Array.isArray(address) ? address.map((entry) => entry.address) : [address]
          const outside = addresses.find((entry) => !LOOPBACK.has(entry))
          if (!error && outside !== undefined) {
            return callback(new Error(`loopbackOnly(): refused to connect to ${outside}`), '')
          }
          return callback(error, address, family)
        }),
    } as net.NetConnectOpts)
  }) as typeof net.connect)
  return { hosts, restore: () => spy.mockRestore() }
}
