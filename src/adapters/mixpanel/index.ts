export { type MixpanelAdapterOptions, mixpanelAdapter, mixpanelInsertId } from './mixpanel-adapter.js'
export type {
  MixpanelConfig,
  MixpanelIdentityMapping,
  MixpanelRegion,
  MixpanelServiceAccount,
} from './mixpanel-config.js'
