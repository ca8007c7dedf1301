/**
 * `eventrouter/transports/undici`: a transport over `undici.request` with keep-alive pools per
 * origin. On its own subpath, so that hosts that keep the default transport never load it.
 *
 * @module transports/undici
 */
export {
  type UndiciTransport,
  type UndiciTransportOptions,
  undiciTransport,
} from './undici-transport.js'
