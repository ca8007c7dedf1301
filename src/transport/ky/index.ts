export { type KyTransport, type KyTransportOptions, kyTransport } from './ky-transport.js'
