/*
 * Attribute names. The HTTP and error ones are OpenTelemetry's semantic conventions (HTTP client
 * spans and metrics, stable); the `eventrouter.*` ones are this library's, namespaced as the
 * conventions ask of attributes they do not define.
 */

/** `http.request.method`: the request's method (semantic conventions). */
export const HTTP_REQUEST_METHOD = 'http.request.method'
/** `http.response.status_code` (semantic conventions). */
export const HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code'
/** `http.request.resend_count`: set on the second attempt on, to the attempts made before it (semantic conventions). */
export const HTTP_REQUEST_RESEND_COUNT = 'http.request.resend_count'
/** `server.address`: the destination's host name (semantic conventions). */
export const SERVER_ADDRESS = 'server.address'
/** `server.port`: the destination's port, the scheme's default when the URL names none (semantic conventions). */
export const SERVER_PORT = 'server.port'
/** `url.full`: the URL with credentials and secrets redacted (semantic conventions). */
export const URL_FULL = 'url.full'
/** `error.type`: the status code as a string for an HTTP error, else our stable error code (semantic conventions). */
export const ERROR_TYPE = 'error.type'

/** The emitted event's name, e.g. `wallet.coins_rewarded`. */
export const EVENT_NAME = 'eventrouter.event.name'
/** The emitted event's id. */
export const EVENT_ID = 'eventrouter.event.id'
/** The integration's id (unique within its tenant). */
export const INTEGRATION_ID = 'eventrouter.integration.id'
/** The integration's adapter type, e.g. `klaviyo`. */
export const INTEGRATION_TYPE = 'eventrouter.integration.type'
/** The tenant the integration belongs to; absent for the platform's. */
export const TENANT = 'eventrouter.tenant'
/** The subscription that matched. */
export const SUBSCRIPTION_ID = 'eventrouter.subscription.id'
/** The delivery's id (its idempotency key). */
export const DELIVERY_ID = 'eventrouter.delivery.id'
/** How the delivery ended: `succeeded` or `failed`. */
export const DELIVERY_OUTCOME = 'eventrouter.delivery.outcome'
/** Why a delivery failed for good: `retries_exhausted`, `not_retryable`, `circuit_open`, ... */
export const FAILURE_REASON = 'eventrouter.delivery.failure_reason'
/** Attempts the delivery made. */
export const DELIVERY_ATTEMPTS = 'eventrouter.delivery.attempts'
/** The attempt's number, starting at 1. */
export const ATTEMPT_NUMBER = 'eventrouter.attempt.number'
/** The wait scheduled after this failed attempt before the next one, in ms. */
export const RETRY_DELAY_MS = 'eventrouter.attempt.retry_delay_ms'
/** The class of the attempt's HTTP status: `2xx` … `5xx`, or `none` when there was no response. */
export const STATUS_CLASS = 'eventrouter.attempt.status_class'
/** An integration's circuit state: `closed`, `open` or `half-open`. */
export const CIRCUIT_STATE = 'eventrouter.circuit.state'
/** Why a dead letter was kept (the delivery's failure reason). */
export const DEAD_LETTER_REASON = 'eventrouter.dead_letter.reason'
