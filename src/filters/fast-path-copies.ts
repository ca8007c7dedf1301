import type { Predicate } from './predicates.js'

/**
 * Everything a fused condition needs, in one fixed shape (always built by `fastPathSpec` in
 * fast-paths.ts, so that every spec has the same hidden class).
 */
export interface FastPathSpec {
  /** The first key of a one- or two-key path of plain keys (see `isPlainKey`). */
  readonly first: string
  /** The second key, or `undefined` for a one-key path. */
  readonly second: string | undefined
  /** 0: `value === literal`; 1: `values.has(value)`; 2: `value` a number within the range. */
  readonly kind: 0 | 1 | 2
  readonly literal: unknown
  readonly values: ReadonlySet<unknown>
  readonly low: number
  readonly lowIncluded: boolean
  readonly high: number
  readonly highIncluded: boolean
  /** `$ne`, `$nin`: the answer is the negation of the whole path condition. */
  readonly negated: boolean
  /** The general path walk of the (non-negated) condition: decides whenever an array shows up. */
  readonly general: Predicate
}

/*
 * Why 16 identical copies of one closure (and not one factory): V8 keeps the inline caches of a
 * property read per function *literal* in the source, shared by every closure made from it.
 * With one factory, the read `document[first]` sees every field name of every filter, turns
 * megamorphic, and the 10-condition benchmark filter ran at 4.4x a hand-written closure. Giving
 * each field path its own copy keeps each read monomorphic (one name, the payload's few shapes)
 * and roughly halves that (BENCHMARKS.md, filters). The copies are what a code generator would
 * produce, without `eval` or `new Function`. fast-paths.ts hands them out per path;
 * test/filters/fast-paths.test.ts checks that they stay textually identical.
 *
 * The closure, once: read the path (a non-object parent reads as missing, an array parent is
 * returned as is), test the value inline, and hand arrays to `general`, so that array
 * semantics (element-wise matching, MongoDB style) are exactly those of the general walk.
 */
