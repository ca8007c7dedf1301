export { CLEVERTAP_LIMITS, type CleverTapAdapterOptions, clevertapAdapter } from './clevertap-adapter.js'
export type { CleverTapConfig, CleverTapIdentityMapping, CleverTapRegion } from './clevertap-config.js'
