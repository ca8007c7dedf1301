/**
 * `eventrouter/telemetry`: OpenTelemetry traces and metrics for a router. The only entry that
 * imports `@opentelemetry/api`; the rest of the package never loads it.
 *
 * @module telemetry
 */
export * as semanticAttributes from './attribute-names.js'
export { INSTRUMENTATION_SCOPE, type OpenTelemetryOptions, openTelemetry } from './open-telemetry.js'
