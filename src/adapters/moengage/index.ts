export {
  MOENGAGE_MAX_REQUEST_BYTES,
  MOENGAGE_RATE_LIMITS,
  type MoEngageAdapterOptions,
  moengageAdapter,
} from './moengage-adapter.js'
export type {
  MoEngageConfig,
  MoEngageDataCenter,
  MoEngageIdentityMapping,
  MoEngagePlatform,
} from './moengage-config.js'
