import fc from 'fast-check'
import { RE2JS } from 're2js'
import { describe, expect, it } from 'vitest'
import { literalTest } from '../../src/filters/literal-pattern.js'

const FLAGS: Readonly<Record<string, number>> = {
  i: RE2JS.CASE_INSENSITIVE,
  m: RE2JS.MULTILINE,
  s: RE2JS.DOTALL,
  u: 0,
}

/** RE2's own answer, what the string methods must give. */
function re2(pattern: string, options: string, text: string): boolean {
  let flags = 0
  for (const flag of options) flags |= FLAGS[flag] ?? 0
  return RE2JS.compile(pattern, flags).test(text)
}

function compiles(pattern: string): boolean {
  try {
    RE2JS.compile(pattern)
    return true
  } catch {
    return false
  }
}

describe('literalTest', () => {
  it.each([
    ['@example\\.com$', 'ana@example.com', true],
    ['@example\\.com$', 'ana@example.com\n', false],
    ['@example\\.com$', 'ana@exampleXcom', false],
    ['^ann', 'anna', true],
    ['^ann', 'joanna', false],
    ['gold', 'rose gold', true],
    ['^gold$', 'gold', true],
    ['^gold$', 'golden', false],
    ['^$', '', true],
    ['^$', '\n', false],
    ['', 'anything', true],
    ['a\\-b\\/c\\#', 'xa-b/c#', true],
    ['100\\$', 'cost: 100$', true],
    ['é', 'café', true],
  ])('matches %j on %j like RE2: %s', (pattern, text, expected) => {
    const test = literalTest(pattern, '')
    expect(test).toBeDefined()
    expect(test?.(text)).toBe(expected)
    expect(re2(pattern, '', text)).toBe(expected)
  })

  it.each([
    ['a.b', ''],
    ['a|b', ''],
    ['a+', ''],
    ['\\d', ''],
    ['\\bgo', ''],
    ['(?i)go', ''],
    ['^go', 'm'],
    ['go$', 'm'],
    ['gold', 'i'],
    ['😀', ''],
    ['[a]', ''],
    ['a{2}', ''],
  ])('leaves %j (options %j) to RE2', (pattern, options) => {
    expect(literalTest(pattern, options)).toBeUndefined()
  })

  it('agrees with RE2 on random patterns and strings', () => {
    const patternPiece = fc.constantFrom(
      'a',
      'b',
      '.',
      '\\.',
      '^',
      '$',
      '\\$',
      '\\^',
      '\\\\',
      '\\-',
      '-',
      ' ',
      '\n',
      'é',
      '😀',
      '\uD83D',
      '*',
      '(',
      ')',
      '\\Q',
      '\\z',
      '\\w',
    )
    const textPiece = fc.constantFrom(
      'a',
      'b',
      '.',
      '$',
      '^',
      '\\',
      '-',
      ' ',
      '\n',
      'é',
      'É',
      '😀',
      '\uD83D',
      '\uDE00',
    )
    fc.assert(
      fc.property(
        fc.array(patternPiece, { maxLength: 6 }).map((pieces) => pieces.join('')),
        fc.constantFrom('', 'm', 's', 'u', 'i', 'ms'),
        fc.array(
          fc.array(textPiece, { maxLength: 8 }).map((pieces) => pieces.join('')),
          {
            minLength: 1,
            maxLength: 5,
          },
        ),
        (pattern, options, texts) => {
          if (!compiles(pattern)) return
          const test = literalTest(pattern, options)
          if (test === undefined) return
          for (const text of texts)
            expect({ pattern, options, text, matches: test(text) }).toEqual({
              pattern,
              options,
              text,
              matches: re2(pattern, options, text),
            })
        },
      ),
      { seed: 10, numRuns: 3_000 },
    )
  })
})
