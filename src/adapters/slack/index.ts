export { SLACK_RATE_LIMITS, type SlackAdapterOptions, slackAdapter } from './slack-adapter.js'
export type { SlackConfig } from './slack-config.js'
export { escapeSlackText } from './slack-template.js'
