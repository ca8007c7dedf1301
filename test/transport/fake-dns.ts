import type * as Dns from 'node:dns'

/**
 * The fake resolver's answers, by host name: a list, or a function called on each lookup (a
 * name whose answer changes, as in DNS rebinding). Tests never resolve a real name: a name
 * that is not listed fails with ENOTFOUND, except `localhost`, which the system resolves from
 * its hosts file. Use it with
 * `vi.mock('node:dns', async (original) => (await import('./fake-dns.js')).fakeDns(await original()))`.
 */
export const dnsAnswers = new Map<
  string,
  readonly Dns.LookupAddress[] | (() => readonly Dns.LookupAddress[])
>()

/** Every name looked up, in order. */
export const lookedUp: string[] = []

type Callback = (error: NodeJS.ErrnoException | null, address?: unknown, family?: number) => void

/** node:dns with `lookup` answering from {@link dnsAnswers}. */
export function fakeDns(actual: typeof Dns): typeof Dns {
  function lookup(hostname: string, options: Dns.LookupOptions | Callback, maybeCallback?: Callback): void {
    const callback = (typeof options === 'function' ? options : maybeCallback) as Callback
    const all = typeof options === 'object' && options.all === true
    lookedUp.push(hostname)
    if (hostname === 'localhost') {
      actual.lookup(hostname, typeof options === 'object' ? options : {}, callback as never)
      return
    }
    const entry = dnsAnswers.get(hostname)
    const answer = typeof entry === 'function' ? entry() : entry
    process.nextTick(() => {
      if (!answer?.[0]) {
        callback(
          Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname }),
        )
      } else if (all) callback(null, answer)
      else callback(null, answer[0].address, answer[0].family)
    })
  }
  return { ...actual, default: { ...actual, lookup }, lookup } as unknown as typeof Dns
}
