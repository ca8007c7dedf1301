export { BRAZE_LIMITS, type BrazeAdapterOptions, brazeAdapter } from './braze-adapter.js'
export type { BrazeConfig, BrazeIdentityMapping } from './braze-config.js'
