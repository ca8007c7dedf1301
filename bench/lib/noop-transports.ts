import type { Transport, TransportResponse } from '../../src/transport/transport.js'

const OK: TransportResponse = Object.freeze({ status: 200, headers: Object.freeze({}), body: '' })

/** Answers 200 at once, without I/O: what is left is the router's own cost. */
export const noopTransport: Transport = {
  send: () => Promise.resolve(OK),
}

/**
 * Never answers: each request stays pending until its signal aborts (TTL or shutdown), like
 * a destination that accepted the connection and went silent. Holds nothing but the listener.
 */
export const hangingTransport: Transport = {
  send: (_request, { signal }) =>
    new Promise((_resolve, reject) => {
      if (signal.aborted) return reject(signal.reason)
      signal.addEventListener('abort', () => reject(signal.reason), { once: true })
    }),
}
