export type { OutboxPublishOptions } from '../outbox-entry.js'
export type { OutboxEvent, PublishedEvent } from '../outbox-event.js'
export { OutboxEventFailedError } from '../outbox-event-failed-error.js'
export type { OutboxExecutor } from '../outbox-executor.js'
export type { OutboxRouter } from '../outbox-router.js'
export { type SqlTemplateTag, templateExecutor } from '../template-executor.js'
export type { OutboxMigration } from './outbox-migrations.js'
export { OutboxRelay } from './outbox-relay.js'
export type {
  OutboxRelayEventName,
  OutboxRelayEvents,
  RelayedEvent,
  RelayRetry,
} from './outbox-relay-events.js'
export { OUTBOX_RELAY_DEFAULTS, type OutboxRelayOptions, type RelayBackoff } from './outbox-relay-options.js'
export { PostgresOutbox, postgresOutbox } from './postgres-outbox.js'
export { POSTGRES_OUTBOX_DEFAULTS, type PostgresOutboxOptions } from './postgres-outbox-options.js'
export type {
  PostgresNotification,
  PostgresPool,
  PostgresPoolClient,
  PostgresQueryResult,
} from './postgres-pool.js'
