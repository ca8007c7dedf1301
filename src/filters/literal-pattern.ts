/** A compiled `$regex`: whether it finds a match in a string. */
export type TextTest = (text: string) => boolean

// RE2 (like Go's regexp) reads an escaped ASCII character that is not a letter or a digit as
// itself; these are the printable ones.
const ESCAPED_LITERAL = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~')
const SPECIAL = new Set('\\.+*?()|[]{}^$')

/**
 * For a pattern that is literal text, maybe anchored (`@example\.com$`, `^ann`, `gold`, `^$`),
 * a test giving RE2's answer with a string method, several times faster on short strings than
 * running the automaton; `undefined` for any other pattern. Case-insensitive patterns are left
 * to RE2 (Unicode case folding is not `toLowerCase`), and so are `^` and `$` under `m`.
 * Literals with surrogates are too: RE2 compares code points, the string methods code units.
 * Call it on patterns RE2 accepted only.
 */
export function literalTest(pattern: string, options: string): TextTest | undefined {
  if (options.includes('i')) return undefined
  const multiline = options.includes('m')
  let start = false
  let end = false
  let literal = ''
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index]!
    const code = char.charCodeAt(0)
    if (char === '\\') {
      const next = pattern[index + 1] ?? ''
      if (!ESCAPED_LITERAL.has(next)) return undefined
      literal += next
      index++
    } else if (char === '^' && index === 0 && !multiline) {
      start = true
    } else if (char === '$' && index === pattern.length - 1 && !multiline) {
      // Without `m`, RE2's `$` is the end of the text, never before a final newline.
      end = true
    } else if (SPECIAL.has(char) || (code >= 0xd800 && code <= 0xdfff)) {
      return undefined
    } else {
      literal += char
    }
  }
  if (start && end) return (text) => text === literal
  if (start) return (text) => text.startsWith(literal)
  if (end) return (text) => text.endsWith(literal)
  return literal === '' ? () => true : (text) => text.includes(literal)
}
