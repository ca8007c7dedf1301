export {
  parseStandardWebhookSecret,
  type SignStandardWebhookInput,
  signStandardWebhook,
} from './standard-webhooks-signature.js'
export { type WebhookAdapterOptions, webhookAdapter } from './webhook-adapter.js'
export type { WebhookConfig } from './webhook-config.js'
