export {
  type UndiciTransport,
  type UndiciTransportOptions,
  undiciTransport,
} from './undici-transport.js'
