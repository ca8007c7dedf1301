import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')

describe('README code', () => {
  it('the MockTransport test is test/examples/readme-testing.test.ts, which runs it as written', () => {
    const start = readme.indexOf("**How do I test my app's routing?**")
    const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(start))?.[1]
    const test = readFileSync(new URL('./readme-testing.test.ts', import.meta.url), 'utf8')
    expect(block).toBe(test)
  })
})
