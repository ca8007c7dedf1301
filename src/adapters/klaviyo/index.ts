export { KLAVIYO_RATE_LIMITS, type KlaviyoAdapterOptions, klaviyoAdapter } from './klaviyo-adapter.js'
export { KLAVIYO_BULK_MAX_EVENTS } from './klaviyo-bulk.js'
export type { KlaviyoConfig, KlaviyoProfileMapping } from './klaviyo-config.js'
export {
  KLAVIYO_MAX_PAYLOAD_BYTES,
  KLAVIYO_MAX_PROPERTIES,
  KLAVIYO_MAX_STRING_BYTES,
} from './klaviyo-limits.js'
