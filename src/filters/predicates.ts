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
 * True when every predicate is. Arities up to ten get their own closure code: each call in it
 * sees only the predicates of the filters of that arity, so V8 can often inline them, where
 * a loop's one call site sees every predicate of every filter (the 10-condition benchmark
 * filter went from about 3.2x to 2.0x the hand-written closure in one run; BENCHMARKS.md).
 */
export function allOf(predicates: readonly Predicate[]): Predicate {
  const [a, b, c, d, e, f, g, h, i, j] = predicates
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
    case 5:
      return (value) => a!(value) && b!(value) && c!(value) && d!(value) && e!(value)
    case 6:
      return (value) => a!(value) && b!(value) && c!(value) && d!(value) && e!(value) && f!(value)
    case 7:
      return (value) =>
        a!(value) && b!(value) && c!(value) && d!(value) && e!(value) && f!(value) && g!(value)
    case 8:
      return (value) =>
        a!(value) && b!(value) && c!(value) && d!(value) && e!(value) && f!(value) && g!(value) && h!(value)
    case 9:
      return (value) =>
        a!(value) &&
        b!(value) &&
        c!(value) &&
        d!(value) &&
        e!(value) &&
        f!(value) &&
        g!(value) &&
        h!(value) &&
        i!(value)
    case 10:
      return (value) =>
        a!(value) &&
        b!(value) &&
        c!(value) &&
        d!(value) &&
        e!(value) &&
        f!(value) &&
        g!(value) &&
        h!(value) &&
        i!(value) &&
        j!(value)
    default:
      // An indexed loop: no iterator to allocate or inline on every evaluation.
      return (value) => {
        for (let index = 0; index < predicates.length; index++) if (!predicates[index]!(value)) return false
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
