import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { parseInput } from '../../src/errors/parse-input.js'
import { ValidationError } from '../../src/errors/validation-error.js'

const schema = z.strictObject({ url: z.string(), enabled: z.boolean().optional() })

function rejection(input: unknown, prefix?: string): ValidationError {
  try {
    parseInput(schema, input, 'integration', prefix)
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError)
    return error as ValidationError
  }
  throw new Error('expected a rejection')
}

describe('parseInput', () => {
  it('returns the parsed input', () => {
    expect(parseInput(schema, { url: 'x' }, 'integration')).toEqual({ url: 'x' })
  })

  it('reports zod issues at paths under the prefix', () => {
    const error = rejection({ url: 1 }, 'config')
    expect(error.issues).toEqual([{ path: 'config.url', message: expect.any(String) }])
  })

  // Found by the public API fuzz suite: a getter that throws escaped as a plain Error.
  it('turns a getter that throws into a ValidationError with the thrown error as cause', () => {
    const thrown = new Error('boom')
    const input = Object.defineProperty({ url: 'x' }, 'enabled', {
      enumerable: true,
      get() {
        throw thrown
      },
    })
    const error = rejection(input, 'config')
    expect(error.code).toBe('ERR_VALIDATION')
    expect(error.field).toBe('config')
    expect(error.message).toContain('boom')
    expect(error.cause).toBe(thrown)
  })

  it('turns a revoked Proxy inside the input into a ValidationError', () => {
    // zod only reads the revoked Proxy while building the issue message for it.
    const { proxy, revoke } = Proxy.revocable({}, {})
    revoke()
    const error = rejection({ url: proxy })
    expect(error.issues).toEqual([{ path: '', message: expect.stringContaining('revoked') }])
  })

  it('turns a Proxy whose traps throw into a ValidationError', () => {
    const input = new Proxy(
      {},
      {
        get() {
          throw new Error('trap')
        },
      },
    )
    expect(rejection(input).issues).toEqual([{ path: '', message: expect.stringContaining('trap') }])
  })
})
