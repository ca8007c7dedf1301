import { RE2JS, RE2JSSyntaxException } from 're2js'
import { InvalidFilterError } from '../errors/invalid-filter-error.js'
import { literalTest, type TextTest } from './literal-pattern.js'

/** A pattern as RE2 runs it, or why it cannot run there (the end of a sentence, for messages). */
export type RegexCompilation = { readonly test: TextTest } | { readonly problem: string }

/** The operators whose operand is a pattern: `$regex`, and `$not` given a string. */
export type RegexOperator = '$regex' | '$not'

/**
 * The `$options` flags and the RE2 flags they set. `u` sets none: RE2 always matches by code
 * point, with Unicode classes and case folding, which is what `u` asks of JavaScript.
 */
const FLAGS: Readonly<Record<string, number>> = {
  i: RE2JS.CASE_INSENSITIVE,
  m: RE2JS.MULTILINE,
  s: RE2JS.DOTALL,
  u: 0,
}

const LINEAR = 'patterns run on a linear-time engine (RE2)'

// Patterns that parseFilter compiled, by the frozen operator object holding them, so that
// compileFilter reuses them instead of compiling each pattern a second time.
const compiled = new WeakMap<object, Partial<Record<RegexOperator, TextTest>>>()

/**
 * Compiles `pattern` with the `$options` flags `options` (valid ones: the parser checks them)
 * for RE2, whose matching time is linear in the input whatever the pattern. Constructs that
 * need backtracking (backreferences, lookaround, atomic groups, possessive quantifiers) are
 * refused with their name, like syntax errors. Literal text (`@example\.com$`) is then matched
 * with string methods, which give the same answers faster.
 */
export function compileRegex(pattern: string, options: string): RegexCompilation {
  let regex: RE2JS
  try {
    let flags = 0
    for (const flag of options) flags |= FLAGS[flag] ?? 0
    regex = RE2JS.compile(pattern, flags)
  } catch (error) {
    return { problem: describeError(error) }
  }
  const digits = digitEscape(pattern)
  if (digits !== undefined) {
    const code = Number.parseInt(digits.slice(1), 8).toString(16).toUpperCase().padStart(2, '0')
    return {
      problem: `backreferences (\`${digits}\`) are not supported: ${LINEAR}; for the character of octal code ${digits.slice(1)}, write \`\\x{${code}}\``,
    }
  }
  return { test: literalTest(pattern, options) ?? ((text) => regex.test(text)) }
}

/** Keeps a pattern compiled while parsing `owner`, a frozen operator object, for {@link regexFor}. */
export function rememberRegex(owner: object, operator: RegexOperator, test: TextTest): void {
  compiled.set(owner, { ...compiled.get(owner), [operator]: test })
}

/**
 * The compiled pattern of `owner[operator]` (`$options` applying to `$regex`): the one
 * parseFilter kept, or a new one for a filter that did not come from parseFilter.
 *
 * @throws {InvalidFilterError} when the pattern cannot run on RE2.
 */
export function regexFor(owner: { readonly [key: string]: unknown }, operator: RegexOperator): TextTest {
  const kept = compiled.get(owner)?.[operator]
  if (kept !== undefined) return kept
  const options = operator === '$regex' ? owner.$options : undefined
  const result = compileRegex(String(owner[operator]), typeof options === 'string' ? options : '')
  if ('test' in result) return result.test
  const message = `\`${operator}\`: ${result.problem}; check filters with parseFilter before compiling them`
  throw new InvalidFilterError([{ path: operator, message }], operator)
}

function describeError(error: unknown): string {
  if (!(error instanceof RE2JSSyntaxException)) {
    return `not a valid regular expression: ${error instanceof Error ? error.message : String(error)}`
  }
  const input = error.input ?? ''
  const construct = unsupportedConstruct(error.error, input)
  if (construct !== undefined) return `${construct} are not supported: ${LINEAR}`
  return `not a valid regular expression: ${error.error}${input === '' ? '' : `: \`${input}\``}${hint(error.error, input)}`
}

/** What RE2 refuses because it cannot run in linear time, from its error and the text at fault. */
function unsupportedConstruct(error: string, input: string): string | undefined {
  switch (error) {
    case 'invalid escape sequence':
      if (/^\\[1-9]/.test(input)) return `backreferences (\`${input}\`)`
      if (input === '\\k') return 'backreferences (`\\k<name>`)'
      return undefined
    case 'invalid or unsupported Perl syntax':
      if (input.startsWith('(?=')) return 'lookahead assertions (`(?=`)'
      if (input.startsWith('(?!')) return 'negative lookahead assertions (`(?!`)'
      if (input.startsWith('(?>')) return 'atomic groups (`(?>`)'
      if (input.startsWith('(?(')) return 'conditionals (`(?(`)'
      return undefined
    case 'invalid named capture':
      // RE2 reads `(?<` as the start of a group name.
      if (input.startsWith('(?<=')) return 'lookbehind assertions (`(?<=`)'
      if (input.startsWith('(?<!')) return 'negative lookbehind assertions (`(?<!`)'
      return undefined
    case 'invalid nested repetition operator':
      if (/^(?:[*+?]|\{\d+(?:,\d*)?\})\+$/.test(input)) return `possessive quantifiers (\`${input}\`)`
      return undefined
    default:
      return undefined
  }
}

/** Advice for the syntax errors that JavaScript habits cause. */
function hint(error: string, input: string): string {
  if (error === 'invalid escape sequence' && input === '\\u')
    return '; write a code point as `\\x{E9}` or `\\x{1F600}`'
  if (error === 'invalid escape sequence' && input === '\\c') return '; write a control character as `\\x01`'
  if (error === 'invalid repeat count')
    return '; RE2 allows at most 1000 repetitions, nested counts multiplied'
  if (error === 'invalid character class range' && input.startsWith('\\p'))
    return '; RE2 names scripts and categories without `Script=`: `\\p{Greek}`, `\\p{Lu}`'
  return ''
}

/**
 * The first `\1`...`\9` escape outside character classes and `\Q...\E`. RE2 accepts `\12` (an
 * octal escape, newline) where JavaScript reads a backreference once there are 12 groups:
 * neither reading is kept, so that no pattern silently changes meaning.
 */
function digitEscape(pattern: string): string | undefined {
  let inClass = false
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index]
    if (char === '\\') {
      const next = pattern[index + 1] ?? ''
      if (next === 'Q' && !inClass) {
        const end = pattern.indexOf('\\E', index + 2)
        if (end === -1) return undefined
        index = end + 1
      } else if (!inClass && next >= '1' && next <= '9') {
        // RE2 accepted the pattern: this is an octal escape, `\` and up to three octal digits.
        return /^\\[0-7]{1,3}/.exec(pattern.slice(index, index + 4))?.[0]
      } else {
        index++
      }
    } else if (inClass) {
      if (char === ']') inClass = false
      else if (char === '[' && pattern[index + 1] === ':') {
        const end = pattern.indexOf(':]', index + 2)
        if (end !== -1) index = end + 1
      }
    } else if (char === '[') {
      inClass = true
      // A `]` right after `[` or `[^` is a literal (RE2, PCRE).
      if (pattern[index + 1] === '^') index++
      if (pattern[index + 1] === ']') index++
    }
  }
  return undefined
}
