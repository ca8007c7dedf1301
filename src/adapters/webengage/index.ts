export { formatWebEngageTime, type WebEngageAdapterOptions, webengageAdapter } from './webengage-adapter.js'
export type {
  WebEngageConfig,
  WebEngageDataCenter,
  WebEngageIdentityMapping,
} from './webengage-config.js'
