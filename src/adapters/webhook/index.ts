export {
  parseStandardWebhookSecret,
  type SignStandardWebhookInput,
  signStandardWebhook,
} from './standard-webhooks-signature.js'
export { type WebhookAdapterOptions, type WebhookConfig, webhookAdapter } from './webhook-adapter.js'