export const FAST_PATH_COPIES: readonly ((spec: FastPathSpec) => Predicate)[] = [
  (s) => {
    const { first, second, kind, literal, values, low, lowIncluded, high, highIncluded, negated, general } = s
    return (document) => {
      let value = document == null ? undefined : (document as Record<string, unknown>)[first]
      if (second !== undefined && !Array.isArray(value))
        value =
          typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[second] : undefined
      const hit =
        kind === 0
          ? value === literal
          : kind === 1
            ? values.has(value)
            : typeof value === 'number' &&
              (value > low || (lowIncluded && value === low)) &&
              (value < high || (highIncluded && value === high))
      return (hit || (Array.isArray(value) && general(document))) !== negated
    }
  },
  (s) => {
    const { first, second, kind, literal, values, low, lowIncluded, high, highIncluded, negated, general } = s
    return (document) => {
      let value = document == null ? undefined : (document as Record<string, unknown>)[first]
      if (second !== undefined && !Array.isArray(value))
        value =
          typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[second] : undefined
      const hit =
        kind === 0
          ? value === literal
          : kind === 1
            ? values.has(value)
            : typeof value === 'number' &&
              (value > low || (lowIncluded && value === low)) &&
              (value < high || (highIncluded && value === high))
      return (hit || (Array.isArray(value) && general(document))) !== negated
    }
  },
  (s) => {
    const { first, second, kind, literal, values, low, lowIncluded, high, highIncluded, negated, general } = s
    return (document) => {
      let value = document == null ? undefined : (document as Record<string, unknown>)[first]
      if (second !== undefined && !Array.isArray(value))
        value =
          typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[second] : undefined
      const hit =
        kind === 0
          ? value === literal
          : kind === 1
            ? values.has(value)
            : typeof value === 'number' &&
              (value > low || (lowIncluded && value === low)) &&
              (value < high || (highIncluded && value === high))
      return (hit || (Array.isArray(value) && general(document))) !== negated
    }
  },
  (s) => {
    const { first, second, kind, literal, values, low, lowIncluded, high, highIncluded, negated, general } = s
    return (document) => {
      let value = document == null ? undefined : (document as Record<string, unknown>)[first]
      if (second !== undefined && !Array.isArray(value))
        value =
          typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[second] : undefined
      const hit =
        kind === 0
          ? value === literal
          : kind === 1
            ? values.has(value)
            : typeof value === 'number' &&
              (value > low || (lowIncluded && value === low)) &&
              (value < high || (highIncluded && value === high))
      return (hit || (Array.isArray(value) && general(document))) !== negated
    }
  },
  (s) => {
    const { first, second, kind, literal, values, low, lowIncluded, high, highIncluded, negated, general } = s
    return (document) => {
      let value = document == null ? undefined : (document as Record<string, unknown>)[first]
      if (second !== undefined && !Array.isArray(value))
        value =
          typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[second] : undefined
      const hit =
        kind === 0
          ? value === literal
          : kind === 1
            ? values.has(value)
            : typeof value === 'number' &&
              (value > low || (lowIncluded && value === low)) &&
              (value < high || (highIncluded && value === high))
      return (hit || (Array.isArray(value) && general(document))) !== negated
    }
  },
  (s) => {
    const { first, second, kind, literal, values, low, lowIncluded, high, highIncluded, negated, general } = s
    return (document) => {
      let value = document == null ? undefined : (document as Record<string, unknown>)[first]
      if (second !== undefined && !Array.isArray(value))
        value =
          typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[second] : undefined
      const hit =
        kind === 0
          ? value === literal
          : kind === 1
            ? values.has(value)
            : typeof value === 'number' &&
              (value > low || (lowIncluded && value === low)) &&
              (value < high || (highIncluded && value === high))
      return (hit || (Array.isArray(value) && general(document))) !== negated
    }
  },
  (s) => {
    const { first, second, kind, literal, values, low, lowIncluded, high, highIncluded, negated, general } = s
    return (document) => {
      let value = document == null ? undefined : (document as Record<string, unknown>)[first]
      if (second !== undefined && !Array.isArray(value))
        value =
          typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[second] : undefined
      const hit =
        kind === 0
          ? value === literal
          : kind === 1
            ? values.has(value)
            : typeof value === 'number' &&
              (value > low || (lowIncluded && value === low)) &&
              (value < high || (highIncluded && value === high))
      return (hit || (Array.isArray(value) && general(document))) !== negated
    }
  },
  (s) => {
    const { first, second, kind, literal, values, low, lowIncluded, high, highIncluded, negated, general } = s
    return (document) => {
      let value = document == null ? undefined : (document as Record<string, unknown>)[first]
      if (second !== undefined && !Array.isArray(value))
        value =
          typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[second] : undefined
      const hit =
        kind === 0
          ? value === literal
          : kind === 1
            ? values.has(value)
            : typeof value === 'number' &&
              (value > low || (lowIncluded && value === low)) &&
              (value < high || (highIncluded && value === high))
      return (hit || (Array.isArray(value) && general(document))) !== negated
    }
  },
  (s) => {
    const { first, second, kind, literal, values, low, lowIncluded, high, highIncluded, negated, general } = s
    return (document) => {
      let value = document == null ? undefined : (document as Record<string, unknown>)[first]
      if (second !== undefined && !Array.isArray(value))
        value =
          typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[second] : undefined
      const hit =
        kind === 0
          ? value === literal
          : kind === 1
            ? values.has(value)
            : typeof value === 'number' &&
              (value > low || (lowIncluded && value === low)) &&
              (value < high || (highIncluded && value === high))
      return (hit || (Array.isArray(value) && general(document))) !== negated
    }
  },
  (s) => {
    const { first, second, kind, literal, values, low, lowIncluded, high, highIncluded, negated, general } = s
    return (document) => {
      let value = document == null ? undefined : (document as Record<string, unknown>)[first]
      if (second !== undefined && !Array.isArray(value))
        value =
          typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[second] : undefined
      const hit =
        kind === 0
          ? value === literal
          : kind === 1
            ? values.has(value)
            : typeof value === 'number' &&
              (value > low || (lowIncluded && value === low)) &&
              (value < high || (highIncluded && value === high))
      return (hit || (Array.isArray(value) && general(document))) !== negated
    }
  },
  (s) => {
    const { first, second, kind, literal, values, low, lowIncluded, high, highIncluded, negated, general } = s
    return (document) => {
      let value = document == null ? undefined : (document as Record<string, unknown>)[first]
      if (second !== undefined && !Array.isArray(value))
        value =
          typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[second] : undefined
      const hit =
        kind === 0
          ? value === literal
          : kind === 1
            ? values.has(value)
            : typeof value === 'number' &&
              (value > low || (lowIncluded && value === low)) &&
              (value < high || (highIncluded && value === high))
      return (hit || (Array.isArray(value) && general(document))) !== negated
    }
  },
  (s) => {
    const { first, second, kind, literal, values, low, lowIncluded, high, highIncluded, negated, general } = s
    return (document) => {
      let value = document == null ? undefined : (document as Record<string, unknown>)[first]
      if (second !== undefined && !Array.isArray(value))
        value =
          typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[second] : undefined
      const hit =
        kind === 0
          ? value === literal
          : kind === 1
            ? values.has(value)
            : typeof value === 'number' &&
              (value > low || (lowIncluded && value === low)) &&
              (value < high || (highIncluded && value === high))
      return (hit || (Array.isArray(value) && general(document))) !== negated
    }
  },
  (s) => {
    const { first, second, kind, literal, values, low, lowIncluded, high, highIncluded, negated, general } = s
    return (document) => {
      let value = document == null ? undefined : (document as Record<string, unknown>)[first]
      if (second !== undefined && !Array.isArray(value))
        value =
          typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[second] : undefined
      const hit =
        kind === 0
          ? value === literal
          : kind === 1
            ? values.has(value)
            : typeof value === 'number' &&
              (value > low || (lowIncluded && value === low)) &&
              (value < high || (highIncluded && value === high))
      return (hit || (Array.isArray(value) && general(document))) !== negated
    }
  },
  (s) => {
    const { first, second, kind, literal, values, low, lowIncluded, high, highIncluded, negated, general } = s
    return (document) => {
      let value = document == null ? undefined : (document as Record<string, unknown>)[first]
      if (second !== undefined && !Array.isArray(value))
        value =
          typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[second] : undefined
      const hit =
        kind === 0
          ? value === literal
          : kind === 1
            ? values.has(value)
            : typeof value === 'number' &&
              (value > low || (lowIncluded && value === low)) &&
              (value < high || (highIncluded && value === high))
      return (hit || (Array.isArray(value) && general(document))) !== negated
    }
  },
  (s) => {
    const { first, second, kind, literal, values, low, lowIncluded, high, highIncluded, negated, general } = s
    return (document) => {
      let value = document == null ? undefined : (document as Record<string, unknown>)[first]
      if (second !== undefined && !Array.isArray(value))
        value =
          typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[second] : undefined
      const hit =
        kind === 0
          ? value === literal
          : kind === 1
            ? values.has(value)
            : typeof value === 'number' &&
              (value > low || (lowIncluded && value === low)) &&
              (value < high || (highIncluded && value === high))
      return (hit || (Array.isArray(value) && general(document))) !== negated
    }
  },
  (s) => {
    const { first, second, kind, literal, values, low, lowIncluded, high, highIncluded, negated, general } = s
    return (document) => {
      let value = document == null ? undefined : (document as Record<string, unknown>)[first]
      if (second !== undefined && !Array.isArray(value))
        value =
          typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[second] : undefined
      const hit =
        kind === 0
          ? value === literal
          : kind === 1
            ? values.has(value)
            : typeof value === 'number' &&
              (value > low || (lowIncluded && value === low)) &&
              (value < high || (highIncluded && value === high))
      return (hit || (Array.isArray(value) && general(document))) !== negated
    }
  },
]
