export { KLAVIYO_RATE_LIMITS, type KlaviyoAdapterOptions, klaviyoAdapter } from './klaviyo-adapter.js'
export type { KlaviyoConfig, KlaviyoProfileMapping } from './klaviyo-config.js'
