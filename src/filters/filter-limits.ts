/**
 * Bounds `parseFilter` enforces so that a filter stored by a dashboard cannot exhaust the
 * host's stack, memory or CPU when it is parsed, compiled or evaluated.
 */
export const FILTER_LIMITS = {
  /**
   * Deepest nesting of objects and arrays, the filter object itself being level 1.
   * @default 32
   */
  maxDepth: 32,
  /**
   * Most values (objects, arrays and scalars, the filter itself included) in one filter.
   * @default 10_000
   */
  maxNodes: 10_000,
  /**
   * Longest `$regex` (or `$not` regex) pattern, in UTF-16 code units.
   * @default 1_000
   */
  maxRegexLength: 1_000,
  /**
   * Most characters of `$regex` and `$not` patterns in one filter, all patterns together:
   * RE2 compiles each when the filter is parsed, in up to about 10 µs per character.
   * @default 10_000
   */
  maxRegexTotalLength: 10_000,
  /**
   * Most issues reported by one `InvalidFilterError`; checking stops after that many.
   * @default 20
   */
  maxIssues: 20,
} as const
