import { EventRouterError, type EventRouterErrorOptions } from './event-router-error.js'

/** One problem found in an input, located by a dotted path such as `config.url`. */
export interface ValidationIssue {
  /** Dotted path of the offending field, relative to the call's input (`''` for the input itself). */
  readonly path: string
  /** What is wrong with it. */
  readonly message: string
}

/**
 * Thrown when input to the router (an integration, a subscription, an event, a snapshot)
 * is invalid. Nothing was changed. `field` names the first offending field and `issues`
 * lists every problem found.
 */
export class ValidationError extends EventRouterError {
  /** Dotted path of the first offending field, e.g. `config.url` or `eventNamePrefix`. */
  readonly field: string
  /** Every problem found, each with its path. */
  readonly issues: readonly ValidationIssue[]

  constructor(
    what: string,
    issues: readonly ValidationIssue[],
    options: EventRouterErrorOptions & { code?: string } = {},
  ) {
    const list = issues.map((issue) => `${issue.path || '(root)'}: ${issue.message}`).join('; ')
    super(options.code ?? 'ERR_VALIDATION', `Invalid ${what}: ${list}`, options)
    this.name = 'ValidationError'
    this.field = issues[0]?.path ?? ''
    this.issues = issues
  }
}
