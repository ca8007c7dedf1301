export { SEGMENT_MAX_REQUEST_BYTES, type SegmentAdapterOptions, segmentAdapter } from './segment-adapter.js'
export type { SegmentConfig, SegmentIdentityMapping, SegmentRegion } from './segment-config.js'
