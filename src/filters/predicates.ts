/**
 * A compiled test over one value: a payload, an array element, or a value reached by a path.
 * Compiled filters are trees of these closures, built once per filter.
 */
export type Predicate = (value: unknown) => boolean

/** A predicate that is never true (an empty `$all`). */
export const never: Predicate = () => false

/** A predicate that is always true (the empty filter `{}`). */
export const always: Predicate = () => true

/**
 * True when every predicate is. Small arities get their own closures so that the common
 * filters (one to four conditions) pay no loop on each evaluation.
 */
export function allOf(predicates: readonly Predicate[]): Predicate {
  const [a, b, c, d] = predicates
  switch (predicates.length) {
    case 0:
      return always
    case 1:
      return a!
    case 2:
      return (value) => a!(value) && b!(value)
    case 3:
      return (value) => a!(value) && b!(value) && c!(value)
    case 4:
      return (value) => a!(value) && b!(value) && c!(value) && d!(value)
    default:
      return (value) => {
        for (const predicate of predicates) if (!predicate(value)) return false
        return true
      }
  }
}

/** True when at least one predicate is. */
export function anyOf(predicates: readonly Predicate[]): Predicate {
  const [a, b] = predicates
  switch (predicates.length) {
    case 0:
      return never
    case 1:
      return a!
    case 2:
      return (value) => a!(value) || b!(value)
    default:
      return (value) => {
        for (const predicate of predicates) if (predicate(value)) return true
        return false
      }
  }
}

/** The negation of `predicate`. */
export function not(predicate: Predicate): Predicate {
  return (value) => !predicate(value)
}
