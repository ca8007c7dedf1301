/**
 * Orders two strings by Unicode code point, the order MongoDB uses (it compares UTF-8 bytes,
 * which sort like code points). JavaScript's `<` compares UTF-16 code units instead, which
 * puts astral characters such as emoji (surrogate pairs, 0xD800-0xDFFF) before U+E000-U+FFFF.
 *
 * Returns a negative number, zero or a positive number, like `Array.prototype.sort`'s callback.
 */
export function compareByCodePoint(a: string, b: string): number {
  const length = Math.min(a.length, b.length)
  for (let index = 0; index < length; index++) {
    const unitA = a.charCodeAt(index)
    const unitB = b.charCodeAt(index)
    if (unitA !== unitB) return codePointRank(unitA) - codePointRank(unitB)
  }
  return a.length - b.length
}

/**
 * True when `<` on UTF-16 code units could order `operand` differently from code points against
 * some other string: only when `operand` holds a unit at or above 0xD800. Comparisons against
 * any other operand can use the native operators, which are much faster.
 */
export function needsCodePointOrder(operand: string): boolean {
  for (let index = 0; index < operand.length; index++) {
    if (operand.charCodeAt(index) >= 0xd800) return true
  }
  return false
}

/** Moves surrogates above the rest of the BMP, where the code points they encode belong. */
function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit
  return unit < 0xe000 ? unit + 0x2000 : unit - 0x800
}
