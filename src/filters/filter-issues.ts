import { InvalidFilterError } from '../errors/invalid-filter-error.js'
import { FILTER_LIMITS } from './filter-limits.js'

/** One problem found in a filter, with the operator at fault when there is one. */
export interface FilterIssue {
  /** Dotted location, e.g. `filter.coins.$gte`. */
  readonly path: string
  /** What is wrong and, when it helps, how to fix it. */
  readonly message: string
  /** The operator at fault, e.g. `$gte`. */
  readonly operator: string | undefined
}

/**
 * The problems found while parsing one filter. Stops accepting more after
 * `FILTER_LIMITS.maxIssues`, or after {@link FilterIssues.halt} (a limit was exceeded and
 * looking further would only cost time).
 */
export class FilterIssues {
  readonly #issues: FilterIssue[] = []
  #halted = false

  /** True when no more issues are accepted, so checking can stop. */
  get done(): boolean {
    return this.#halted || this.#issues.length >= FILTER_LIMITS.maxIssues
  }

  /** How many issues were recorded. */
  get count(): number {
    return this.#issues.length
  }

  /** Records a problem at `path`. */
  add(path: string, message: string, operator?: string): void {
    if (!this.done) this.#issues.push({ path, message, operator })
  }

  /** Records a problem and stops checking. */
  halt(path: string, message: string): void {
    this.add(path, message)
    this.#halted = true
  }

  /** The error to throw, naming the operator of the first issue; `undefined` when there is none. */
  toError(): InvalidFilterError | undefined {
    const [first] = this.#issues
    if (first === undefined) return undefined
    const issues = this.#issues.map(({ path, message }) => ({ path, message }))
    return new InvalidFilterError(issues, first.operator)
  }
}
