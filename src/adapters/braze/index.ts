export {
  BRAZE_LIMITS,
  BRAZE_MAX_BATCH_BYTES,
  type BrazeAdapterOptions,
  brazeAdapter,
} from './braze-adapter.js'
export type { BrazeConfig, BrazeIdentityMapping } from './braze-config.js'
