import { isIP } from 'node:net'
import { Agent, buildConnector } from 'undici'
import type { NetworkGuard } from './network-guard.js'

/**
 * An undici Agent whose every new connection goes through the guard: an IP-literal host is
 * checked before connecting (net.connect does not call `lookup` for those), and a name is
 * resolved by `guard.lookup`, which checks every address and pins the socket to them.
 * Redirects are not its business: undici dispatchers never follow them on their own.
 */
export function guardedAgent(guard: NetworkGuard, options: Agent.Options = {}): Agent {
  const connect = buildConnector({ lookup: guard.lookup })
  return new Agent({
    ...options,
    connect(connectOptions, callback) {
      // undici strips the brackets of an IPv6 literal; a WHATWG URL already turned
      // 2130706433, 0177.0.0.1 or 127.1 into 127.0.0.1.
      const { hostname } = connectOptions
      const host = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname
      const refused = isIP(host) === 0 ? undefined : guard.check(host, host)
      if (refused) return callback(refused, null)
      return connect(connectOptions, callback)
    },
  })
}
