export {
  SEGMENT_MAX_BATCH_BYTES,
  SEGMENT_MAX_BATCH_EVENTS,
  SEGMENT_MAX_REQUEST_BYTES,
  type SegmentAdapterOptions,
  segmentAdapter,
} from './segment-adapter.js'
export type { SegmentConfig, SegmentIdentityMapping, SegmentRegion } from './segment-config.js'
