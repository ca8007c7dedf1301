export type {
  Adapter,
  AdapterDefinition,
  AdapterRequestContext,
  ResponseClassification,
} from './adapters/adapter.js'
export type {
  AdapterBatching,
  AdapterBatchingDefinition,
  BatchEntry,
  BatchItem,
  BatchItemOutcome,
  BatchRequestContext,
  BatchResponseClassification,
} from './adapters/adapter-batching.js'
export {
  BRAZE_LIMITS,
  BRAZE_MAX_BATCH_BYTES,
  type BrazeAdapterOptions,
  type BrazeConfig,
  type BrazeIdentityMapping,
  brazeAdapter,
} from './adapters/braze/index.js'
export {
  CLEVERTAP_LIMITS,
  type CleverTapAdapterOptions,
  type CleverTapConfig,
  type CleverTapIdentityMapping,
  type CleverTapRegion,
  clevertapAdapter,
} from './adapters/clevertap/index.js'
export { defineAdapter } from './adapters/define-adapter.js'
export { DEFAULT_LINGER_MS } from './adapters/define-batching.js'
export {
  KLAVIYO_BULK_MAX_EVENTS,
  KLAVIYO_MAX_PAYLOAD_BYTES,
  KLAVIYO_MAX_PROPERTIES,
  KLAVIYO_MAX_STRING_BYTES,
  KLAVIYO_RATE_LIMITS,
  type KlaviyoAdapterOptions,
  type KlaviyoConfig,
  type KlaviyoProfileMapping,
  klaviyoAdapter,
} from './adapters/klaviyo/index.js'
export {
  MIXPANEL_MAX_BATCH_BYTES,
  MIXPANEL_MAX_BATCH_EVENTS,
  MIXPANEL_MAX_EVENT_BYTES,
  MIXPANEL_MAX_PROPERTIES,
  MIXPANEL_MAX_REQUEST_BYTES,
  type MixpanelAdapterOptions,
  type MixpanelConfig,
  type MixpanelIdentityMapping,
  type MixpanelRegion,
  type MixpanelServiceAccount,
  mixpanelAdapter,
} from './adapters/mixpanel/index.js'
export {
  MOENGAGE_MAX_REQUEST_BYTES,
  MOENGAGE_RATE_LIMITS,
  type MoEngageAdapterOptions,
  type MoEngageConfig,
  type MoEngageDataCenter,
  type MoEngageIdentityMapping,
  type MoEngagePlatform,
  moengageAdapter,
} from './adapters/moengage/index.js'
export {
  SEGMENT_MAX_BATCH_BYTES,
  SEGMENT_MAX_BATCH_EVENTS,
  SEGMENT_MAX_REQUEST_BYTES,
  type SegmentAdapterOptions,
  type SegmentConfig,
  type SegmentIdentityMapping,
  type SegmentRegion,
  segmentAdapter,
} from './adapters/segment/index.js'
export {
  SLACK_RATE_LIMITS,
  type SlackAdapterOptions,
  type SlackConfig,
  slackAdapter,
} from './adapters/slack/index.js'
export {
  type WebEngageAdapterOptions,
  type WebEngageConfig,
  type WebEngageDataCenter,
  type WebEngageIdentityMapping,
  webengageAdapter,
} from './adapters/webengage/index.js'
export {
  type WebhookAdapterOptions,
  type WebhookConfig,
  webhookAdapter,
} from './adapters/webhook/index.js'
export type {
  Catalog,
  CatalogEventName,
  CatalogField,
  CatalogFieldType,
  CatalogParsedPayload,
  CatalogPayload,
  EventDefinition,
  EventDefinitions,
  JsonSchemaOptions,
} from './catalog/catalog.js'
export { type CatalogDefinitions, defineCatalog } from './catalog/define-catalog.js'
export { defineEvent } from './catalog/define-event.js'
export type {
  DeadLetter,
  DeadLetterEvent,
  DeadLetterQuery,
  ResolvedDeadLetterQuery,
} from './dead-letters/dead-letter.js'
export type { DeadLetterStore } from './dead-letters/dead-letter-store.js'
export type { DeadLetters, RedeliverOptions, RedeliveryReceipt } from './dead-letters/dead-letters.js'
export {
  type MemoryDeadLetterStoreOptions,
  memoryDeadLetterStore,
} from './dead-letters/memory-dead-letter-store.js'
export { backoff } from './delivery/backoff.js'
export type { Batching } from './delivery/batching.js'
export { type CircuitBreakerOptions, DEFAULT_CIRCUIT_BREAKER } from './delivery/circuit-breaker.js'
export { classifyHttpResponse } from './delivery/classify-http-response.js'
export type {
  AttemptRecord,
  AttemptRequest,
  Delivery,
  DeliveryFailed,
  DeliveryFailureReason,
  DeliveryResult,
  DeliverySucceeded,
} from './delivery/delivery.js'
export type { AttemptFailure } from './delivery/delivery-run.js'
export { DEFAULT_CONCURRENCY, type Pacing } from './delivery/pacing.js'
export { parseRetryAfter } from './delivery/parse-retry-after.js'
export { DEFAULT_RETRY_OPTIONS, type RetryOptions } from './delivery/retry-options.js'
export { BackpressureError } from './errors/backpressure-error.js'
export { BlockedDestinationError, type BlockedRange } from './errors/blocked-destination-error.js'
export { ConflictError } from './errors/conflict-error.js'
export { DeadLetterStoreError } from './errors/dead-letter-store-error.js'
export { DeliveryError, type DeliveryErrorCode, type DeliveryErrorOptions } from './errors/delivery-error.js'
export {
  EventRouterError,
  type EventRouterErrorOptions,
  isEventRouterError,
} from './errors/event-router-error.js'
export { FilterEvaluationError } from './errors/filter-evaluation-error.js'
export { InvalidFilterError } from './errors/invalid-filter-error.js'
export { ListenerError } from './errors/listener-error.js'
export { NotFoundError, type ResourceKind } from './errors/not-found-error.js'
export { QuotaExceededError } from './errors/quota-exceeded-error.js'
export { RouterClosedError } from './errors/router-closed-error.js'
export { RouterNotStartedError } from './errors/router-not-started-error.js'
export { SettledElsewhereError } from './errors/settled-elsewhere-error.js'
export { StoreError } from './errors/store-error.js'
export { ValidationError, type ValidationIssue } from './errors/validation-error.js'
export { EventSwitches } from './events/event-switches.js'
export type { RoutedEvent } from './events/routed-event.js'
export type { FailedClause } from './filters/explain-filter.js'
export type { Filter, FilterValue } from './filters/filter.js'
export { parseFilter } from './filters/parse-filter.js'
export type { Integration, IntegrationInput, IntegrationPatch } from './integrations/integration.js'
export type { Integrations } from './integrations/integration-registry.js'
export { REDACTED } from './integrations/redact-config.js'
export type { LifecycleSource } from './observability/lifecycle-source.js'
export type { LogFields, Logger, LogLevel } from './observability/logger.js'
export type {
  IntegrationStats,
  LatencyPercentiles,
  OutcomeCounts,
  RouterStats,
} from './observability/router-stats.js'
export type { ObservedRouter, Telemetry } from './observability/telemetry.js'
export type { TraceContext } from './observability/trace-context.js'
export type { CatalogEventInfo, CatalogView } from './router/catalog-view.js'
export {
  type CloseOptions,
  type EmitAsyncOptions,
  type EmitOptions,
  type EmitReceipt,
  EventRouter,
  type RouterListener,
  type StartOptions,
  type WaitOptions,
} from './router/event-router.js'
export type { EventRouterOptions, TenantLimits } from './router/event-router-options.js'
export type { Explanation, SubscriptionExplanation } from './router/explanation.js'
export type {
  EventSkipped,
  IntegrationDisabled,
  IntegrationSuspended,
  RouterEventName,
  RouterEvents,
  SkipReason,
} from './router/router-events.js'
export type { RouterSnapshot, ToJSONOptions } from './router/router-snapshot.js'
export {
  type TenantEmitAsyncOptions,
  type TenantEmitOptions,
  TenantRouter,
  type TenantScope,
} from './router/tenant-router.js'
export type { EmittableName, EmittablePayload } from './router/typed-events.js'
export type { SchemaInput, SchemaOutput } from './shared/standard-schema.js'
export { type MemoryStoreOptions, memoryStore } from './stores/memory/index.js'
export type { SecretKey, SecretOwner, SecretsAtRest } from './stores/secret-sealer.js'
export type {
  AcceptedEvent,
  ClaimedDeliveries,
  DeliveryRecord,
  DeliveryRecordEvent,
  IntegrationHealth,
  MaybePromise,
  PendingSummary,
  ProbeClaim,
  ReleaseSlot,
  SealedSecrets,
  StartLimits,
  Store,
  StoreChange,
  StoredConfiguration,
  StoredIntegration,
  StoredSubscription,
  StoreOperation,
} from './stores/store.js'
export type {
  EventSelector,
  Subscription,
  SubscriptionInput,
  SubscriptionPatch,
  SubscriptionQuery,
} from './subscriptions/subscription.js'
export type {
  Subscriptions,
  TestSendOptions,
  TestSendResult,
} from './subscriptions/subscription-registry.js'
export { type BlockedAddress, classifyAddress } from './transport/address-policy.js'
export { type KyTransport, type KyTransportOptions, kyTransport } from './transport/ky/index.js'
export {
  createNetworkGuard,
  type NetworkGuard,
  type NetworkGuardOptions,
} from './transport/network-guard.js'
export type {
  Transport,
  TransportRequest,
  TransportResponse,
  TransportSendOptions,
} from './transport/transport.js'
