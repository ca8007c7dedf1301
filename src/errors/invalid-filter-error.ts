import type { ValidationIssue } from './validation-error.js'
import { ValidationError } from './validation-error.js'

/**
 * Thrown when a subscription's filter is not valid filter JSON: an unknown operator,
 * an operand of the wrong shape, an invalid regular expression. `field` is the dotted
 * location inside the input (e.g. `filter.coins.$gte`), `operator` the operator at fault
 * when there is one.
 */
export class InvalidFilterError extends ValidationError {
  /** The operator at fault (e.g. `$regex`), if the problem is tied to one. */
  readonly operator: string | undefined

  constructor(issues: readonly ValidationIssue[], operator?: string) {
    super('filter', issues, { code: 'ERR_INVALID_FILTER' })
    this.name = 'InvalidFilterError'
    this.operator = operator
  }
}
