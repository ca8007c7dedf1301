export type {
  AdapterFieldKind,
  AdapterFieldView,
  AdapterView,
  AdminSessionView,
  CatalogFieldView,
  ErrorBodyView,
  ErrorIssueView,
  EventTypeView,
  IntegrationView,
  SubscriptionView,
} from './admin-api-types.js'
export {
  ADMIN_HANDLER_DEFAULTS,
  type AdminAuthorization,
  type AdminAuthorize,
  type AdminHandlerOptions,
} from './admin-handler-options.js'
export { AdminRequestError, type AdminRequestErrorCode } from './admin-request-error.js'
export { type AdminHandler, createAdminHandler } from './create-admin-handler.js'
export { type NodeListener, toNodeListener } from './to-node-listener.js'
