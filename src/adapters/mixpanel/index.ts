export { type MixpanelAdapterOptions, mixpanelAdapter, mixpanelInsertId } from './mixpanel-adapter.js'
export type {
  MixpanelConfig,
  MixpanelIdentityMapping,
  MixpanelRegion,
  MixpanelServiceAccount,
} from './mixpanel-config.js'
export {
  MIXPANEL_MAX_BATCH_BYTES,
  MIXPANEL_MAX_BATCH_EVENTS,
  MIXPANEL_MAX_EVENT_BYTES,
  MIXPANEL_MAX_PROPERTIES,
  MIXPANEL_MAX_REQUEST_BYTES,
} from './mixpanel-limits.js'
