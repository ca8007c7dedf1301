/**
 * The candidate `input` was most likely meant to be, for "did you mean ...?" hints: the one at
 * the smallest edit distance (letters swapped count as one edit, case is ignored) when that
 * distance is small for the input's length (1 up to 3 characters, then 2 or a third of the
 * length), else a candidate that ends with `.<input>` (a path
 * written without its parent: `tier` for `customer.tier`). `undefined` when nothing is close.
 */
export function closestMatch(input: string, candidates: Iterable<string>): string | undefined {
  const needle = input.toLowerCase()
  // One edit for short names, then about one per three characters: `payed` -> `paid` (2).
  const limit = needle.length <= 3 ? 1 : Math.max(2, Math.floor(needle.length / 3))
  let best: string | undefined
  let bestDistance = limit + 1
  let suffixMatch: string | undefined
  for (const candidate of candidates) {
    if (candidate === input) continue
    const distance = editDistance(needle, candidate.toLowerCase(), bestDistance)
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
    if (suffixMatch === undefined && candidate.toLowerCase().endsWith(`.${needle}`)) suffixMatch = candidate
  }
  return best ?? suffixMatch
}

/**
 * Optimal string alignment distance (Levenshtein plus adjacent transpositions: `teir` is one
 * edit from `tier`). Returns `ceiling` or more as soon as the distance cannot be below it.
 */
function editDistance(a: string, b: string, ceiling: number): number {
  if (Math.abs(a.length - b.length) >= ceiling) return ceiling
  let beforePrevious: number[] = []
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    let rowMinimum = i
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, beforePrevious[j - 2]! + 1)
      }
      current[j] = value
      rowMinimum = Math.min(rowMinimum, value)
    }
    if (rowMinimum >= ceiling) return ceiling
    beforePrevious = previous
    previous = current
  }
  return previous[b.length]!
}
